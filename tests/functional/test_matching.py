"""Suggestions computed from the change log, shown to owners with reasons, dismissed for good; operators' board."""

import pytest

from marketplace.extensions import db
from marketplace.matching import pools, services
from marketplace.matching.models import Dismissal, Suggestion


def _apply_changes():
    while services.process_changes():
        db.session.commit()
    db.session.commit()


@pytest.fixture
def market(factory):
    company = factory.user("company")
    researcher = factory.user("researcher")
    need = factory.listing(
        "need",
        owner=company,
        title="寻求石墨烯锂电池负极材料技术",
        summary="需要提高锂电池负极材料的循环寿命，要求中试以上。",
        min_maturity="pilot",
        cooperation_modes=["transfer"],
        price_wan=50,
    )
    good = factory.listing(
        "achievement",
        owner=researcher,
        title="石墨烯锂电池负极材料的制备",
        summary="以氧化石墨烯制备锂电池负极材料，循环寿命提高一倍。",
        tags=["石墨烯", "锂电池"],
        maturity="pilot_small",
        price_wan=80,
    )
    other = factory.listing(
        "achievement",
        owner=researcher,
        title="石墨烯导热膜",
        summary="石墨烯导热膜用于散热。",
        tags=["石墨烯", "导热膜"],
    )
    unrelated = factory.listing(
        "achievement",
        owner=researcher,
        title="水稻高产栽培",
        summary="双季稻氮肥减量栽培。",
        tags=["水稻"],
        industry="agriculture",
    )
    _apply_changes()
    return dict(company=company, researcher=researcher, need=need, good=good, other=other, unrelated=unrelated)


def _suggested(listing):
    return [s.candidate_id for s in services.suggestions_for(listing)]


def test_published_listings_get_suggestions_both_ways(market):
    assert _suggested(market["need"])[0] == market["good"].id
    assert market["unrelated"].id not in _suggested(market["need"])[:1]
    assert market["need"].id in _suggested(market["good"])


def test_a_new_listing_enters_existing_lists_after_the_next_update(market, factory):
    newcomer = factory.listing(
        "achievement",
        owner=market["researcher"],
        title="硅碳负极锂电池材料",
        summary="锂电池负极材料循环寿命的提升方法。",
        tags=["锂电池", "负极材料"],
    )
    _apply_changes()
    assert newcomer.id in _suggested(market["need"])
    assert market["need"].id in _suggested(newcomer)


def test_withdrawn_listing_leaves_every_list(market):
    from marketplace.listings.changes import record_change

    market["good"].status = "withdrawn"
    record_change(market["good"].id)
    db.session.commit()
    _apply_changes()
    assert market["good"].id not in _suggested(market["need"])
    assert db.session.execute(db.select(Suggestion).filter_by(listing_id=market["good"].id)).first() is None


def test_owner_sees_suggestion_with_reasons_and_dismisses_it(market, client, login):
    need, good = market["need"], market["good"]
    login(market["company"])
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "推荐的科技成果" in page and good.title in page
    assert "共同关键词" in page
    assert "成熟度低于需求方要求（需求：中试，成果：小试）" in page
    assert "报价高于预算" in page

    response = client.post(
        f"/matches/listings/{need.id}/dismiss",
        data={"candidate_id": good.id, "reason": "maturity", "next": f"/needs/{need.id}"},
    )
    assert response.status_code == 302
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "已忽略该推荐" in page
    assert f'data-suggestion="{good.id}"' not in page

    # A later recomputation does not bring it back for this user.
    services.refresh_listing(need.id)
    db.session.commit()
    assert good.id not in [s.candidate_id for s in services.suggestions_for(need, market["company"])]
    assert db.session.execute(db.select(Dismissal.reason)).scalar_one() == "maturity"


def test_others_cannot_see_or_dismiss_a_listings_suggestions(market, client, login, factory):
    need, good = market["need"], market["good"]
    login(factory.user("company"))
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "推荐的科技成果" not in page
    response = client.post(f"/matches/listings/{need.id}/dismiss", data={"candidate_id": good.id, "reason": "other"})
    assert response.status_code == 403
    assert (
        client.post("/matches/listings/999999/dismiss", data={"candidate_id": 1, "reason": "other"}).status_code == 404
    )


def test_bad_dismissal_input_is_refused_without_saving(market, client, login):
    need = market["need"]
    login(market["company"])
    response = client.post(
        f"/matches/listings/{need.id}/dismiss", data={"candidate_id": "abc", "reason": "nope"}, follow_redirects=True
    )
    assert response.status_code == 200 and "无法忽略该推荐" in response.get_data(as_text=True)
    unknown = client.post(f"/matches/listings/{need.id}/dismiss", data={"candidate_id": 999999, "reason": "other"})
    assert unknown.status_code == 404
    assert db.session.execute(db.select(Dismissal)).first() is None


def test_suggestions_page_lists_the_users_listings(market, client, login):
    login(market["company"])
    page = client.get("/matches/").get_data(as_text=True)
    assert market["need"].title in page and market["good"].title in page


def test_operators_board_shows_strong_pairs_and_dismissal_reasons(market, client, login, factory):
    services.dismiss(market["company"], market["need"], market["other"].id, "irrelevant")
    db.session.commit()
    login(market["company"])
    assert client.get("/matches/board").status_code == 403
    login(factory.user("operator"))
    page = client.get("/matches/board").get_data(as_text=True)
    assert market["good"].title in page
    assert "不相关" in page


def test_tag_suggestions_return_key_terms_and_taxonomy(market, client, login):
    login(market["researcher"])
    text = "基于石墨烯的锂电池负极材料，用于新能源汽车"
    data = client.get("/matches/suggest-tags", query_string={"text": text}).get_json()
    assert "石墨烯" in data["key_terms"]
    assert any(t["code"] == "new_energy" for t in data["taxonomy"])
    assert client.get("/matches/suggest-tags").get_json() == {"key_terms": [], "taxonomy": []}


def test_dismissal_reason_demotes_similar_candidates(market, factory):
    similar = factory.listing(
        "achievement",
        owner=market["researcher"],
        title="石墨烯锂电池隔膜",
        summary="锂电池隔膜涂覆石墨烯。",
        tags=["石墨烯", "锂电池"],
    )
    services.dismiss(market["company"], market["need"], market["good"].id, "irrelevant")
    db.session.commit()
    all_pools = pools.get_pools()
    doc = services.query_docs([market["need"].id], all_pools)[market["need"].id]
    results = services.compute(doc, all_pools, threshold=False)
    by_id = {r[0]: r[2] for r in results}
    assert market["good"].id not in by_id
    assert any(i["key"] == "dismissal_similar" for i in by_id[similar.id])
    assert not any(i["code"] == "dismissal" for i in by_id[market["other"].id])


def test_background_updater_applies_the_change_log_and_only_one_process_leads(app, factory, tmp_path):
    from marketplace.matching import background

    need = factory.listing("need", title="寻求石墨烯锂电池技术", summary="锂电池负极材料。")
    ach = factory.listing("achievement", title="石墨烯锂电池负极材料", summary="锂电池负极材料。", tags=["锂电池"])
    background._run_once(app)
    assert _suggested(need) == [ach.id]

    first = background._take_leadership(tmp_path / "lock")
    assert first is not None
    assert background._take_leadership(tmp_path / "lock") is None
    first.close()
    assert background._take_leadership(tmp_path / "lock") is not None


def test_an_imported_discipline_groups_listings_for_the_matcher(factory):
    owner = factory.user("company")
    need = factory.listing("need", owner=owner, title="寻求水稻高产技术", summary="水稻产量。", industry="other")
    same = factory.listing("achievement", title="小麦抗倒伏品种", summary="小麦。", industry="other")
    services.set_profile(same.id, "作物学", "农学")
    db.session.commit()
    doc = pools.get_pools().by_kind["achievement"].profiles[same.id].doc
    assert (doc.field, doc.category) == ("作物学", "农学")
    assert pools.get_pools().by_kind["need"].profiles[need.id].doc.category is None  # "other" is no group


def test_no_pair_within_one_organisation_and_scores_read_as_percent_with_a_word(market, factory, client, login):
    colleague = factory.user("researcher", org=market["company"].organisation)
    own = factory.listing(
        "achievement",
        owner=colleague,
        title="石墨烯锂电池负极材料的制备",
        summary="以氧化石墨烯制备锂电池负极材料，循环寿命提高一倍。",
        tags=["石墨烯", "锂电池"],
    )
    _apply_changes()
    assert own.id not in _suggested(market["need"])
    assert market["need"].id not in _suggested(own)

    login(market["company"])
    page = client.get(f"/needs/{market['need'].id}").get_data(as_text=True)
    top = services.suggestions_for(market["need"])[0]
    assert 0 <= top.percent <= 100 and f"{top.percent}</span>" in page
    assert ("很匹配" in page) or ("可能匹配" in page)
    assert "匹配度 0." not in page and "与最相关条目的关键词相同" not in page


def test_a_listing_without_suggestions_says_what_would_help(factory, client, login):
    company = factory.user("company")
    need = factory.listing("need", owner=company, title="寻求连续制备系统", summary="连续制备系统。", industry="other")
    factory.listing("achievement", title="一种连续制备系统的设计方法", summary="连续制备系统设计。", industry="other")
    _apply_changes()
    assert _suggested(need) == []  # generic words alone are no reason to suggest a pair
    login(company)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "暂无达到推荐门槛的匹配" in page
    assert "关键词标签" in page and "行业领域" in page and "描述写得更具体" in page


def test_matches_page_is_paged_and_shows_a_listings_top_five_with_more(factory, client, login):
    company = factory.user("company")
    researcher = factory.user("researcher")
    needs = [
        factory.listing(
            "need", owner=company, title="寻求石墨烯锂电池负极材料技术", summary="锂电池负极材料的循环寿命。"
        )
        for _i in range(11)
    ]
    for _i in range(7):
        factory.listing(
            "achievement",
            owner=researcher,
            title="石墨烯锂电池负极材料的制备",
            summary="以氧化石墨烯制备锂电池负极材料。",
            tags=["石墨烯", "锂电池", "负极材料"],
        )
    _apply_changes()
    assert len(services.suggestions_for(needs[0], limit=20)) == 7
    dropped = services.suggestions_for(needs[1], limit=1)[0].candidate_id
    services.dismiss(company, needs[1], dropped, "other")
    db.session.commit()
    tops = services.top_suggestions([n.id for n in needs[:3]], company, limit=5)  # what the page shows, one query
    for need in needs[:3]:
        expected = services.suggestions_for(need, company, limit=5)
        assert [s.candidate_id for s in tops[need.id]] == [s.candidate_id for s in expected]
    assert dropped not in [s.candidate_id for s in tops[needs[1].id]] and len(tops[needs[1].id]) == 5
    login(company)
    first = client.get("/matches/").get_data(as_text=True)
    assert first.count('class="card mb-3"') == 10
    assert first.count("data-suggestion=") == 50  # five per listing
    assert "更多（共 7 条推荐）" in first and "下一页" in first
    second = client.get("/matches/?page=2").get_data(as_text=True)
    assert second.count('class="card mb-3"') == 1
    far = client.get("/matches/?page=99999999999999999999")
    assert far.status_code == 200 and "回到第一页" in far.get_data(as_text=True)


def test_board_is_paged_with_each_needs_top_five(factory, client, login):
    company = factory.user("company")
    researcher = factory.user("researcher")
    for _i in range(8):
        factory.listing("need", owner=company, title="寻求石墨烯锂电池负极材料技术", summary="锂电池负极材料。")
    for _i in range(7):
        factory.listing(
            "achievement",
            owner=researcher,
            title="石墨烯锂电池负极材料的制备",
            summary="以氧化石墨烯制备锂电池负极材料。",
            tags=["石墨烯", "锂电池", "负极材料"],
        )
    _apply_changes()
    login(factory.user("operator"))
    first = client.get("/matches/board").get_data(as_text=True)
    assert first.count("<tr>") - 1 == 30  # 8 needs x top 5 = 40 pairs, 30 a page
    assert "下一页" in first
    second = client.get("/matches/board?page=2").get_data(as_text=True)
    assert second.count("<tr>") - 1 == 10


def test_each_app_keeps_its_own_pools(app, market):
    """The pools belong to the app: another app (a test's, a worker's) starts without them."""
    from marketplace import create_app
    from marketplace.config import TestConfig

    built = pools.get_pools()
    assert pools.peek() is built
    other = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    with other.app_context():
        assert pools.peek() is None
    assert pools.peek() is built
