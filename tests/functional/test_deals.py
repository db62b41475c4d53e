"""The deal pipeline: transitions (allowed and forbidden), the contract at 登记 (exact amounts, validated dates),
the same history for both sides, operators' logged corrections, and one winner for concurrent moves."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.inquiries import deals, services
from marketplace.inquiries.models import Inquiry, InquiryEvent

FORM = {
    "cooperation_mode": "transfer",
    "budget_range": "from_50",
    "timeline": "within_3m",
    "message": "希望洽谈技术转让，请联系。",
}
CONTRACT = {
    "contract_type": "transfer",
    "amount_wan": "120.50",
    "signed_on": "2026-10-01",
    "registration_number": "2026360100001234",
    "registry": "江西省技术市场管理办公室",
}


@pytest.fixture
def deal(factory):
    researcher = factory.user("researcher")
    ach = factory.listing("achievement", owner=researcher, title="钨基硬质合金刀具")
    company = factory.user("company")
    inquiry, _ = services.send_inquiry(company, ach, dict(FORM))
    services.decide(inquiry, researcher, "accept")
    db.session.commit()
    return researcher, company, inquiry


def _move(client, inquiry, action, seen, **extra):
    return client.post(
        f"/inquiries/{inquiry.id}/deal", data={"action": action, "seen_stage": seen, **extra}, follow_redirects=True
    ).get_data(as_text=True)


def test_the_deal_goes_to_registered_and_both_sides_see_the_same_history(client, factory, login, deal):
    researcher, company, inquiry = deal
    assert inquiry.stage == "negotiating"
    login(company)
    _move(client, inquiry, "agree", "negotiating")
    login(researcher)
    _move(client, inquiry, "sign", "agreed")
    page = _move(client, inquiry, "register", "signed", **{**CONTRACT, "amount_wan": "abc"})
    assert "请填写数字金额" in page
    future = (date.today() + timedelta(days=30)).isoformat()
    assert "签订日期不能晚于今天" in _move(client, inquiry, "register", "signed", **{**CONTRACT, "signed_on": future})
    assert "登记时请填写" in _move(client, inquiry, "register", "signed", contract_type="transfer")
    page = _move(client, inquiry, "register", "signed", **CONTRACT)
    db.session.refresh(inquiry)
    assert inquiry.stage == "registered" and inquiry.amount_wan == Decimal("120.50")
    assert isinstance(inquiry.amount_wan, Decimal) and inquiry.signed_on == date(2026, 10, 1)
    assert "2026360100001234" in page and "120.50 万元" in page
    owner_history = page[page.index('id="history"') :]
    login(company)
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert page[page.index('id="history"') :] == owner_history
    assert all(s in owner_history for s in ("交易进展：意向达成", "交易进展：签约", "交易进展：已登记"))
    assert "交易进展" in client.get("/notifications/").get_data(as_text=True)


def test_forbidden_moves_are_refused_and_change_nothing(client, factory, login, deal):
    researcher, company, inquiry = deal
    login(company)
    assert "不能执行此操作" in _move(client, inquiry, "sign", "negotiating")  # skipping 意向达成
    assert "不能执行此操作" in _move(client, inquiry, "register", "negotiating", **CONTRACT)
    assert "请填写原因" in _move(client, inquiry, "terminate", "negotiating")
    _move(client, inquiry, "terminate", "negotiating", reason="预算不足")
    db.session.refresh(inquiry)
    assert inquiry.stage == "terminated"
    assert "不能执行此操作" in _move(client, inquiry, "agree", "terminated")  # nothing after 终止
    assert client.post(f"/inquiries/{inquiry.id}/deal", data={"action": "publish"}).status_code == 400
    login(factory.user("company"))
    assert client.post(f"/inquiries/{inquiry.id}/deal", data={"action": "agree"}).status_code == 403
    login(researcher)
    assert "预算不足" in client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    actions = [e.action for e in services.events_of(inquiry)]
    assert actions == ["send", "accept", "terminate"]


def test_operators_correct_a_deal_and_the_correction_is_logged(client, factory, login, deal):
    researcher, company, inquiry = deal
    login(company)
    assert client.post(f"/inquiries/{inquiry.id}/deal/correct", data={"stage": "signed"}).status_code == 403
    login(factory.user("operator"))
    page = client.post(
        f"/inquiries/{inquiry.id}/deal/correct", data={"stage": "registered", **CONTRACT}, follow_redirects=True
    ).get_data(as_text=True)
    assert "更正时请填写原因" in page
    client.post(
        f"/inquiries/{inquiry.id}/deal/correct",
        data={"stage": "registered", **CONTRACT, "reason": "双方线下已登记，补录"},
    )
    db.session.refresh(inquiry)
    assert inquiry.stage == "registered" and inquiry.registration_number == "2026360100001234"
    event = db.session.execute(db.select(InquiryEvent).filter_by(action="correct")).scalar_one()
    assert event.reason == "双方线下已登记，补录" and event.data["before"]["stage"] == "negotiating"
    assert event.data["after"]["amount_wan"] == "120.50"
    login(researcher)
    assert "运营人员更正了交易信息" in client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)


def test_concurrent_stage_changes_have_exactly_one_winner(app, deal):
    researcher, company, inquiry = deal
    inquiry_id, user_ids = inquiry.id, [researcher.id, company.id, researcher.id, company.id]
    db.session.commit()  # (reading an attribute now would open a transaction holding SQLite's write lock)
    barrier = threading.Barrier(len(user_ids))
    outcomes = []

    def run(user_id, action):
        with app.app_context():
            from marketplace.accounts.models import User

            target, user = db.session.get(Inquiry, inquiry_id), db.session.get(User, user_id)
            db.session.commit()
            barrier.wait()
            try:
                deals.move(target, user, action, "negotiating", reason="不合适")
                db.session.commit()
                outcomes.append(action)
            except services.InquiryError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    actions = ["agree", "terminate", "agree", "terminate"]
    threads = [threading.Thread(target=run, args=args) for args in zip(user_ids, actions, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("refused") == 3
    winner = next(o for o in outcomes if o != "refused")
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry_id).stage == {"agree": "agreed", "terminate": "terminated"}[winner]
    moves = db.session.execute(
        db.select(db.func.count(InquiryEvent.id)).where(InquiryEvent.action.in_(("agree", "terminate")))
    ).scalar()
    assert moves == 1
