"""The expert pool: operators add experts and assign them; the conflict rule; who sees the scores."""

from events_support import make_event

from marketplace.events import experts, lineup
from marketplace.events.models import Expert, Review
from marketplace.extensions import db

SHEET = {
    "advancement": "8",
    "maturity": "7",
    "market": "9",
    "team": "6",
    "investment": "8",
    "comments": "工艺成熟，市场空间大",
}


def _world(factory):
    operator = factory.user("operator")
    event = make_event(operator)
    uni = factory.org("university", name="南昌大学测试")
    owner = factory.user("researcher", org=uni)
    other_owner = factory.user("researcher")
    ach = factory.listing("achievement", owner=owner, title="稀土永磁电机")
    other_ach = factory.listing("achievement", owner=other_owner, title="钨基硬质合金")
    p1 = lineup.add_presenter(event.id, ach)
    p2 = lineup.add_presenter(event.id, other_ach)
    lineup.invite_presenters(event.id)
    db.session.commit()
    return operator, event, uni, owner, other_owner, p1, p2


def test_operator_adds_an_expert_who_is_invited_to_sign_in(client, factory, login, app):
    operator, event, uni, *_rest = _world(factory)
    login(operator)
    resp = client.post(
        "/events/experts/new", data={"name": "李教授", "email": "li@example.cn", "organisation": "不存在的机构"}
    )
    assert "平台上没有这个机构" in resp.get_data(as_text=True)
    resp = client.post(
        "/events/experts/new",
        data={
            "name": "李教授",
            "email": "li@example.cn",
            "organisation": "南昌大学测试",
            "title": "教授",
            "fields": "稀土材料",
            "industries": ["new_materials"],
            "profile": "长期从事稀土永磁研究",
        },
    )
    assert resp.status_code == 302
    expert = db.session.execute(db.select(Expert)).scalar_one()
    assert expert.user.role == "expert" and expert.user.organisation_id == uni.id
    assert "李教授" in client.get("/events/experts").get_data(as_text=True)
    from test_events_lineup import _outbox

    assert any("li@example.cn" in m and "/account/reset/" in m for m in _outbox(app))


def test_conflict_rule_and_score_visibility(client, factory, login, app):
    operator, event, uni, owner, other_owner, p1, p2 = _world(factory)
    expert = experts.create_expert("李教授", "li@example.cn", uni, title="教授")
    db.session.commit()
    login(operator)
    page = client.get(f"/events/{event.id}/reviews").get_data(as_text=True)
    assert "本单位成果，回避" in page
    # own organisation's achievement: refused
    resp = client.post(
        f"/events/{event.id}/presenters/{p1.id}/assign", data={"expert_id": expert.id}, follow_redirects=True
    )
    assert "回避规则" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(Review)).scalar() == 0
    client.post(f"/events/{event.id}/presenters/{p2.id}/assign", data={"expert_id": expert.id})
    review = db.session.execute(db.select(Review)).scalar_one()
    # only the assigned expert opens the sheet, operators included
    assert client.get(f"/events/reviews/{review.id}").status_code == 403
    login(expert.user)
    assert "钨基硬质合金" in client.get("/events/reviews/mine").get_data(as_text=True)
    bad = client.post(f"/events/reviews/{review.id}", data={**SHEET, "team": "11"})
    assert "分数应在 1 到 10 之间" in bad.get_data(as_text=True)
    client.post(f"/events/reviews/{review.id}", data=SHEET)
    db.session.expire_all()
    assert db.session.get(Review, review.id).scores["market"] == 9
    # the scored presenter's owner sees the scores; the other presenter does not
    login(other_owner)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "专家评分" in page and "工艺成熟，市场空间大" in page
    login(owner)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "工艺成熟，市场空间大" not in page
    login(operator)
    assert "工艺成熟，市场空间大" in client.get(f"/events/{event.id}/reviews").get_data(as_text=True)


def test_services_enforce_the_conflict_rule(factory):
    _operator, _event, uni, _owner, _other, p1, _p2 = _world(factory)
    expert = experts.create_expert("王研究员", "wang@example.cn", uni)
    try:
        experts.assign(expert, p1)
    except experts.EventError:
        pass
    else:
        raise AssertionError("an expert was assigned to their own organisation's achievement")


def test_operators_edit_the_score_sheet_and_scores_stay_valid_and_weighted(client, factory, login):
    from marketplace.events import criteria

    operator, event, uni, owner, other_owner, p1, p2 = _world(factory)
    expert = experts.create_expert("李教授", "li@example.cn", factory.org("university", name="江西理工测试"))
    review, _created = experts.assign(expert, p1)
    db.session.commit()
    login(expert.user)
    client.post(f"/events/reviews/{review.id}", data=SHEET)  # 8 7 9 6 8 on the default sheet: mean 7.6
    login(operator)
    page = client.get(f"/events/{event.id}/criteria").get_data(as_text=True)
    assert "技术先进性" in page and "投资价值" in page
    # empty names everywhere: refused with a reason, nothing changed
    resp = client.post(f"/events/{event.id}/criteria", data={"code": ["advancement"], "name": [""], "weight": ["20"]})
    assert "评分表至少要有一项" in resp.get_data(as_text=True)
    lines = {
        "code": ["advancement", "maturity", "market", "team", "investment", ""],
        "name": ["技术先进性", "成熟度", "市场前景", "团队与管理", "投资价值", "知识产权"],
        "weight": ["20", "20", "20", "20", "60", "20"],
        "position": ["1", "2", "3", "4", "5", "6"],
        "remove": ["maturity"],
    }
    assert client.post(f"/events/{event.id}/criteria", data=lines).status_code == 302
    sheet = criteria.sheet_of(event.id)
    assert [line.name for line in sheet] == ["技术先进性", "市场前景", "团队与管理", "投资价值", "知识产权"]
    # the submitted sheet is still valid: weighted over the criteria it has (8·20 + 9·20 + 6·20 + 8·60) / 120
    means, overall = experts.averages([review], sheet)
    assert means["team"] == 6 and "c1" not in means and overall == 7.8
    page = client.get(f"/events/{event.id}/reviews").get_data(as_text=True)
    assert "团队与管理" in page and "7.8" in page and "43%" in page  # 60 of 140
    # the owner sees the weighted scores on the event page
    login(owner)
    assert "7.8" in client.get(f"/events/{event.id}").get_data(as_text=True)
    # the expert's sheet now asks for the new criterion; without it the sheet is refused
    login(expert.user)
    page = client.get(f"/events/reviews/{review.id}").get_data(as_text=True)
    assert "知识产权" in page and "成熟度" not in page
    resp = client.post(f"/events/reviews/{review.id}", data=SHEET)
    assert "请打分" in resp.get_data(as_text=True)
    client.post(f"/events/reviews/{review.id}", data={**SHEET, "c1": "10"})
    db.session.refresh(review)
    assert review.scores["c1"] == 10 and "maturity" not in review.scores


def test_weighted_means_without_an_app():
    from marketplace.events.criteria import Line, averages, weighted

    sheet = [Line("a", "技术先进性", 30), Line("b", "市场前景", 10)]
    assert weighted({"a": 10, "b": 2}, sheet) == 8.0
    assert weighted({"b": 4, "gone": 10}, sheet) == 4.0  # a removed criterion does not count
    assert weighted({}, sheet) is None
    assert averages([{"a": 10, "b": 2}, {"a": 6}], sheet) == ({"a": 8.0, "b": 2.0}, 6.5)
