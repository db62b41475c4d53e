"""The data download includes the user's inquiries, the messages they wrote, their NDA signatures, their deals
and follow-ups, and never the other side's contact details."""

import json

from test_analytics import CONTRACT, FORM

from marketplace.extensions import db
from marketplace.inquiries import deals, nda, services, threads
from marketplace.inquiries.models import NdaRequirement


def test_download_has_my_inquiries_messages_nda_and_deals(client, factory, login):
    researcher = factory.user("researcher", phone="13911112222", email="owner@example.cn")
    ach = factory.listing("achievement", owner=researcher, title="稀土永磁回收工艺")
    db.session.add(NdaRequirement(listing_id=ach.id, set_by_id=researcher.id))
    company = factory.user("company", phone="13833334444", email="buyer@example.cn")
    nda.sign(company, ach, "127.0.0.1")
    inquiry, _ = services.send_inquiry(company, ach, dict(FORM))
    services.decide(inquiry, researcher, "accept")
    threads.post_message(inquiry, company, "请提供样品测试报告。", ())
    threads.post_message(inquiry, researcher, "好的，下周寄出。", ())
    for action, seen in (("agree", "negotiating"), ("sign", "agreed")):
        deals.move(inquiry, company, action, seen)
    deals.move(inquiry, company, "register", "signed", contract=CONTRACT)
    db.session.commit()

    login(company)
    data = json.loads(client.get("/account/privacy/data.json").get_data())
    sections = data["sections"]
    assert [(i["listing"], i["my_role"], i["status"]) for i in sections["inquiries"]] == [
        ("稀土永磁回收工艺", "sender", "accepted")
    ]
    assert [m["body"] for m in sections["inquiry_messages"]] == ["请提供样品测试报告。"]  # mine only
    assert [s["listing_id"] for s in sections["nda_signatures"]] == [ach.id]
    assert [(d["stage"], d["amount_wan"], d["registration_number"]) for d in sections["deals"]] == [
        ("registered", "88.80", CONTRACT["registration_number"])
    ]
    text = json.dumps(data, ensure_ascii=False)
    assert "13911112222" not in text and "owner@example.cn" not in text and "好的，下周寄出" not in text

    login(researcher)
    sections = json.loads(client.get("/account/privacy/data.json").get_data())["sections"]
    assert [i["my_role"] for i in sections["inquiries"]] == ["recipient"]
    assert sections["nda_signatures"] == [] and [d["stage"] for d in sections["deals"]] == ["registered"]
    assert client.get("/account/privacy/data.xlsx").status_code == 200
