"""The conversation of an accepted inquiry: messages with files, unread counts, read receipts, the inbox."""

from io import BytesIO

from marketplace.extensions import db
from marketplace.inquiries import services
from marketplace.inquiries.models import InquiryAttachment, Message

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "cooperation_mode": "transfer",
    "budget_range": "from_50",
    "timeline": "within_3m",
    "message": "希望洽谈技术转让，请联系。",
}


def _accepted(factory):
    researcher = factory.user("researcher")
    ach = factory.listing("achievement", owner=researcher, title="稀土永磁材料")
    company = factory.user("company")
    inquiry, _ = services.send_inquiry(company, ach, dict(FORM))
    services.decide(inquiry, researcher, "accept")
    db.session.commit()
    return researcher, company, inquiry


def test_messages_with_files_unread_counts_and_read_receipts(client, factory, login):
    researcher, company, inquiry = _accepted(factory)
    login(company)
    resp = client.post(
        f"/inquiries/{inquiry.id}/messages",
        content_type="multipart/form-data",
        data={"body": "附上我们的技术需求说明。", "attachments": [(BytesIO(PDF), "需求说明.pdf")]},
    )
    assert resp.status_code == 302
    client.post(f"/inquiries/{inquiry.id}/messages", data={"body": "期待回复。"})
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert page.count("未读") >= 2  # receipts of the sender's own messages

    login(researcher)
    nav = client.get("/inbox").get_data(as_text=True)
    assert "2 条未读消息" in nav
    notes = client.get("/notifications/").get_data(as_text=True)
    assert notes.count("的洽谈有新消息") == 1  # one alert until the thread is read
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "附上我们的技术需求说明。" in page and "需求说明.pdf" in page
    att = db.session.execute(db.select(InquiryAttachment).filter_by(original_name="需求说明.pdf")).scalar_one()
    assert client.get(f"/inquiries/files/{att.id}").data == PDF
    assert "条未读消息" not in client.get("/inbox").get_data(as_text=True)

    login(company)
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "已读" in page
    assert all(m.read_at is not None for m in db.session.execute(db.select(Message)).scalars())

    login(factory.user("company"))  # an outsider reads neither the thread nor its files
    assert client.get(f"/inquiries/files/{att.id}").status_code == 403
    assert client.post(f"/inquiries/{inquiry.id}/messages", data={"body": "你好"}).status_code == 403


def test_a_refused_message_keeps_what_was_written(client, factory, login):
    _researcher, company, inquiry = _accepted(factory)
    login(company)
    resp = client.post(
        f"/inquiries/{inquiry.id}/messages",
        content_type="multipart/form-data",
        data={"body": "这是一段很长的报价说明，请保留。", "attachments": [(BytesIO(b"GIF89a"), "x.pdf")]},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "这是一段很长的报价说明，请保留。" in page and "不是有效的 PDF" in page
    assert db.session.execute(db.select(db.func.count(Message.id))).scalar() == 0


def test_pending_inquiries_have_no_thread_and_operators_reading_do_not_mark_read(client, factory, login):
    researcher, company, inquiry = _accepted(factory)
    login(company)
    client.post(f"/inquiries/{inquiry.id}/messages", data={"body": "您好。"})
    login(factory.user("operator"))
    assert client.get(f"/inquiries/{inquiry.id}").status_code == 200
    assert db.session.execute(db.select(Message)).scalar_one().read_at is None
    ach2 = factory.listing("achievement", owner=researcher)
    pending, _ = services.send_inquiry(company, ach2, dict(FORM))
    db.session.commit()
    login(company)
    assert client.post(f"/inquiries/{pending.id}/messages", data={"body": "您好"}).status_code == 403
