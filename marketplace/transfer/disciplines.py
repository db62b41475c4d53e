"""Disciplines (学科, the `field` of CSL records) and broad categories (门类) -> the market's industry codes.

The one map used by `flask listings import` and `flask demo load`, so a record gets the same industry from both.
A few telling words in the title move a record to a more specific priority industry (物联网 -> 移动物联网).
Choices where a discipline could go two ways:
- 计算机科学与技术 -> big_data (大数据): its papers are about software, data and networks; 电子信息与新型光电 is
  hardware and optoelectronics. AI titles move on to 人工智能, IoT titles to 移动物联网.
- 信息与通信工程 -> electronics (电子信息): communication and signal processing are electronic information;
  IoT titles move to 移动物联网.
- 动力工程及工程热物理 -> new_energy (新能源): power generation and energy conversion, as 电气工程; the
  environment disciplines make 节能环保.
Unmapped disciplines have no industry of their own (the discipline is kept as a tag).
"""

from .. import taxonomy

DISCIPLINE_INDUSTRIES = {
    "材料科学与工程": "new_materials",
    "冶金工程": "new_materials",
    "矿业工程": "new_materials",
    "化学/化学工程与技术": "chemicals",
    "石油与天然气工程": "chemicals",
    "中医学/中药学": "tcm",
    "药学": "biomedicine",
    "基础医学/临床医学": "biomedicine",
    "口腔医学": "biomedicine",
    "公共卫生与预防医学": "biomedicine",
    "生物学/生物科学与工程": "biomedicine",
    "食品科学与工程": "food",
    "园艺学": "agriculture",
    "作物学": "agriculture",
    "农业工程": "agriculture",
    "农业资源利用": "agriculture",
    "水产": "agriculture",
    "畜牧学/兽医学": "agriculture",
    "林学/林业工程": "agriculture",
    "植物保护": "agriculture",
    "农林经济管理": "agriculture",
    "交通运输工程": "construction",
    "土木工程": "construction",
    "建筑学": "construction",
    "水利工程": "construction",
    "纺织科学与工程": "textiles",
    "计算机科学与技术": "big_data",
    "光学工程": "electronics",
    "信息与通信工程": "electronics",
    "电子科学与技术": "sensors_ic",
    "控制科学与工程": "smart_manufacturing",
    "机械工程": "smart_manufacturing",
    "电气工程": "new_energy",
    "核科学与技术": "new_energy",
    "动力工程及工程热物理": "new_energy",
    "环境科学与工程": "energy_env",
    "航空宇航科学与技术": "aviation",
    "工商管理": "modern_services",
    "应用经济学": "modern_services",
}

CATEGORY_INDUSTRIES = {
    "农学": "agriculture",
    "医学": "biomedicine",
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


def _base_industry(field, category):
    for name in (field, category):
        if not name:
            continue
        code = DISCIPLINE_INDUSTRIES.get(name) or CATEGORY_INDUSTRIES.get(name)
        if code:
            return code
        if name in taxonomy.INDUSTRIES:
            return name
    return None


def industry_for(field=None, category=None, title="", default=None):
    """The industry code of a record from its discipline (or category) and title; `default` when it has none."""
    base = _base_industry(field, category)
    if base is None:
        return default
    folded = (title or "").casefold()
    for industry, words in TITLE_OVERRIDES:
        if any(word.casefold() in folded for word in words):
            return industry
    return base
