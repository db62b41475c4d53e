"""1:1 meetings: requests, answers, the operator's schedule, personal agendas and .ics files."""

from datetime import datetime

from events_support import make_event
from icalendar import Calendar

from marketplace.events import meetings, services
from marketplace.events.models import MeetingRequest
from marketplace.extensions import db


def _setup(factory, n_people=3):
    operator = factory.user("operator")
    event = make_event(operator)
    people = [factory.user(role) for role in ("company", "investor", "researcher", "company")[:n_people]]
    for person in people:
        services.register(event.id, person)
    db.session.commit()
    return operator, event, people


def test_request_accept_schedule_agenda_and_ics(client, factory, login, app):
    operator, event, (company, investor, researcher) = _setup(factory)
    login(investor)
    page = client.get(f"/events/{event.id}/meetings").get_data(as_text=True)
    assert company.name in page and researcher.name in page
    client.post(f"/events/{event.id}/meetings/request", data={"recipient_id": company.id, "message": "想了解合作"})
    client.post(f"/events/{event.id}/meetings/request", data={"recipient_id": researcher.id})
    # asking twice is refused
    resp = client.post(f"/events/{event.id}/meetings/request", data={"recipient_id": company.id}, follow_redirects=True)
    assert "你们之间已有洽谈预约" in resp.get_data(as_text=True)
    to_company, to_researcher = (
        db.session.execute(db.select(MeetingRequest).order_by(MeetingRequest.id)).scalars().all()
    )
    # only the recipient answers
    assert (
        client.post(f"/events/{event.id}/meetings/{to_company.id}/respond", data={"answer": "accept"}).status_code
        == 403
    )
    login(company)
    client.post(f"/events/{event.id}/meetings/{to_company.id}/respond", data={"answer": "accept"})
    login(researcher)
    client.post(f"/events/{event.id}/meetings/{to_researcher.id}/respond", data={"answer": "decline"})
    # the company cannot meet in the first slot
    login(operator)
    client.post(
        f"/events/{event.id}/meetings/setup",
        data={
            "meetings_start": "2026-12-20T15:00",
            "slot_minutes": "20",
            "slot_count": "4",
            "tables": "2",
            "meeting_cap": "3",
        },
    )
    login(company)
    client.post(f"/events/{event.id}/meetings/availability", data={"unavailable": ["0"]})
    login(operator)
    resp = client.post(f"/events/{event.id}/meetings/schedule", follow_redirects=True)
    assert "已安排 1 场洽谈（上限 1）" in resp.get_data(as_text=True)
    db.session.expire_all()
    placed = db.session.get(MeetingRequest, to_company.id)
    assert placed.slot == 1 and placed.table_no == 1
    assert db.session.get(MeetingRequest, to_researcher.id).slot is None
    login(company)
    page = client.get(f"/events/{event.id}/meetings").get_data(as_text=True)
    assert "15:20–15:40" in page and investor.name in page
    resp = client.get(f"/events/{event.id}/agenda.ics")
    assert resp.mimetype == "text/calendar"
    cal = Calendar.from_ical(resp.data)
    vevents = cal.walk("VEVENT")
    assert len(vevents) == 2
    meeting = next(v for v in vevents if "meeting" in str(v["UID"]))
    start = meeting.decoded("DTSTART")
    assert str(start.tzinfo) == "Asia/Shanghai" and start.replace(tzinfo=None) == datetime(2026, 12, 20, 15, 20)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert investor.name in str(meeting["SUMMARY"])
    # everyone whose agenda changed was e-mailed the link
    from test_events_lineup import _outbox

    mails = _outbox(app)
    assert any(company.email in m and "洽谈日程已更新" in m and f"/events/{event.id}/meetings" in m for m in mails)


def test_only_confirmed_participants_meet(client, factory, login):
    operator, event, (company, investor) = _setup(factory, n_people=2)
    outsider = factory.user("investor")
    login(outsider)
    assert client.get(f"/events/{event.id}/meetings").status_code == 403
    assert client.post(f"/events/{event.id}/meetings/request", data={"recipient_id": company.id}).status_code == 403
    login(company)
    resp = client.post(
        f"/events/{event.id}/meetings/request", data={"recipient_id": outsider.id}, follow_redirects=True
    )
    assert "双方都需要是本活动已确认的参会者" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(MeetingRequest)).scalar() == 0


def test_cancelled_meeting_frees_the_slot_and_can_be_asked_again(factory):
    operator, event, (company, investor) = _setup(factory, n_people=2)
    m = meetings.request_meeting(event, company, investor)
    meetings.respond(m, investor, True)
    meetings.configure(event.id, event.starts_at, 20, 3, 1, 2)
    meetings.run_schedule(event.id)
    assert m.slot == 0
    meetings.cancel_meeting(m, investor)
    assert m.slot is None and m.status == "cancelled"
    again = meetings.request_meeting(event, company, investor)
    assert again.id == m.id and again.status == "pending"


def _ics_mails(app, email):
    """The .ics attachments of the e-mails sent to `email`, parsed, oldest first."""
    import os

    from marketplace.mail import read_outbox_message

    folder, out = app.config["OUTBOX_DIR"], []
    for name in sorted(os.listdir(folder)):
        msg = read_outbox_message(folder, name)
        if msg is None or email not in str(msg["To"]):
            continue
        for part in msg.iter_attachments():
            if part.get_filename().endswith(".ics"):
                out.append(Calendar.from_ical(part.get_payload(decode=True)))
    return out


def test_per_person_caps_and_the_ics_sent_with_each_change(client, factory, login, app):
    operator, event, (company, investor, researcher) = _setup(factory)
    for other in (company, researcher):
        meetings.respond(meetings.request_meeting(event, investor, other), other, True)
    db.session.commit()
    login(operator)
    settings = {"meetings_start": "2026-12-20T15:00", "slot_minutes": "20", "slot_count": "4", "tables": "2"}
    client.post(f"/events/{event.id}/meetings/setup", data={**settings, "meeting_cap": "3"})
    reg = services.registration_of(event.id, investor.id)
    # the investor may meet only once; a bad value is refused in Chinese and changes nothing
    resp = client.post(f"/events/{event.id}/meetings/caps", data={f"cap_{reg.id}": "两场"}, follow_redirects=True)
    assert "每人上限请填写整数" in resp.get_data(as_text=True)
    client.post(f"/events/{event.id}/meetings/caps", data={f"cap_{reg.id}": "1"})
    assert 'value="1" placeholder="3"' in client.get(f"/events/{event.id}/meetings/setup").get_data(as_text=True)
    client.post(f"/events/{event.id}/meetings/schedule")
    placed = db.session.execute(db.select(MeetingRequest).where(MeetingRequest.slot.is_not(None))).scalars().all()
    assert len(placed) == 1
    first = _ics_mails(app, investor.email)
    assert len(first) == 1
    meetings_in = [c for c in first[0].walk("VEVENT") if "meeting" in str(c["uid"])]
    assert len(meetings_in) == 1 and str(meetings_in[0]["dtstart"].params["TZID"]) == "Asia/Shanghai"
    # back to the event's cap: both meetings fit and the investor gets the new agenda
    client.post(f"/events/{event.id}/meetings/caps", data={f"cap_{reg.id}": ""})
    client.post(f"/events/{event.id}/meetings/schedule")
    latest = _ics_mails(app, investor.email)
    assert len(latest) == 2
    assert len([c for c in latest[-1].walk("VEVENT") if "meeting" in str(c["uid"])]) == 2
    # a cancelled placed meeting changes both agendas: each gets the .ics again
    login(company)
    m = db.session.execute(db.select(MeetingRequest).where(MeetingRequest.recipient_id == company.id)).scalar_one()
    client.post(f"/events/{event.id}/meetings/{m.id}/cancel")
    assert len(_ics_mails(app, investor.email)) == 3 and _ics_mails(app, company.email)
