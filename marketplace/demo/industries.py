"""Derive tags for the demo's needs from their title and text.

The demo catalogue reuses real abstracts (CSL, Apache-2.0); their industries come from the importer's
discipline map (transfer/disciplines.py), so `demo load` and `listings import` agree.
"""

import re
import unicodedata

from ..listings.tags import normalise_tag

_NEED_FRAME = re.compile(r"^(寻求|征集|求购|需要)|(相关技术|技术合作|解决方案)$")
_STOPWORDS = {
    "研究",
    "应用",
    "分析",
    "技术",
    "相关",
    "影响",
    "方法",
    "探讨",
    "基于",
    "及其",
    "问题",
    "进展",
    "作用",
    "设计",
    "系统",
    "对策",
    "效果",
    "条件",
    "特性",
    "性能",
    "不同",
    "我国",
    "中的",
    "建设",
    "管理",
    "发展",
    "一种",
    "使用",
    "生产",
    "考虑",
    "高效",
    "几个",
    "体会",
    "案例",
    "观察",
    "临床观察",
    "壮大",
    "做强",
    "新型",
    "实验",
    "试验",
    "现状",
    "机理",
    "优化",
    "评价",
    "构建",
    "实现",
    "利用",
    "提高",
    "改进",
    "控制",
    "处理",
    "探索",
    "初步",
}


def _keep(word, chosen):
    return (
        len(word) >= 2
        and word not in _STOPWORDS
        and not re.fullmatch(r"[\W\d_]+", word)
        and not any(word in other or other in word for other in chosen)
    )


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
