"""Brokers: operators give the role and assign one to an inquiry; the broker reads it, writes and moves the deal;
other brokers read nothing."""

from marketplace.extensions import db
from marketplace.inquiries import services

FORM = {
    "cooperation_mode": "transfer",
    "budget_range": "from_50",
    "timeline": "within_3m",
    "message": "希望洽谈技术转让，请联系。",
}


def test_an_assigned_broker_follows_the_deal(client, factory, login):
    researcher = factory.user("researcher")
    ach = factory.listing("achievement", owner=researcher, title="中药配方颗粒工艺")
    company = factory.user("company")
    inquiry, _ = services.send_inquiry(company, ach, dict(FORM))
    services.decide(inquiry, researcher, "accept")
    broker, outsider = factory.user("researcher", name="赵经纪"), factory.user("researcher")
    db.session.commit()

    operator = factory.user("operator")
    login(operator)
    assert client.post(f"/ops/brokers/{broker.id}").status_code == 302
    client.post(f"/ops/brokers/{outsider.id}")
    assert "赵经纪" in client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)  # offered in the list
    assert client.post(f"/inquiries/{inquiry.id}/broker", data={"broker_id": broker.id}).status_code == 302
    db.session.refresh(inquiry)
    assert inquiry.broker_id == broker.id

    login(outsider)  # a broker, but not this inquiry's
    assert client.get(f"/inquiries/{inquiry.id}").status_code == 403
    login(broker)
    assert "中药配方颗粒工艺" in client.get("/inbox").get_data(as_text=True)
    assert "被指派为" in client.get("/notifications/").get_data(as_text=True)
    client.post(f"/inquiries/{inquiry.id}/messages", data={"body": "我是本次对接的技术经纪人。"})
    client.post(f"/inquiries/{inquiry.id}/deal", data={"action": "agree", "seen_stage": "negotiating"})
    db.session.refresh(inquiry)
    assert inquiry.stage == "agreed"
    login(researcher)
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "我是本次对接的技术经纪人。" in page and "指派技术经纪人" in page
    login(company)
    assert client.post(f"/inquiries/{inquiry.id}/broker", data={"broker_id": broker.id}).status_code == 403
