"""Expressions of interest with consent: who may send, the daily limit, accept/decline, contact details only
after acceptance (pages, e-mails, notifications), and one winner for concurrent decisions."""

import threading

import pytest

from marketplace.extensions import db
from marketplace.inquiries import services
from marketplace.inquiries.models import Inquiry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "cooperation_mode": "license",
    "budget_range": "from_200",
    "timeline": "within_6m",
    "message": "我们希望获得该技术的许可，用于智能水表量产。",
}


def _outbox(app):
    from marketplace.mail import message_summary, outbox_names, read_outbox_message

    folder = app.config["OUTBOX_DIR"]
    return [message_summary(read_outbox_message(folder, n)) for n in outbox_names(folder)]


@pytest.fixture
def pair(factory):
    """A researcher's published achievement (with its own contact block) and a company with a published need."""
    researcher = factory.user("researcher", name="李研究员", phone="0791-88880001", email="li.prof@ncu.example.cn")
    ach = factory.listing(
        "achievement",
        owner=researcher,
        title="NB-IoT 低功耗水表模组",
        contact_name="李研究员",
        contact_phone="0791-88880001",
        contact_email="li.prof@ncu.example.cn",
    )
    company = factory.user("company", name="王经理", phone="13900001111", email="wang@yingtan-iot.example.cn")
    need = factory.listing("need", owner=company, title="寻求低功耗水表方案")
    return researcher, ach, company, need


SECRETS_OF_RESEARCHER = ("李研究员", "0791-88880001", "li.prof@ncu.example.cn")
SECRETS_OF_COMPANY = ("王经理", "13900001111", "wang@yingtan-iot.example.cn")


def _page(client, url):
    return client.get(url).get_data(as_text=True)


def test_contact_details_appear_only_after_acceptance(app, client, factory, login, pair):
    researcher, ach, company, need = pair
    login(company)
    resp = client.post(f"/inquiries/new/{ach.id}?origin=suggestion&from={need.id}", data=FORM)
    assert resp.status_code == 302
    inquiry = db.session.execute(db.select(Inquiry)).scalar_one()
    assert (inquiry.origin, inquiry.origin_listing_id, inquiry.kind) == ("suggestion", need.id, "cooperation")

    # Before acceptance: no contact details anywhere either side can see.
    sender_views = [
        _page(client, f"/inquiries/{inquiry.id}"),
        _page(client, "/inbox"),
        _page(client, f"/achievements/{ach.id}"),
        _page(client, "/notifications/"),
    ]
    login(researcher)
    owner_views = [
        _page(client, f"/inquiries/{inquiry.id}"),
        _page(client, "/inbox?box=received"),
        _page(client, "/notifications/"),
    ]
    mails = [m["body"] + m["subject"] for m in _outbox(app)]
    assert len(mails) == 1 and "收到一条新的合作意向" in mails[0]
    for text in sender_views:
        assert not any(s in text for s in SECRETS_OF_RESEARCHER)
    for text in owner_views + mails:
        assert not any(s in text for s in SECRETS_OF_COMPANY)
    assert "我们希望获得该技术的许可" in owner_views[0] and company.organisation.name in owner_views[0]

    resp = client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "accept"})
    assert resp.status_code == 302
    owner_page = _page(client, f"/inquiries/{inquiry.id}")
    assert all(s in owner_page for s in SECRETS_OF_COMPANY)
    login(company)
    sender_page = _page(client, f"/inquiries/{inquiry.id}")
    assert all(s in sender_page for s in SECRETS_OF_RESEARCHER)
    assert "已被接受" in _page(client, "/notifications/")
    # The e-mail about the acceptance carries no contact details either: they are on the page behind sign-in.
    assert not any(s in m["body"] for m in _outbox(app) for s in SECRETS_OF_RESEARCHER + SECRETS_OF_COMPANY)


def test_decline_needs_a_reason_that_the_sender_sees(client, factory, login, pair):
    researcher, ach, company, _need = pair
    login(company)
    client.post(f"/inquiries/new/{ach.id}", data=FORM)
    inquiry = db.session.execute(db.select(Inquiry)).scalar_one()
    login(researcher)
    page = client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "decline"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "请填写原因" in page
    client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "decline", "reason": "该技术已独家许可给他人"})
    login(company)
    page = _page(client, f"/inquiries/{inquiry.id}")
    assert "已婉拒" in page and "该技术已独家许可给他人" in page
    assert not any(s in page for s in SECRETS_OF_RESEARCHER)
    # The sender may send a new interest after a decline; a second decision on the old one is refused.
    assert "发送合作意向" in _page(client, f"/achievements/{ach.id}")
    login(researcher)
    page = client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "accept"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "该意向已经答复过了" in page


def test_who_may_send_what(client, factory, login, pair):
    researcher, ach, company, need = pair
    login(factory.user("researcher"))
    assert client.get(f"/inquiries/new/{ach.id}").status_code == 403  # researchers answer needs, not achievements
    assert client.post(f"/inquiries/new/{need.id}", data=FORM).status_code == 302
    login(researcher)
    assert client.get(f"/inquiries/new/{ach.id}").status_code == 403  # own listing
    investor = factory.user("investor")
    login(investor)
    page = _page(client, f"/achievements/{ach.id}")
    assert "发送投资意向" in page
    client.post(f"/inquiries/new/{ach.id}", data=FORM)
    sent = db.session.execute(db.select(Inquiry).filter_by(sender_id=investor.id)).scalar_one()
    assert sent.kind == "investment"
    assert "您已对该条目发送过意向" in _page(client, f"/inquiries/new/{ach.id}")
    unverified = factory.user("company", org=factory.org("enterprise", verified=False))
    login(unverified)
    page = client.post(f"/inquiries/new/{ach.id}", data=FORM).get_data(as_text=True)
    assert "通过实名认证后才能发送意向" in page
    assert db.session.execute(db.select(db.func.count(Inquiry.id))).scalar() == 2


def test_daily_limit_keeps_what_the_user_wrote(app, client, factory, login):
    app.config["INQUIRY_DAILY_LIMIT"] = 2
    company = factory.user("company")
    listings = [factory.listing("achievement") for _ in range(3)]
    login(company)
    for listing in listings[:2]:
        assert client.post(f"/inquiries/new/{listing.id}", data=FORM).status_code == 302
    resp = client.post(f"/inquiries/new/{listings[2].id}", data={**FORM, "message": "第三条意向的详细说明文字。"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 429
    assert "达到每日上限" in page and "第三条意向的详细说明文字。" in page
    assert db.session.execute(db.select(db.func.count(Inquiry.id))).scalar() == 2


def test_bad_attachment_is_refused_and_the_form_keeps_its_content(client, factory, login, pair):
    _researcher, ach, company, _need = pair
    login(company)
    from io import BytesIO

    data = {**FORM, "attachments": [(BytesIO(b"MZ not a pdf"), "方案.pdf")]}
    resp = client.post(f"/inquiries/new/{ach.id}", data=data, content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "不是有效的 PDF" in page and FORM["message"] in page
    data = {**FORM, "attachments": [(BytesIO(PDF), "方案.pdf")]}
    assert client.post(f"/inquiries/new/{ach.id}", data=data, content_type="multipart/form-data").status_code == 302
    inquiry = db.session.execute(db.select(Inquiry)).scalar_one()
    assert [a.original_name for a in inquiry.attachments] == ["方案.pdf"]


def test_only_parties_and_operators_read_an_inquiry(client, factory, login, pair):
    researcher, ach, company, _need = pair
    login(company)
    client.post(f"/inquiries/new/{ach.id}", data=FORM)
    inquiry = db.session.execute(db.select(Inquiry)).scalar_one()
    login(factory.user("company"))
    assert client.get(f"/inquiries/{inquiry.id}").status_code == 403
    assert client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "accept"}).status_code == 403
    login(company)  # the sender cannot accept their own inquiry
    assert client.post(f"/inquiries/{inquiry.id}/decide", data={"decision": "accept"}).status_code == 403
    login(factory.user("operator"))
    assert client.get(f"/inquiries/{inquiry.id}").status_code == 200
    assert client.get("/inquiries/987654").status_code == 404


def _race(app, inquiry_id, user_id, actions):
    """Run each action (accept / decline) in its own thread, session and transaction; returns the outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        with app.app_context():
            from marketplace.accounts.models import User

            inquiry = db.session.get(Inquiry, inquiry_id)
            user = db.session.get(User, user_id)
            db.session.commit()  # start the decision in a fresh transaction, as a request would
            barrier.wait()
            try:
                services.decide(inquiry, user, action, "不合适" if action == "decline" else None)
                db.session.commit()
                outcomes.append(action)
            except services.InquiryError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_concurrent_decisions_have_exactly_one_winner(app, factory, pair):
    researcher, ach, company, _need = pair
    inquiry, _ = services.send_inquiry(company, ach, dict(FORM))
    inquiry_id, researcher_id = inquiry.id, researcher.id
    db.session.commit()  # (reading an attribute now would open a transaction that holds SQLite's write lock)
    outcomes = _race(app, inquiry_id, researcher_id, ["accept", "decline", "accept", "decline"])
    assert sorted(outcomes).count("refused") == 3
    db.session.expire_all()
    final = db.session.get(Inquiry, inquiry_id)
    assert final.status == {"accept": "accepted", "decline": "declined"}[next(o for o in outcomes if o != "refused")]
    events = [e.action for e in services.events_of(final)]
    assert events.count("accept") + events.count("decline") == 1


def test_after_sending_each_page_links_to_the_open_inquiry_and_other_listings_still_offer_one(
    client, factory, login, pair
):
    researcher, ach, company, need = pair
    other = factory.listing("achievement", owner=researcher, title="NB-IoT 智能燃气表模组")
    login(company)
    assert client.post(f"/inquiries/new/{ach.id}", data=FORM).status_code == 302
    inquiry = db.session.execute(db.select(Inquiry)).scalar_one()
    for url in (f"/achievements/{ach.id}", "/search/?q=NB-IoT"):
        page = _page(client, url)
        assert f'href="/inquiries/{inquiry.id}"' in page and "查看我的意向" in page
    assert f"/inquiries/new/{other.id}" in page  # the search page: one query, each listing its own link
