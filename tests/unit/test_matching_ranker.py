"""The matcher's scoring and explanations, without the app."""
from datetime import datetime, timedelta

from marketplace.matching import explain, product, ranker
from marketplace.matching import text as textmod
from marketplace.matching.features import Doc

NOW = datetime(2026, 11, 1, 12, 0)


def ach(i, title, body="", tags=(), field=None, category=None, **kw):
    return Doc(id=i, kind="achievement", title=title, body=body, tags=tuple(tags), field=field, category=category,
               **kw)


def need(title, body="", category=None, **kw):
    return Doc(id="n", kind="need", title=title, body=body, category=category, **kw)


POOL_DOCS = [
    ach("graphene", "石墨烯锂电池负极材料的制备", "以氧化石墨烯为原料制备锂电池负极材料，循环寿命提高。",
        tags=["石墨烯", "锂电池", "负极材料"], field="材料科学与工程", category="工学"),
    ach("graphene2", "石墨烯导热膜的规模化生产", "石墨烯导热膜用于手机散热。", tags=["石墨烯", "导热膜"],
        field="材料科学与工程", category="工学"),
    ach("materials", "高熵合金的力学性能", "研究了高熵合金在高温下的强度。", tags=["高熵合金"],
        field="材料科学与工程", category="工学"),
    ach("rice", "水稻高产栽培技术", "双季稻高产栽培，氮肥减量。", tags=["水稻", "氮肥"], field="作物学",
        category="农学"),
    ach("tcm", "热敏灸治疗腰痛的临床研究", "热敏灸疗效观察。", tags=["热敏灸"], field="中医学", category="医学"),
]


def pool():
    textmod.add_terms(t for d in POOL_DOCS for t in d.tags)
    return ranker.Pool(POOL_DOCS)


def test_segmentation_keeps_domain_terms_and_drops_need_boilerplate():
    textmod.add_terms(["窄带物联网"])
    words = textmod.words("寻求窄带物联网相关技术，希望与掌握相关技术的高校院所或企业合作。")
    assert "窄带物联网" in words
    assert "希望" not in words and "合作" not in words
    assert "b:石墨" in textmod.terms("石墨烯")


def test_text_and_tags_rank_the_matching_achievement_first():
    results = ranker.rank(need("寻求石墨烯锂电池负极材料技术", "需要提高锂电池循环寿命。"), pool(), limit=3)
    assert results[0].doc_id == "graphene"
    assert set(results[0].details["tags"]) >= {"石墨烯", "锂电池"}
    assert all(0 <= results[0].factors[k] <= 1 for k in ("text", "tags", "prf_tags", "field", "category"))


def test_discipline_is_inferred_when_the_need_has_no_category():
    # No shared words with the alloy paper, but its discipline is the one of the best text matches.
    results = ranker.rank(need("石墨烯负极材料", "石墨烯锂电池。"), pool(), limit=5)
    ids = [m.doc_id for m in results]
    assert "materials" in ids and "rice" not in ids
    assert {m.doc_id: m for m in results}["materials"].factors["field"] > 0.5


def test_given_category_outranks_other_categories():
    results = ranker.rank(need("高产栽培技术", "提高产量。", category="农学"), pool(), limit=5)
    assert results[0].doc_id == "rice"
    assert results[0].factors["category"] == 1.0


def test_excluded_documents_never_appear():
    results = ranker.rank(need("石墨烯锂电池"), pool(), limit=5, exclude={"graphene"})
    assert "graphene" not in [m.doc_id for m in results]


def test_pool_remove_takes_a_document_out_of_every_statistic():
    p = pool()
    p.remove("tcm")
    assert len(p) == 4 and "热敏灸" not in {t for t, ids in p.tag_postings.items() if ids}
    assert all(m.doc_id != "tcm" for m in ranker.rank(need("热敏灸治疗"), p, limit=5))


def test_product_factors_apply_only_when_both_sides_have_the_data():
    assert product.factors(need("x"), ach("a", "y"), now=NOW) == {}
    n = need("x", min_maturity="pilot", cooperation_mask=1, price_wan=50, region="nanchang")
    a = ach("a", "y", maturity="pilot_small", cooperation_mask=2, price_wan=80, region="ganzhou",
            published_at=NOW - timedelta(days=3))
    f = product.factors(n, a, now=NOW)
    assert f["maturity"][0] < 0 and f["cooperation"][0] < 0 and f["price"][0] < 0
    assert f["region"][1]["key"] == "region_province" and f["freshness"][1]["key"] == "fresh"


def _items(n, a):
    return [{"code": c, "value": v, "key": p["key"], "params": {k: x for k, x in p.items() if k != "key"}}
            for c, (v, p) in product.factors(n, a, now=NOW).items()]


def test_explanations_say_why_a_pair_fits_and_why_it_may_not():
    n = need("x", min_maturity="pilot", cooperation_mask=1, price_wan=50, region="nanchang")
    a = ach("a", "y", maturity="pilot_small", cooperation_mask=3, price_wan=80, region="nanchang",
            published_at=NOW - timedelta(days=3))
    good, bad = explain.split(_items(n, a))
    assert "同在南昌，本地优先" in good and "最近 30 天发布" in good and "合作方式一致：技术转让" in good
    assert "成熟度低于需求方要求（需求：中试，成果：小试）" in bad
    assert any(r.startswith("报价高于预算") for r in bad)


def test_ranked_matches_explain_shared_key_terms():
    p = pool()
    n = need("寻求石墨烯锂电池负极材料技术", "需要提高锂电池循环寿命。")
    m = ranker.rank(n, p, limit=1)[0]
    entry = p.profiles[m.doc_id]
    items = explain.factor_items(m, n, entry.doc, cand_terms=set(entry.terms), stats=p.stats)
    texts = [explain.describe(i) for i in items]
    shared = next(t for t in texts if t.startswith("共同关键词："))
    assert "石墨烯" in shared and "锂电池" in shared
    assert any(t.startswith("学科相近") for t in texts)


def test_market_factors_change_the_order_of_equal_texts():
    docs = [ach("far", "石墨烯锂电池", region="ganzhou", maturity="lab"),
            ach("near", "石墨烯锂电池", region="nanchang", maturity="industrial")]
    n = need("石墨烯锂电池", region="nanchang", min_maturity="pilot")
    results = ranker.rank(n, ranker.Pool(docs), limit=2)
    assert [m.doc_id for m in results] == ["near", "far"]
