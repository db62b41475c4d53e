"""Personal information (PIPL): consent at registration, the policy and collection list, download my data,
account deletion."""

import io
import json

import pytest
from openpyxl import load_workbook

from marketplace.accounts.models import AuthSession, User
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from marketplace.matching.models import SavedSearch
from marketplace.notifications.models import Notification
from marketplace.privacy.models import AccountDeletion, PolicyConsent

PASSWORD = "correct horse battery"
NEW_PASSWORD = "赣江边的一棵老樟树"


def _registration(**overrides):
    data = {
        "email": "zhangsan@example.cn",
        "name": "张三",
        "phone": "",
        "role": "researcher",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "org_choice": "new",
        "org_name": "南昌测试大学",
        "org_type": "university",
        "region": "nanchang",
        "credit_code": "",
        "existing_org_name": "",
        "accept_privacy": "y",
    }
    data.update(overrides)
    return data


def _count(model):
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_registration_without_consent_is_refused_in_chinese_and_saves_nothing(client):
    form = _registration()
    del form["accept_privacy"]
    resp = client.post("/account/register", data=form)
    assert resp.status_code == 200 and "请阅读并同意《隐私政策》后再注册。" in resp.get_data(as_text=True)
    assert _count(User) == 0 and _count(PolicyConsent) == 0


def test_registration_records_the_consent_version_time_and_user(client, app):
    page = client.get("/account/register").get_data(as_text=True)
    assert 'href="/privacy"' in page and "我已阅读并同意《隐私政策》" in page
    client.post("/account/register", data=_registration())
    user = db.session.execute(db.select(User)).scalar_one()
    consent = db.session.execute(db.select(PolicyConsent)).scalar_one()
    assert consent.user_id == user.id and consent.policy_version == app.config["PRIVACY_POLICY_VERSION"]
    assert consent.accepted_at is not None
    assert db.session.execute(db.select(AuditEvent).filter_by(event="privacy.consent")).scalar_one().actor_id == user.id


def test_policy_in_chinese_and_english_with_its_version(client, app):
    page = client.get("/privacy").get_data(as_text=True)
    assert "隐私政策" in page and "个人信息保护法" in page and app.config["PRIVACY_POLICY_VERSION"] in page
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "Privacy policy" in page and "Personal Information Protection Law" in page


def test_collection_list_says_what_is_collected_and_why(client):
    page = client.get("/privacy/collection").get_data(as_text=True)
    for text in ("个人信息收集清单", "邮箱", "登录账号、找回密码", "安全审计日志", "至少保存 180 天", "营业执照"):
        assert text in page


def test_footer_and_account_menu_link_to_privacy(client, factory, login):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in page and 'href="/privacy/collection"' in page
    login(factory.user())
    assert 'href="/account/privacy"' in client.get("/account/profile").get_data(as_text=True)


@pytest.fixture
def person(factory, login):
    """A researcher with a listing, a saved search, a follow, a notification and a signed-in browser."""
    from marketplace.matching import alerts

    user = factory.user(email="li@example.cn", name="李四", phone="0791-1234567")
    listing = factory.listing(
        "achievement", owner=user, contact_email="li@example.cn", contact_name="李四", contact_phone="0791-1234567"
    )
    other = factory.listing("need")
    alerts.save_search(user, "石墨烯", {})
    alerts.toggle_follow(user, other)
    db.session.add(
        Notification(
            user_id=user.id,
            kind="match_follow",
            params={"followed": "x", "title": listing.title},
            listing_id=listing.id,
            dedupe_key=f"follow:{other.id}:{listing.id}",
        )
    )
    db.session.commit()
    login(user)
    return user, listing


def test_download_my_data_as_json_has_everything_about_me(client, person, factory):
    user, listing = person
    stranger = factory.user(email="stranger@example.cn")
    factory.listing("achievement", owner=stranger, title="别人的成果")
    resp = client.get("/account/privacy/data.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(resp.get_data())
    sections = data["sections"]
    assert sections["account"][0]["email"] == "li@example.cn" and sections["account"][0]["phone"] == "0791-1234567"
    assert sections["organisation"][0]["organisation"] == user.organisation.name
    assert [item["id"] for item in sections["listings"]] == [listing.id]
    assert sections["saved_searches"][0]["query"] == "石墨烯"
    assert len(sections["follows"]) == 1 and len(sections["notifications"]) == 1
    assert len(sections["sessions"]) == 1
    text = resp.get_data(as_text=True)
    token = db.session.execute(db.select(AuthSession.token).filter_by(user_id=user.id)).scalar_one()
    assert token not in text and "password" not in text and user.password_hash not in text
    assert "stranger@example.cn" not in text and "别人的成果" not in text
    # the download itself is recorded, and the next download shows it under "audit entries about me"
    again = json.loads(client.get("/account/privacy/data.json").get_data())
    assert [e["event"] for e in again["sections"]["audit_log"]] == ["account.data_export"]


def test_download_my_data_as_xlsx_has_a_sheet_per_kind(client, person):
    resp = client.get("/account/privacy/data.xlsx")
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.get_data()))
    for sheet in (
        "account",
        "organisation",
        "listings",
        "saved_searches",
        "follows",
        "notifications",
        "sessions",
        "audit_log",
    ):
        assert sheet in book.sheetnames
    account = list(book["account"].values)
    assert account[0][1] == "email" and account[1][1] == "li@example.cn"
    assert client.get("/account/privacy/data.csv").status_code == 404


def test_deleting_needs_the_password_and_a_confirmation(client, person):
    user, _ = person
    resp = client.post("/account/privacy/delete", data={"password": "wrong", "understood": "y"})
    assert resp.status_code == 400 and "当前密码不正确" in resp.get_data(as_text=True)
    resp = client.post("/account/privacy/delete", data={"password": PASSWORD})
    assert resp.status_code == 400 and "请勾选确认后再注销" in resp.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "li@example.cn" and not user.is_disabled and _count(AccountDeletion) == 0


def test_deleting_erases_personal_data_ends_sessions_and_keeps_the_listing(client, person, app, login):
    user, listing = person
    other_browser = app.test_client()
    login(user, other_browser)
    resp = client.post("/account/privacy/delete", data={"password": PASSWORD, "understood": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.name == "已注销用户" and user.phone is None and "li@example.cn" != user.email
    assert user.email.endswith("@deleted.invalid") and user.is_disabled
    assert _count(AuthSession) == 0 and _count(SavedSearch) == 0 and _count(Notification) == 0
    # every browser is signed out
    assert client.get("/account/profile").status_code == 302
    assert other_browser.get("/account/profile").status_code == 302
    # the organisation keeps its published listing, without the person's contact details
    kept = db.session.get(type(listing), listing.id)
    assert kept.status == "published" and kept.organisation_id == user.organisation_id
    assert (kept.contact_email, kept.contact_name, kept.contact_phone) == (None, None, None)
    assert client.get(f"/achievements/{listing.id}").status_code == 200
    # the old e-mail and password no longer sign anyone in
    client.post("/account/login", data={"email": "li@example.cn", "password": PASSWORD})
    assert client.get("/account/profile").status_code == 302
    assert db.session.execute(db.select(AuditEvent).filter_by(event="account.delete")).scalar_one().outcome == "success"


def test_the_last_operator_cannot_delete_their_account(client, factory, login):
    operator = factory.user("operator", email="ops@example.cn")
    login(operator)
    resp = client.post("/account/privacy/delete", data={"password": PASSWORD, "understood": "y"}, follow_redirects=True)
    assert "唯一的运营人员" in resp.get_data(as_text=True)
    db.session.refresh(operator)
    assert operator.email == "ops@example.cn" and not operator.is_disabled
    denied = db.session.execute(db.select(AuditEvent).filter_by(event="account.delete")).scalar_one()
    assert denied.outcome == "denied"
    factory.user("operator")
    client.post("/account/privacy/delete", data={"password": PASSWORD, "understood": "y"})
    db.session.refresh(operator)
    assert operator.is_disabled and operator.email.endswith("@deleted.invalid")


def test_accounts_without_consent_to_the_current_version_can_accept_it(client, factory, login, app):
    user = factory.user()
    login(user)
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "您尚未同意" in page
    client.post("/account/privacy/consent")
    client.post("/account/privacy/consent")  # twice: recorded once
    consents = db.session.execute(db.select(PolicyConsent).filter_by(user_id=user.id)).scalars().all()
    assert [c.policy_version for c in consents] == [app.config["PRIVACY_POLICY_VERSION"]]
    page = client.get("/account/privacy").get_data(as_text=True)
    assert "您尚未同意" not in page and app.config["PRIVACY_POLICY_VERSION"] in page


def test_operators_cannot_enable_a_deleted_account_again(client, person, factory, login):
    user, _ = person
    client.post("/account/privacy/delete", data={"password": PASSWORD, "understood": "y"})
    login(factory.user("operator"))
    resp = client.post(f"/ops/users/{user.id}/enable", follow_redirects=True)
    assert "已由本人注销" in resp.get_data(as_text=True)
    db.session.refresh(user)
    assert user.is_disabled
