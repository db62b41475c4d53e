"""Events: operators create and run them, visitors find them, participants register, cancel and check in."""

import csv
import io
import re
from datetime import timedelta

from events_support import make_event

from marketplace.events import services
from marketplace.events.models import Event, Registration
from marketplace.extensions import db
from marketplace.models_base import utcnow


def _form(**over):
    data = dict(
        event_type="roadshow",
        title="赣江新区科技金融路演",
        industries=["new_materials", "ai"],
        tags="稀土, 永磁，人工智能",
        programme="14:00 开场\n14:10 项目路演",
        starts_at="2026-12-20T14:00",
        ends_at="2026-12-20T17:30",
        registration_deadline="2026-12-18T18:00",
        venue="南昌市 江西省科技大厦",
        online_url="https://live.example.cn/roadshow",
        replay_url="",
        capacity="80",
    )
    data.update(over)
    return data


def test_operator_creates_edits_and_opens_an_event(client, factory, login):
    operator = factory.user("operator")
    login(operator)
    resp = client.post("/events/new", data=_form())
    assert resp.status_code == 302
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.status == "draft" and event.capacity == 80
    assert event.tag_names == ["稀土", "永磁", "人工智能"]
    # 14:00 in Shanghai is 06:00 UTC
    assert event.starts_at.hour == 6 and event.starts_at.day == 20
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "2026-12-20 14:00" in page and "发布并开放报名" in page
    # a draft is invisible to the public
    client.post("/account/logout")
    assert client.get(f"/events/{event.id}").status_code == 404
    assert "赣江新区科技金融路演" not in client.get("/events/").get_data(as_text=True)
    login(operator)
    client.post(f"/events/{event.id}/status/open")
    assert db.session.get(Event, event.id).status == "open"
    resp = client.post(f"/events/{event.id}/edit", data=_form(title="赣江新区科技金融路演（第二场）"))
    assert resp.status_code == 302
    client.post("/account/logout")
    listing = client.get("/events/").get_data(as_text=True)
    assert "赣江新区科技金融路演（第二场）" in listing
    home = client.get("/").get_data(as_text=True)
    assert "近期路演活动" in home and "赣江新区科技金融路演（第二场）" in home


def test_bad_event_form_saves_nothing(client, factory, login):
    login(factory.user("operator"))
    resp = client.post(
        "/events/new", data=_form(ends_at="2026-12-20T13:00", venue="", online_url="", capacity="0", starts_at="明天")
    )
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "请输入有效的日期和时间" in text and "请填写地点或线上直播链接" in text and "容量应在" in text
    resp = client.post("/events/new", data=_form(ends_at="2026-12-20T13:00"))
    assert "结束时间应晚于开始时间" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(Event)).scalar() == 0


def test_transitions_follow_the_table(client, factory, login):
    operator = factory.user("operator")
    event = make_event(operator, status="draft")
    login(operator)
    client.post(f"/events/{event.id}/status/archive")
    assert db.session.get(Event, event.id).status == "draft"
    for action, status in [
        ("open", "open"),
        ("close", "closed"),
        ("reopen", "open"),
        ("finish", "finished"),
        ("archive", "archived"),
    ]:
        client.post(f"/events/{event.id}/status/{action}")
        assert db.session.get(Event, event.id).status == status
    assert client.post(f"/events/{event.id}/status/explode").status_code == 404


def test_public_list_splits_upcoming_and_past_and_paginates(client, factory, app):
    operator = factory.user("operator")
    for i in range(14):
        make_event(operator, title=f"即将举行的路演{i:02d}", days=5 + i)
    make_event(
        operator,
        title="去年的成果发布会",
        days=-30,
        status="finished",
        event_type="launch",
        registration_deadline=utcnow() - timedelta(days=40),
    )
    first = client.get("/events/").get_data(as_text=True)
    assert "即将举行的路演00" in first and "去年的成果发布会" not in first
    assert "即将举行的路演13" not in first  # page 2 (12 per page)
    assert "即将举行的路演13" in client.get("/events/?page=2").get_data(as_text=True)
    past = client.get("/events/?when=past").get_data(as_text=True)
    assert "去年的成果发布会" in past and "即将举行的路演00" not in past


def test_empty_states(client):
    assert "暂无即将举行的活动" in client.get("/events/").get_data(as_text=True)
    assert "暂无往期活动" in client.get("/events/?when=past").get_data(as_text=True)


def test_registration_waiting_list_and_promotion_exactly_once(client, factory, login, app):
    operator = factory.user("operator")
    event = make_event(operator, capacity=2)
    people = [factory.user(role) for role in ("company", "investor", "researcher", "company")]
    for person in people:
        login(person)
        client.post(f"/events/{event.id}/register")
    statuses = [services.registration_of(event.id, p.id).status for p in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    login(people[3])
    assert "候补名单第 2 位" in client.get(f"/events/{event.id}").get_data(as_text=True)
    # the first confirmed person cancels: the first waiting person (not the second) gets the seat, once
    login(people[0])
    client.post(f"/events/{event.id}/cancel")
    db.session.expire_all()
    statuses = [services.registration_of(event.id, p.id).status for p in people]
    assert statuses == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    assert db.session.get(Event, event.id).seats_taken == 2
    from marketplace.mail import message_summary, outbox_names, read_outbox_message
    from marketplace.notifications.models import Notification

    outbox = app.config["OUTBOX_DIR"]
    mails = [message_summary(read_outbox_message(outbox, name)) for name in outbox_names(outbox)]
    promoted_mails = [m for m in mails if m["to"] == people[2].email]
    assert len(promoted_mails) == 1 and f"/events/{event.id}" in promoted_mails[0]["body"]
    # ... and in the app: one notification with the event's link
    notes = db.session.execute(db.select(Notification).filter_by(user_id=people[2].id)).scalars().all()
    assert [(n.kind, n.endpoint_values) for n in notes] == [("event_update", {"event_id": event.id})]
    # cancelling again is refused and changes nothing
    client.post(f"/events/{event.id}/cancel")
    db.session.expire_all()
    assert services.registration_of(event.id, people[3].id).status == "waitlisted"
    # a waiting person who cancels frees no seat
    login(people[3])
    client.post(f"/events/{event.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Event, event.id).seats_taken == 2


def test_raising_capacity_promotes_the_waiting_list(client, factory, login):
    operator = factory.user("operator")
    event = make_event(operator, capacity=1)
    a, b = factory.user("company"), factory.user("investor")
    services.register(event.id, a)
    services.register(event.id, b)
    db.session.commit()
    promoted = services.update_event(event.id, operator, capacity=2)
    db.session.commit()
    assert [r.user_id for r in promoted] == [b.id]
    try:
        services.update_event(event.id, operator, capacity=1)
    except services.EventError as err:
        assert "容量不能小于" in str(err)
    else:
        raise AssertionError("capacity below the confirmed seats was accepted")


def test_registration_rules(client, factory, login):
    operator = factory.user("operator")
    closed = make_event(operator, status="closed")
    late = make_event(operator, registration_deadline=utcnow() - timedelta(hours=1))
    company = factory.user("company")
    login(company)
    for event in (closed, late):
        resp = client.post(f"/events/{event.id}/register", follow_redirects=True)
        assert "该活动目前不接受报名" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(Registration)).scalar() == 0
    login(operator)
    assert client.post(f"/events/{late.id}/register").status_code == 403


def test_badge_has_a_qr_code_and_check_in_works(client, factory, login):
    operator = factory.user("operator")
    event = make_event(operator)
    company = factory.user("company", name="王经理")
    login(company)
    client.post(f"/events/{event.id}/register")
    page = client.get(f"/events/{event.id}/badge").get_data(as_text=True)
    assert "<svg" in page and "王经理" in page
    assert "参会证" in client.get("/events/mine").get_data(as_text=True)
    reg = services.registration_of(event.id, company.id)
    login(operator)
    # a badge of another event is refused, the right one checks in once
    resp = client.post(f"/events/{event.id}/scan", json={"code": f"JXTM-EVENT:{event.id + 1}:{reg.badge_token}"})
    assert resp.status_code == 400 and resp.get_json()["reason"]
    resp = client.post(f"/events/{event.id}/scan", json={"code": services.badge_payload(reg)})
    assert resp.get_json()["ok"] and not resp.get_json()["already"]
    resp = client.post(f"/events/{event.id}/scan", json={"code": services.badge_payload(reg)})
    assert resp.get_json()["already"]
    listing = client.get(f"/events/{event.id}/checkin?q=王").get_data(as_text=True)
    assert "王经理" in listing and "已签到 1 / 1 人" in listing
    assert "王经理" not in client.get(f"/events/{event.id}/checkin?q=nobody").get_data(as_text=True)
    client.post(f"/events/{event.id}/checkin/{reg.id}", data={"checked_in": "0"})
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).checked_in_at is None
    client.post(f"/events/{event.id}/checkin/{reg.id}", data={"checked_in": "1"})
    resp = client.get(f"/events/{event.id}/checkin.csv")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "姓名" and rows[1][0] == "王经理" and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[1][5])


def test_check_in_csv_neutralises_formulas(client, factory, login):
    operator = factory.user("operator")
    event = make_event(operator)
    person = factory.user("company", name="=HYPERLINK(1)")
    services.register(event.id, person)
    db.session.commit()
    login(operator)
    text = client.get(f"/events/{event.id}/checkin.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_demo_catalogue_has_events_and_an_expert(client):
    from marketplace.demo import services as demo
    from marketplace.events.models import Expert

    demo.load_demo()
    db.session.commit()
    page = client.get("/events/").get_data(as_text=True)
    assert "稀土新材料与先进制造专场" in page and "筹备中" not in page  # the draft stays hidden
    assert "中医药科技成果发布会" in client.get("/events/?when=past").get_data(as_text=True)
    assert "稀土新材料与先进制造专场" in client.get("/").get_data(as_text=True)
    assert db.session.execute(db.select(Expert)).scalar_one().user.email == "expert@demo.jxtm.cn"
