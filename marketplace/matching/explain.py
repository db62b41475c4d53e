"""Explanations of a suggestion: each factor's value and a plain Chinese reason.

`factor_items` turns a ranker Match into language-neutral JSON (code, value, key, params) that can be stored;
`describe` renders one item in the current language (gettext msgids are the Chinese strings), so a stored
suggestion is shown in whatever language the viewer uses. Pure functions: no app is needed (outside a
request flask_babel falls back to the Chinese msgids).
"""
from flask_babel import gettext as _

from .. import taxonomy
from . import text as textmod

MAX_TERMS = 5


def shared_words(query_doc, cand_terms, limit=MAX_TERMS, stats=None):
    """Content words of the query that the candidate's text also contains, most specific first.

    `cand_terms` is the candidate's pooled term set ("w:<word>" entries), so nothing is segmented again.
    """
    q = dict.fromkeys(textmod.words(query_doc.title + " " + query_doc.body + " " + " ".join(query_doc.tags)))
    common = [w for w in q if len(w) >= 2 and "w:" + w in cand_terms]
    if stats is not None:
        common.sort(key=lambda w: -stats.idf("w:" + w))
    return common[:limit]


def factor_items(match, query_doc, cand_doc, cand_terms=(), stats=None, query_words=None):
    """Language-neutral factor list of a match: [{code, value, key, params}], strongest first."""
    f, d = match.factors, match.details
    items = []
    if query_words is not None:
        words = [w for w in query_words if "w:" + w in cand_terms][:MAX_TERMS]
    else:
        words = shared_words(query_doc, cand_terms, stats=stats)
    if f.get("text", 0) > 0 and words:
        items.append({"code": "text", "value": round(f["text"], 3), "key": "text", "params": {"terms": words}})
    if d.get("tags"):
        items.append({"code": "tags", "value": round(f["tags"], 3), "key": "tags",
                      "params": {"terms": d["tags"][:MAX_TERMS]}})
    if d.get("prf_tags") and f.get("prf_tags", 0) > 0:
        extra = [t for t in d["prf_tags"] if t not in d.get("tags", [])]
        if extra:
            items.append({"code": "prf_tags", "value": round(f["prf_tags"], 3), "key": "prf_tags",
                          "params": {"terms": extra[:MAX_TERMS]}})
    if f.get("field", 0) >= 0.3 and cand_doc.field:
        items.append({"code": "field", "value": round(f["field"], 3), "key": "field",
                      "params": {"field": cand_doc.field}})
    if f.get("category", 0) >= 0.3 and cand_doc.category:
        key = "category_given" if query_doc.category else "category_inferred"
        items.append({"code": "category", "value": round(f["category"], 3), "key": key,
                      "params": {"category": cand_doc.category}})
    for code, (value, params) in d.get("product", {}).items():
        params = dict(params)
        key = params.pop("key")
        items.append({"code": code, "value": value, "key": key, "params": params})
    items.sort(key=lambda i: -abs(i["value"]))
    return items


def _join(terms):
    return _("、").join(str(t) for t in terms)


def _money(value):
    return f"{value:g}"


def describe(item):
    """The Chinese (or translated) reason of one stored factor item."""
    key, p = item["key"], item.get("params", {})
    if key == "text":
        return _("共同关键词：%(terms)s", terms=_join(p["terms"]))
    if key == "tags":
        return _("对方标签出现在描述中：%(terms)s", terms=_join(p["terms"]))
    if key == "prf_tags":
        return _("与最相关条目的关键词相同：%(terms)s", terms=_join(p["terms"]))
    if key == "field":
        return _("学科相近：%(field)s", field=p["field"])
    if key == "category_given":
        if p["category"] in taxonomy.INDUSTRIES:
            return _("行业一致：%(industry)s", industry=taxonomy.label(taxonomy.INDUSTRIES, p["category"]))
        return _("领域一致：%(category)s", category=p["category"])
    if key == "category_inferred":
        return _("领域相近（由文本推断）：%(category)s", category=taxonomy.label(taxonomy.INDUSTRIES, p["category"]))
    if key == "industry_same":
        return _("行业一致：%(industry)s", industry=taxonomy.label(taxonomy.INDUSTRIES, p["industry"]))
    if key == "maturity_ok":
        return _("成熟度满足需求（需求：%(need)s，成果：%(ach)s）", need=taxonomy.label(taxonomy.MATURITIES, p["need"]),
                 ach=taxonomy.label(taxonomy.MATURITIES, p["ach"]))
    if key == "maturity_low":
        return _("成熟度低于需求方要求（需求：%(need)s，成果：%(ach)s）",
                 need=taxonomy.label(taxonomy.MATURITIES, p["need"]), ach=taxonomy.label(taxonomy.MATURITIES, p["ach"]))
    if key == "coop_overlap":
        return _("合作方式一致：%(modes)s",
                 modes=_join(taxonomy.label(taxonomy.COOPERATION_MODES, m) for m in p["modes"]))
    if key == "coop_none":
        return _("合作方式不一致")
    if key == "price_ok":
        return _("报价在预算内（预算 %(budget)s 万元，报价 %(price)s 万元）", budget=_money(p["budget"]),
                 price=_money(p["price"]))
    if key == "price_high":
        return _("报价高于预算（预算 %(budget)s 万元，报价 %(price)s 万元）", budget=_money(p["budget"]),
                 price=_money(p["price"]))
    if key == "region_same":
        return _("同在%(region)s，本地优先", region=taxonomy.label(taxonomy.REGIONS, p["region"]))
    if key == "region_province":
        return _("同在江西省内")
    if key == "fresh":
        return _("最近 %(days)s 天发布", days=p["days"])
    if key == "stale":
        return _("发布已超过一年")
    if key == "dismissal_similar":
        reasons = {"irrelevant": _("不相关"), "maturity": _("成熟度不够"), "price": _("价格不合适"), "other": _("其他")}
        return _("与您曾忽略的推荐相似（原因：%(reason)s）", reason=reasons.get(p["reason"], p["reason"]))
    return key


def split(items):
    """(reasons it fits, reasons it may not fit) as rendered strings."""
    good = [describe(i) for i in items if i["value"] > 0]
    bad = [describe(i) for i in items if i["value"] < 0]
    return good, bad
