"""Map the CSL papers' disciplines onto the market's industries, and derive tags for needs.

The demo catalogue reuses real abstracts (CSL, Apache-2.0). Their discipline (one of 67) is mapped onto
taxonomy.INDUSTRIES; a few telling words in the title move a record to a more specific priority industry.
"""
import re
import unicodedata

DISCIPLINE_INDUSTRIES = {
    "信息与通信工程": "electronics",
    "光学工程": "electronics",
    "电子科学与技术": "sensors_ic",
    "计算机科学与技术": "big_data",
    "控制科学与工程": "smart_manufacturing",
    "机械工程": "smart_manufacturing",
    "航空宇航科学与技术": "aviation",
    "中医学/中药学": "tcm",
    "药学": "biomedicine",
    "基础医学/临床医学": "biomedicine",
    "公共卫生与预防医学": "biomedicine",
    "口腔医学": "biomedicine",
    "生物学/生物科学与工程": "biomedicine",
    "环境科学与工程": "energy_env",
    "动力工程及工程热物理": "new_energy",
    "电气工程": "new_energy",
    "材料科学与工程": "new_materials",
    "冶金工程": "new_materials",
    "矿业工程": "new_materials",
    "交通运输工程": "construction",
    "土木工程": "construction",
    "建筑学": "construction",
    "水利工程": "construction",
    "作物学": "agriculture",
    "园艺学": "agriculture",
    "农业资源利用": "agriculture",
    "植物保护": "agriculture",
    "水产": "agriculture",
    "畜牧学/兽医学": "agriculture",
    "林学/林业工程": "agriculture",
    "农业工程": "agriculture",
    "食品科学与工程": "food",
    "纺织科学与工程": "textiles",
    "化学/化学工程与技术": "chemicals",
    "石油与天然气工程": "chemicals",
}

# (industry, words): the first group with a word in the title wins over the discipline.
TITLE_OVERRIDES = [
    ("mobile_iot", ("物联网", "NB-IoT", "无线传感", "RFID", "ZigBee", "LoRa")),
    ("vr", ("虚拟现实", "增强现实", "VR")),
    ("rail", ("轨道", "铁路", "列车", "地铁", "高铁", "动车", "机车")),
    ("aviation", ("航空", "飞机", "飞行器", "无人机", "直升机")),
    ("sensors_ic", ("传感器", "芯片", "集成电路", "MEMS", "半导体")),
    ("ai", ("人工智能", "神经网络", "深度学习", "机器学习", "图像识别", "机器人")),
    ("big_data", ("大数据", "数据挖掘", "云计算")),
    ("auto", ("汽车", "车辆", "发动机")),
    ("ceramics", ("陶瓷", "釉")),
    ("new_materials", ("稀土", "钨", "硬质合金", "永磁")),
    ("new_energy", ("光伏", "锂电", "锂离子", "风电", "太阳能")),
]


def industry_for(field, title=""):
    """The industry code of a record, or None when its discipline has no place in the market."""
    base = DISCIPLINE_INDUSTRIES.get(field)
    if base is None:
        return None
    folded = (title or "").casefold()
    for industry, words in TITLE_OVERRIDES:
        if any(word.casefold() in folded for word in words):
            return industry
    return base


def normalise_tag(name):
    """A tag as the Tag model stores it: NFKC, trimmed, case-folded, at most 40 characters."""
    return unicodedata.normalize("NFKC", name or "").strip().casefold()[:40]


_NEED_FRAME = re.compile(r"^(寻求|征集|求购|需要)|(相关技术|技术合作|解决方案)$")
_STOPWORDS = {
    "研究", "应用", "分析", "技术", "相关", "影响", "方法", "探讨", "基于", "及其", "问题", "进展", "作用", "设计",
    "系统", "对策", "效果", "条件", "特性", "性能", "不同", "我国", "中的", "建设", "管理", "发展", "一种", "使用",
    "生产", "考虑", "高效", "几个", "体会", "案例", "观察", "临床观察", "壮大", "做强", "新型", "实验", "试验",
    "现状", "机理", "优化", "评价", "构建", "实现", "利用", "提高", "改进", "控制", "处理", "探索", "初步",
}


def _keep(word, chosen):
    return (len(word) >= 2 and word not in _STOPWORDS and not re.fullmatch(r"[\W\d_]+", word)
            and not any(word in other or other in word for other in chosen))


def derive_need_tags(title, text, vocabulary, limit=5):
    """Tags for a need: known keywords in its title, the title's own terms, then known keywords in its text.

    A need's tags come from the market (never from the paper it was written from): the known keywords
    are tags already used by achievements; the title is segmented by rjieba.
    """
    import rjieba

    core = _NEED_FRAME.sub("", unicodedata.normalize("NFKC", title).strip()).casefold()
    known = sorted((tag for tag in vocabulary if len(tag) >= 2), key=len, reverse=True)
    chosen = []
    candidates = [tag for tag in known if tag in core]
    candidates += [normalise_tag(word) for word in rjieba.cut(core)]
    candidates += [tag for tag in known if tag in (text or "").casefold()]
    for word in candidates:
        if len(chosen) >= limit:
            break
        if _keep(word, chosen):
            chosen.append(word)
    return chosen
