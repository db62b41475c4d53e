"""The operators' board of strong pairs with actions (assign a broker, mark contacted, not a fit, introduce) and
filters; introductions open only when both sides consent; the broker's desk; follow-ups both parties read."""

import re

from marketplace.extensions import db
from marketplace.inquiries.models import BoardPair, Inquiry
from marketplace.matching.models import Suggestion
from marketplace.notifications.models import Notification

INTRO = {
    "cooperation_mode": "transfer",
    "budget_range": "from_50",
    "timeline": "within_6m",
    "message": "两位好，这项成果与贵方需求高度吻合，建议当面洽谈。",
}


def _pair(factory, percent=85, industry="new_materials", region=None, **need_fields):
    company = factory.user("company", phone="13800000001")
    researcher = factory.user("researcher", phone="13900000002")
    place = {"region": region} if region else {}
    need = factory.listing("need", owner=company, industry=industry, **place, **need_fields)
    ach = factory.listing("achievement", owner=researcher, industry=industry, **place)
    db.session.add(Suggestion(listing_id=need.id, candidate_id=ach.id, rank=1, score=percent / 100, percent=percent))
    db.session.commit()
    return company, researcher, need, ach


def _broker(factory, name="钱经纪"):
    """A service-organisation user given the broker role by an operator."""
    user = factory.user("researcher", org=factory.org(org_type="service"), name=name, phone="13700000003")
    user.role = "broker"
    db.session.commit()
    return user


def _kinds(user):
    return [n.kind for n in db.session.execute(db.select(Notification).filter_by(user_id=user.id)).scalars()]


def test_board_filters_by_industry_city_score_and_status(client, factory, login):
    _c, _r, need_a, ach_a = _pair(factory, percent=90, industry="new_materials", region="nanchang", title="甲需求")
    _c, _r, need_b, ach_b = _pair(factory, percent=60, industry="agriculture", region="ganzhou", title="乙需求")
    operator = factory.user("operator")
    login(operator)
    page = client.get("/matches/board").get_data(as_text=True)
    assert "甲需求" in page and "乙需求" in page
    assert "乙需求" not in client.get("/matches/board?industry=new_materials").get_data(as_text=True)
    assert "甲需求" not in client.get("/matches/board?region=ganzhou").get_data(as_text=True)
    page = client.get("/matches/board?min_percent=80").get_data(as_text=True)
    assert "甲需求" in page and "乙需求" not in page

    client.post(
        f"/broker/pairs/{need_b.id}/{ach_b.id}",
        data={"action": "not_fit", "seen_status": "open", "next": "/matches/board"},
    )
    assert "乙需求" not in client.get("/matches/board").get_data(as_text=True)  # hidden by default
    assert "乙需求" in client.get("/matches/board?status=not_fit").get_data(as_text=True)
    page = client.get("/matches/board?status=open").get_data(as_text=True)
    assert "甲需求" in page and "乙需求" not in page


def test_introduction_shares_contacts_only_after_both_consent(client, factory, login):
    company, researcher, need, ach = _pair(factory)
    broker = _broker(factory)
    operator = factory.user("operator")
    login(operator)
    client.post(
        f"/broker/pairs/{need.id}/{ach.id}", data={"action": "assign", "broker_id": broker.id, "seen_status": "open"}
    )
    pair = db.session.execute(db.select(BoardPair)).scalar_one()
    assert (pair.status, pair.broker_id) == ("assigned", broker.id)
    assert "broker_pair_assigned" in _kinds(broker)

    login(broker)
    assert "/broker/desk" in client.get("/me/").get_data(as_text=True)  # the workspace links the desk
    desk = client.get("/broker/desk").get_data(as_text=True)
    assert need.title in desk and "引荐双方" in desk
    response = client.post(f"/broker/pairs/{need.id}/{ach.id}/introduce", data={**INTRO, "seen_status": "assigned"})
    assert response.status_code == 302
    inquiry = db.session.execute(db.select(Inquiry)).scalar_one()
    assert (inquiry.origin, inquiry.sender_id, inquiry.recipient_id, inquiry.broker_id) == (
        "broker",
        company.id,
        researcher.id,
        broker.id,
    )
    assert "introduction_received" in _kinds(company) and "introduction_received" in _kinds(researcher)

    # before any consent and after one: nobody sees the other's phone
    for user in (company, researcher, broker):
        login(user)
        page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
        assert "13800000001" not in page and "13900000002" not in page
    login(company)
    assert "经纪人引荐" in client.get("/inbox").get_data(as_text=True)
    assert client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "accept"}).status_code == 302
    db.session.refresh(inquiry)
    assert inquiry.status == "pending" and inquiry.sender_consented_at is not None
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "13900000002" not in page and 'value="accept"' not in page  # no second answer offered
    assert client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "accept"}).status_code == 302
    login(researcher)
    assert "13800000001" not in client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "13800000001" not in client.get("/notifications/").get_data(as_text=True)
    client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "accept"})
    db.session.refresh(inquiry)
    assert (inquiry.status, inquiry.stage) == ("accepted", "negotiating")
    assert "13800000001" in client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    login(company)
    assert "13900000002" in client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "introduction_accepted" in _kinds(company) and "introduction_accepted" in _kinds(broker)
    db.session.refresh(pair)
    assert pair.status == "introduced" and pair.inquiry_id == inquiry.id


def test_a_declined_introduction_never_shares_contacts(client, factory, login):
    company, researcher, need, ach = _pair(factory)
    broker = _broker(factory)
    pair = BoardPair(need_id=need.id, achievement_id=ach.id, status="assigned", broker_id=broker.id)
    db.session.add(pair)
    db.session.commit()
    login(broker)
    client.post(f"/broker/pairs/{need.id}/{ach.id}/introduce", data={**INTRO, "seen_status": "assigned"})
    inquiry = db.session.execute(db.select(Inquiry)).scalar_one()
    login(company)
    client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "accept"})
    login(researcher)
    client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "decline", "reason": "暂无转让计划"})
    db.session.refresh(inquiry)
    assert inquiry.status == "declined"
    login(company)
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "暂无转让计划" in page and "13900000002" not in page
    assert "introduction_declined" in _kinds(company) and "introduction_declined" in _kinds(broker)


def test_introducing_twice_or_without_a_broker_is_refused_and_keeps_the_text(client, factory, login):
    _company, _researcher, need, ach = _pair(factory)
    operator = factory.user("operator")
    login(operator)
    assert "请先为该配对指派技术经纪人" in client.get(f"/broker/pairs/{need.id}/{ach.id}/introduce").get_data(
        as_text=True
    )
    assert db.session.execute(db.select(BoardPair)).first() is None  # the page wrote nothing
    response = client.post(f"/broker/pairs/{need.id}/{ach.id}/introduce", data={**INTRO, "seen_status": "open"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "请先为该配对指派技术经纪人" in page
    broker = _broker(factory)
    client.post(
        f"/broker/pairs/{need.id}/{ach.id}", data={"action": "assign", "broker_id": broker.id, "seen_status": "open"}
    )
    assert (
        client.post(
            f"/broker/pairs/{need.id}/{ach.id}/introduce", data={**INTRO, "seen_status": "assigned"}
        ).status_code
        == 302
    )
    again = client.post(f"/broker/pairs/{need.id}/{ach.id}/introduce", data={**INTRO, "seen_status": "assigned"})
    assert again.status_code == 409
    assert db.session.execute(db.select(db.func.count(Inquiry.id))).scalar() == 1


def test_only_the_pairs_broker_and_operators_act_on_it(client, factory, login):
    _company, _researcher, need, ach = _pair(factory)
    broker, other_broker = _broker(factory), _broker(factory, "孙经纪")
    db.session.add(BoardPair(need_id=need.id, achievement_id=ach.id, status="assigned", broker_id=broker.id))
    db.session.commit()
    login(other_broker)
    assert client.post(f"/broker/pairs/{need.id}/{ach.id}", data={"action": "contacted"}).status_code == 403
    assert client.get(f"/broker/pairs/{need.id}/{ach.id}/introduce").status_code == 403
    assert need.title not in client.get("/broker/desk").get_data(as_text=True)
    login(broker)  # a broker cannot reassign
    assert (
        client.post(
            f"/broker/pairs/{need.id}/{ach.id}", data={"action": "assign", "broker_id": other_broker.id}
        ).status_code
        == 403
    )
    client.post(f"/broker/pairs/{need.id}/{ach.id}", data={"action": "contacted", "seen_status": "assigned"})
    assert db.session.execute(db.select(BoardPair.status)).scalar_one() == "contacted"
    assert "已联系" in client.get("/broker/desk?status=contacted").get_data(as_text=True)
    assert need.title not in client.get("/broker/desk?status=not_fit").get_data(as_text=True)


def test_a_stale_board_action_is_refused(client, factory, login):
    _company, _researcher, need, ach = _pair(factory)
    operator = factory.user("operator")
    login(operator)
    client.post(f"/broker/pairs/{need.id}/{ach.id}", data={"action": "not_fit", "seen_status": "open"})
    response = client.post(
        f"/broker/pairs/{need.id}/{ach.id}", data={"action": "contacted", "seen_status": "open"}, follow_redirects=True
    )
    assert "不能执行此操作" in response.get_data(as_text=True) or "已被他人处理" in response.get_data(as_text=True)
    assert db.session.execute(db.select(BoardPair.status)).scalar_one() == "not_fit"


def test_followups_written_by_the_broker_are_read_by_both_parties(client, factory, login):
    company, researcher, need, ach = _pair(factory)
    broker = _broker(factory)
    inquiry = Inquiry(
        listing_id=ach.id,
        sender_id=company.id,
        recipient_id=researcher.id,
        broker_id=broker.id,
        status="accepted",
        stage="negotiating",
        cooperation_mode="transfer",
        budget_range="from_50",
        timeline="within_6m",
        message="希望洽谈技术转让。",
    )
    db.session.add(inquiry)
    db.session.commit()
    login(company)
    follow = {"happened_on": "2026-01-05", "note": "已电话沟通双方，约定下周面谈。", "next_step": "安排面谈"}
    assert client.post(f"/inquiries/{inquiry.id}/followups", data=follow).status_code == 403
    login(broker)
    bad = client.post(f"/inquiries/{inquiry.id}/followups", data={**follow, "happened_on": "2999-01-01"})
    assert bad.status_code == 422 and "已电话沟通双方" in bad.get_data(as_text=True)  # kept, with the reason
    assert client.post(f"/inquiries/{inquiry.id}/followups", data=follow).status_code == 302
    deals = client.get("/broker/desk?tab=deals&stage=negotiating").get_data(as_text=True)
    assert ach.title in deals
    assert ach.title not in client.get("/broker/desk?tab=deals&stage=signed").get_data(as_text=True)
    for user in (company, researcher):
        login(user)
        page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
        assert "已电话沟通双方" in page and "安排面谈" in page
        assert "deal_followup" in _kinds(user)
        assert not re.search(r'action="[^"]*/followups"', page)  # the parties do not write follow-ups


def _together(app, jobs):
    """Run each job(user) in its own thread, session and transaction, started at once; returns the outcomes."""
    import threading

    from marketplace.accounts.models import User
    from marketplace.inquiries import services

    barrier = threading.Barrier(len(jobs))
    outcomes = []

    def run(job, user_id):
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.commit()
            barrier.wait()
            try:
                job(user)
                db.session.commit()
                outcomes.append("done")
            except services.InquiryError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=pair) for pair in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_both_sides_consenting_at_once_open_the_introduction_once(app, factory):
    from marketplace.inquiries import brokers, services

    company, researcher, need, ach = _pair(factory)
    broker = _broker(factory)
    pair = BoardPair(need_id=need.id, achievement_id=ach.id, status="assigned", broker_id=broker.id)
    db.session.add(pair)
    db.session.commit()
    inquiry, _ = brokers.introduce(pair, broker, "assigned", dict(INTRO))
    db.session.commit()
    inquiry_id, ids = inquiry.id, (company.id, researcher.id)
    db.session.commit()

    def consent(user):
        brokers.consent(db.session.get(Inquiry, inquiry_id), user, "accept")

    assert _together(app, [(consent, ids[0]), (consent, ids[1])]) == ["done", "done"]
    db.session.expire_all()
    final = db.session.get(Inquiry, inquiry_id)
    assert (final.status, final.stage) == ("accepted", "negotiating")
    assert [e.action for e in services.events_of(final)].count("accept") == 1


def test_two_introductions_of_one_pair_at_once_have_one_winner(app, factory):
    from marketplace.inquiries import brokers

    _company, _researcher, need, ach = _pair(factory)
    broker = _broker(factory)
    db.session.add(BoardPair(need_id=need.id, achievement_id=ach.id, status="assigned", broker_id=broker.id))
    db.session.commit()
    need_id, ach_id, broker_id = need.id, ach.id, broker.id
    db.session.commit()  # (an open read would hold SQLite's write lock outside a request)

    def introduce(user):
        pair = db.session.execute(db.select(BoardPair).filter_by(need_id=need_id, achievement_id=ach_id)).scalar_one()
        brokers.introduce(pair, user, "assigned", dict(INTRO))

    assert sorted(_together(app, [(introduce, broker_id), (introduce, broker_id)])) == ["done", "refused"]
    assert db.session.execute(db.select(db.func.count(Inquiry.id))).scalar() == 1
