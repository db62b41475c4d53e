"""The matcher's scoring and explanations, without the app."""

from datetime import datetime, timedelta

import pytest

from marketplace.matching import calibration, explain, ranker, suggest
from marketplace.matching import market_factors as product
from marketplace.matching import text as textmod
from marketplace.matching.features import Doc
from marketplace.matching.features import profile as ft_profile

NOW = datetime(2026, 11, 1, 12, 0)


def ach(i, title, body="", tags=(), field=None, category=None, **kw):
    return Doc(id=i, kind="achievement", title=title, body=body, tags=tuple(tags), field=field, category=category, **kw)


def need(title, body="", category=None, **kw):
    return Doc(id="n", kind="need", title=title, body=body, category=category, **kw)


POOL_DOCS = [
    ach(
        "graphene",
        "石墨烯锂电池负极材料的制备",
        "以氧化石墨烯为原料制备锂电池负极材料，循环寿命提高。",
        tags=["石墨烯", "锂电池", "负极材料"],
        field="材料科学与工程",
        category="工学",
    ),
    ach(
        "graphene2",
        "石墨烯导热膜的规模化生产",
        "石墨烯导热膜用于手机散热。",
        tags=["石墨烯", "导热膜"],
        field="材料科学与工程",
        category="工学",
    ),
    ach(
        "materials",
        "高熵合金的力学性能",
        "研究了高熵合金在高温下的强度。",
        tags=["高熵合金"],
        field="材料科学与工程",
        category="工学",
    ),
    ach(
        "rice", "水稻高产栽培技术", "双季稻高产栽培，氮肥减量。", tags=["水稻", "氮肥"], field="作物学", category="农学"
    ),
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


def test_the_discipline_model_reads_a_discipline_from_words_no_document_shares():
    p = pool()
    # 稻 and 栽培 are the rice paper's, though no document has the word 晚稻
    dist = p.disciplines.distribution(ft_profile(need("晚稻栽培")).tf)
    assert max(dist, key=dist.get) == "作物学"
    assert abs(sum(dist.values()) - 1) < 1e-9
    # a given category keeps only the disciplines seen in it
    assert set(p.disciplines.distribution(ft_profile(need("晚稻栽培")).tf, "工学")) == {"材料科学与工程"}


def test_the_discipline_model_forgets_a_removed_document():
    p = pool()
    p.remove("rice")
    assert "作物学" not in p.disciplines.distribution(ft_profile(need("水稻栽培")).tf)
    p.add(POOL_DOCS[3])
    fresh = ranker.Pool(POOL_DOCS)
    query = ft_profile(need("水稻栽培")).tf
    assert p.disciplines.distribution(query) == pytest.approx(fresh.disciplines.distribution(query))


def test_given_category_outranks_other_categories():
    results = ranker.rank(need("高产栽培技术", "提高产量。", category="农学"), pool(), limit=5)
    assert results[0].doc_id == "rice"
    assert results[0].factors["category"] == 1.0


def test_a_tag_named_in_the_need_brings_its_document_in_without_shared_words(monkeypatch):
    p = pool()
    n = need("寻求热敏灸设备", "用于腰痛理疗。")
    assert ranker.tagged_in_text(ft_profile(n).norm_text, p) == {"tcm"}
    monkeypatch.setattr(ranker, "RETRIEVAL_LIMIT", 0)  # no document found by its words ...
    results = {m.doc_id: m for m in ranker.rank(n, p, limit=5)}
    assert results["tcm"].details["tags"] == ["热敏灸"]  # ... the tag in the need's text still finds it


def test_tags_in_the_text_bring_the_rarest_tags_documents_first():
    docs = [ach(f"g{i}", f"材料{i}", tags=["石墨烯"]) for i in range(5)] + [ach("rare", "导热膜", tags=["导热膜"])]
    p = ranker.Pool(docs)
    assert ranker.tagged_in_text("石墨烯导热膜", p, limit=3) == {"rare"}
    assert len(ranker.tagged_in_text("石墨烯导热膜", p, limit=10)) == 6


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
    a = ach(
        "a",
        "y",
        maturity="pilot_small",
        cooperation_mask=2,
        price_wan=80,
        region="ganzhou",
        published_at=NOW - timedelta(days=3),
    )
    f = product.factors(n, a, now=NOW)
    assert f["maturity"][0] < 0 and f["cooperation"][0] < 0 and f["price"][0] < 0
    assert f["region"][1]["key"] == "region_province" and f["freshness"][1]["key"] == "fresh"


def _items(n, a):
    return [
        {"code": c, "value": v, "key": p["key"], "params": {k: x for k, x in p.items() if k != "key"}}
        for c, (v, p) in product.factors(n, a, now=NOW).items()
    ]


def test_explanations_say_why_a_pair_fits_and_why_it_may_not():
    n = need("x", min_maturity="pilot", cooperation_mask=1, price_wan=50, region="nanchang")
    a = ach(
        "a",
        "y",
        maturity="pilot_small",
        cooperation_mask=3,
        price_wan=80,
        region="nanchang",
        published_at=NOW - timedelta(days=3),
    )
    good, bad = explain.split(_items(n, a))
    assert "同在南昌，本地优先" in good and "最近 30 天发布" in good and "合作方式一致：技术转让" in good
    assert "成熟度低于需求方要求（需求：中试，成果：小试）" in bad
    assert any(r.startswith("报价高于预算") for r in bad)


def test_ranked_matches_explain_shared_key_terms():
    p = pool()
    n = need("寻求石墨烯锂电池负极材料技术", "需要提高锂电池循环寿命。")
    m = ranker.rank(n, p, limit=1)[0]
    entry = p.profiles[m.doc_id]
    items = explain.factor_items(m, n, entry.doc, cand_terms=p.terms_of(m.doc_id), stats=p.stats)
    texts = [explain.describe(i) for i in items]
    shared = next(t for t in texts if t.startswith("共同关键词："))
    assert "石墨烯" in shared and "锂电池" in shared
    # the discipline was only inferred (the need has none): it orders the list but is not offered as a reason
    assert m.factors["field"] > 0 and not any(t.startswith("学科") for t in texts)


def test_reasons_name_only_evidence_found_on_both_listings():
    """Tags of other top matches (feedback) move the order, but a reason only names words both listings carry."""
    p = pool()
    n = need("石墨烯负极材料", "石墨烯锂电池。")
    for m in ranker.rank(n, p, limit=5):
        entry = p.profiles[m.doc_id]
        items = explain.factor_items(m, n, entry.doc, cand_terms=p.terms_of(m.doc_id), stats=p.stats)
        text = textmod.normalize(f"{entry.doc.title} {entry.doc.body} {' '.join(entry.doc.tags)}")
        for item in items:
            assert item["key"] in ("text", "tags", "category_given", "field")
            for term in item["params"].get("terms", ()):
                assert term in text and term in textmod.normalize(n.title + n.body), (m.doc_id, item)
        assert not any("最相关条目" in t or "推断" in t for t in map(explain.describe, items))


def test_market_factors_change_the_order_of_equal_texts():
    docs = [
        ach("far", "石墨烯锂电池", region="ganzhou", maturity="lab"),
        ach("near", "石墨烯锂电池", region="nanchang", maturity="industrial"),
    ]
    n = need("石墨烯锂电池", region="nanchang", min_maturity="pilot")
    results = ranker.rank(n, ranker.Pool(docs), limit=2)
    assert [m.doc_id for m in results] == ["near", "far"]


def test_no_pair_rides_on_generic_words_alone():
    docs = [
        ach("generic", "连续制备系统", "一种连续制备系统的设计方法。", category="工学"),
        ach("specific", "石墨烯连续制备系统", "石墨烯粉体的连续制备。", category="工学"),
    ]
    n = need("寻求连续制备系统", "希望建立一套连续制备系统。", category="工学")
    ranked = [m.doc_id for m in ranker.rank(n, ranker.Pool(docs), limit=5)]
    assert "generic" in ranked  # the ranker sees the shared words ...
    shown = [r[0] for r in suggest.suggestions(n, ranker.Pool(docs), 5, threshold=False)]
    assert "generic" not in shown  # ... but 系统、制备、连续 alone are no reason to suggest a pair
    n2 = need("寻求石墨烯连续制备系统", "石墨烯粉体。", category="工学")
    assert [r[0] for r in suggest.suggestions(n2, ranker.Pool(docs), 5, threshold=False)][0] == "specific"


def test_a_tag_that_is_a_generic_word_is_no_reason():
    docs = [ach("generic-tag", "纳米线的连续生产", "纳米线。", tags=["制备"], category="工学")]
    n = need("寻求高效制备技术", "希望合作。", category="工学")
    match = ranker.rank(n, ranker.Pool(docs), limit=1)[0]
    assert match.details["tags"] == ["制备"]  # the ranker still reads the tag ...
    assert not [i for i in explain.factor_items(match, n, docs[0]) if i["key"] == "tags"]  # ... no reason names it
    assert suggest.suggestions(n, ranker.Pool(docs), 5, threshold=False) == []


def test_no_pair_within_one_organisation():
    docs = [
        ach("own", "石墨烯锂电池负极材料", tags=["石墨烯"], organisation_id=7, owner_id=70),
        ach("other", "石墨烯锂电池负极材料", tags=["石墨烯"], organisation_id=8, owner_id=80),
    ]
    n = need("寻求石墨烯锂电池负极材料", organisation_id=7, owner_id=71)
    assert [r[0] for r in suggest.suggestions(n, ranker.Pool(docs), 5, threshold=False)] == ["other"]


def test_the_score_is_a_calibrated_percent_with_a_word_and_a_threshold():
    assert calibration.percent(-1.0, True) == calibration.TABLES["field"][0][1]
    assert calibration.percent(99.0, False) == calibration.TABLES["no_field"][-1][1]
    values = [calibration.percent(x / 10, f) for f in (True, False) for x in range(0, 40)]
    assert all(0 <= v <= 100 for v in values)
    for f in (True, False):  # more evidence never reads as a lower share
        series = [calibration.percent(x / 10, f) for x in range(0, 40)]
        assert series == sorted(series)
    assert str(calibration.word(calibration.STRONG_PERCENT)) == "很匹配"
    assert str(calibration.word(calibration.MIN_PERCENT)) == "可能匹配"
    assert calibration.word(calibration.MIN_PERCENT - 1) is None
    # pairs under the threshold are not suggested; without it (fitting the calibration) they are kept
    docs = [
        ach("weak", "石墨烯", "石墨烯。", category="农学"),
        ach(
            "strong",
            "石墨烯锂电池负极材料的制备",
            "以氧化石墨烯制备锂电池负极材料。",
            tags=["石墨烯", "锂电池", "负极材料"],
            category="工学",
        ),
    ]
    n = need("寻求石墨烯锂电池负极材料技术", "提高锂电池负极材料的循环寿命。", category="工学")
    everything = suggest.suggestions(n, ranker.Pool(docs), 5, threshold=False)
    shown = suggest.suggestions(n, ranker.Pool(docs), 5)
    assert [r[0] for r in shown] == [r[0] for r in everything if r[3] >= calibration.MIN_PERCENT]
    assert len(shown) < len(everything) and shown[0][0] == "strong"
