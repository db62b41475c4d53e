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
    """Language-neutral factor list of a match: [{code, value, key, params}], strongest first.

    Only evidence a user can check on both listings is named: words in both texts, the candidate's tags found in
    the query's text, a discipline or category both listings carry, and the market factors shown on both. What the
    ranker inferred (tags of other top matches, a discipline guessed from text) moves the order but is not
    offered as a reason.
    """
    f, d = match.factors, match.details
    items = []
    if query_words is not None:
        words = [w for w in query_words if "w:" + w in cand_terms][:MAX_TERMS]
    else:
        words = shared_words(query_doc, cand_terms, stats=stats)
    if f.get("text", 0) > 0 and words:
        items.append({"code": "text", "value": round(f["text"], 3), "key": "text", "params": {"terms": words}})
    # a tag that is a generic word (技术, 制备, 性能: any need may say it) still counts in the score but is no reason
    tags = [t for t in d.get("tags", ()) if not textmod.is_generic(t)]
    if tags:
        items.append(
            {"code": "tags", "value": round(f["tags"], 3), "key": "tags", "params": {"terms": tags[:MAX_TERMS]}}
        )
    if f.get("field", 0) > 0 and cand_doc.field and query_doc.field == cand_doc.field:
        items.append(
            {"code": "field", "value": round(f["field"], 3), "key": "field", "params": {"field": cand_doc.field}}
        )
    if f.get("category", 0) > 0 and cand_doc.category and query_doc.category == cand_doc.category:
        items.append(
            {
                "code": "category",
                "value": round(f["category"], 3),
                "key": "category_given",
                "params": {"category": cand_doc.category},
            }
        )
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


def _industry(code):
    return taxonomy.label(taxonomy.INDUSTRIES, code)


def _maturity(code):
    return taxonomy.label(taxonomy.MATURITIES, code)


def _category(p):
    if p["category"] in taxonomy.INDUSTRIES:
        return _("行业一致：%(industry)s", industry=_industry(p["category"]))
    return _("领域一致：%(category)s", category=p["category"])


# key -> the reason in the viewer's language (msgids are Chinese), from the item's params
MESSAGES = {
    "text": lambda p: _("共同关键词：%(terms)s", terms=_join(p["terms"])),
    "tags": lambda p: _("对方标签出现在描述中：%(terms)s", terms=_join(p["terms"])),
    "field": lambda p: _("学科相同：%(field)s", field=p["field"]),
    "category_given": _category,
    "industry_same": lambda p: _("行业一致：%(industry)s", industry=_industry(p["industry"])),
    "maturity_ok": lambda p: _(
        "成熟度满足需求（需求：%(need)s，成果：%(ach)s）", need=_maturity(p["need"]), ach=_maturity(p["ach"])
    ),
    "maturity_low": lambda p: _(
        "成熟度低于需求方要求（需求：%(need)s，成果：%(ach)s）", need=_maturity(p["need"]), ach=_maturity(p["ach"])
    ),
    "coop_overlap": lambda p: _(
        "合作方式一致：%(modes)s", modes=_join(taxonomy.label(taxonomy.COOPERATION_MODES, m) for m in p["modes"])
    ),
    "coop_none": lambda p: _("合作方式不一致"),
    "price_ok": lambda p: _(
        "报价在预算内（预算 %(budget)s 万元，报价 %(price)s 万元）",
        budget=_money(p["budget"]),
        price=_money(p["price"]),
    ),
    "price_high": lambda p: _(
        "报价高于预算（预算 %(budget)s 万元，报价 %(price)s 万元）",
        budget=_money(p["budget"]),
        price=_money(p["price"]),
    ),
    "region_same": lambda p: _("同在%(region)s，本地优先", region=taxonomy.label(taxonomy.REGIONS, p["region"])),
    "region_province": lambda p: _("同在江西省内"),
    "fresh": lambda p: _("最近 %(days)s 天发布", days=p["days"]),
    "stale": lambda p: _("发布已超过一年"),
    "dismissal_similar": lambda p: _("与您曾忽略的推荐相似（原因：%(reason)s）", reason=dismiss_label(p["reason"])),
}


def dismiss_label(code):
    from .models import DISMISS_REASONS

    return str(DISMISS_REASONS[code][0]) if code in DISMISS_REASONS else code


def describe(item):
    """The reason of one stored factor item in the viewer's language; None for evidence no longer shown
    (suggestions stored before a ranker change may carry such items until they are recomputed)."""
    message = MESSAGES.get(item["key"])
    return message(item.get("params", {})) if message else None


def split(items):
    """(reasons it fits, reasons it may not fit) as rendered strings."""
    good = [t for t in (describe(i) for i in items if i["value"] > 0) if t]
    bad = [t for t in (describe(i) for i in items if i["value"] < 0) if t]
    return good, bad
