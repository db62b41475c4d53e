"""Abuse control: blocking stops inquiries and messages; reports reach the operators' queue, who hide, warn,
disable or dismiss; the daily limit is in test_inquiries."""

from marketplace.extensions import db
from marketplace.inquiries import services
from marketplace.inquiries.models import Message, Report
from marketplace.notifications.models import Notification

FORM = {
    "cooperation_mode": "transfer",
    "budget_range": "from_50",
    "timeline": "within_3m",
    "message": "希望洽谈技术转让，请联系。",
}


def _accepted(factory):
    researcher = factory.user("researcher")
    ach = factory.listing("achievement", owner=researcher, title="智能电表芯片")
    company = factory.user("company")
    inquiry, _ = services.send_inquiry(company, ach, dict(FORM))
    services.decide(inquiry, researcher, "accept")
    db.session.commit()
    return researcher, company, ach, inquiry


def test_blocking_stops_messages_and_new_inquiries(client, factory, login):
    researcher, company, _ach, inquiry = _accepted(factory)
    login(researcher)
    assert client.post(f"/inquiries/{inquiry.id}/block").status_code == 302
    login(company)
    resp = client.post(f"/inquiries/{inquiry.id}/messages", data={"body": "请回复我。"})
    assert (
        resp.status_code == 422
        and "屏蔽" in resp.get_data(as_text=True)
        and "请回复我。" in resp.get_data(as_text=True)
    )
    other = factory.listing("achievement", owner=researcher)
    page = client.post(f"/inquiries/new/{other.id}", data=FORM).get_data(as_text=True)
    assert "您无法向该条目的发布者发送意向" in page
    login(researcher)
    client.post(f"/inquiries/{inquiry.id}/block")  # unblock
    login(company)
    assert client.post(f"/inquiries/{inquiry.id}/messages", data={"body": "你好"}).status_code == 302


def test_reports_are_resolved_from_the_queue(client, factory, login):
    researcher, company, ach, inquiry = _accepted(factory)
    login(company)
    client.post(f"/inquiries/{inquiry.id}/messages", data={"body": "加我微信，私下交易更便宜。"})
    message = db.session.execute(db.select(Message)).scalar_one()
    login(researcher)
    assert client.post(f"/reports/message/{message.id}", data={"reason": "诱导线下交易"}).status_code == 302
    page = client.post(f"/reports/message/{message.id}", data={"reason": "再次"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "您已举报过该内容" in page
    reporter = factory.user("company")
    login(reporter)
    assert "请说明举报的原因" in client.post(
        f"/reports/listing/{ach.id}", data={"reason": ""}, follow_redirects=True
    ).get_data(as_text=True)
    client.post(f"/reports/listing/{ach.id}", data={"reason": "成果信息不实"})
    login(factory.user("company"))
    assert client.post(f"/reports/message/{message.id}", data={"reason": "x"}).status_code == 403  # not a reader

    operator = factory.user("operator")
    login(operator)
    page = client.get("/ops/reports").get_data(as_text=True)
    assert "诱导线下交易" in page and "成果信息不实" in page
    msg_report, listing_report = db.session.execute(db.select(Report).order_by(Report.id)).scalars().all()
    client.post(f"/ops/reports/{msg_report.id}/resolve", data={"resolution": "hide", "note": "违反交易规则"})
    client.post(f"/ops/reports/{listing_report.id}/resolve", data={"resolution": "hide", "note": "信息不实"})
    page = client.post(
        f"/ops/reports/{msg_report.id}/resolve", data={"resolution": "dismiss"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "该举报已处理" in page
    db.session.refresh(ach)
    assert ach.status == "withdrawn"
    login(researcher)
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "此消息已被运营人员隐藏" in page and "加我微信" not in page


def test_warn_and_disable(client, factory, login):
    _researcher, company, _ach, inquiry = _accepted(factory)
    login(company)
    client.post(f"/inquiries/{inquiry.id}/messages", data={"body": "广告"})
    message = db.session.execute(db.select(Message)).scalar_one()
    for reason in ("广告一", "广告二"):
        db.session.add(
            Report(reporter_id=inquiry.recipient_id, target_type="message", message_id=message.id, reason=reason)
        )
    db.session.commit()
    first, second = db.session.execute(db.select(Report).order_by(Report.id)).scalars().all()
    login(factory.user("operator"))
    client.post(f"/ops/reports/{first.id}/resolve", data={"resolution": "warn", "note": "请勿发布广告"})
    note = db.session.execute(
        db.select(Notification).filter_by(user_id=company.id, kind="moderation_warning")
    ).scalar_one()
    assert note.params["reason"] == "请勿发布广告"
    client.post(f"/ops/reports/{second.id}/resolve", data={"resolution": "disable"})
    db.session.refresh(company)
    assert company.is_disabled
