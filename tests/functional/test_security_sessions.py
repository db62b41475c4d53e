"""Item 9: idle timeout and absolute lifetime of sessions, "my devices" (登录设备) with sign-out of each, and the
current password before changing the e-mail or the password (re-authentication, throttled like sign-in)."""

from datetime import timedelta

from marketplace.accounts.models import AuthSession, User
from marketplace.extensions import db
from marketplace.mail import message_summary, outbox_names, read_outbox_message
from marketplace.models_base import utcnow

PASSWORD = "correct horse battery"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0"


def _sign_in(client, email="li@example.cn", remember=False, ua=CHROME, ip="10.0.0.7"):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    resp = client.post("/account/login", data=data, headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": ip})
    assert resp.status_code == 302
    return db.session.execute(db.select(AuthSession).order_by(AuthSession.id.desc())).scalars().first()


def _age(auth_id, created=None, seen=None):
    auth = db.session.get(AuthSession, auth_id)
    if created is not None:
        auth.created_at = utcnow() - created
    if seen is not None:
        auth.last_seen_at = utcnow() - seen
    db.session.commit()


def _signed_in(client):
    return client.get("/account/profile").status_code == 200


def test_a_session_idle_for_31_minutes_is_signed_out(client, factory):
    factory.user(email="li@example.cn")
    auth = _sign_in(client)
    _age(auth.id, seen=timedelta(minutes=29))
    assert _signed_in(client)
    _age(auth.id, seen=timedelta(minutes=31))
    resp = client.get("/account/profile", follow_redirects=True)
    assert "/account/login" in resp.request.path
    assert "自动退出登录" in resp.get_data(as_text=True)


def test_the_idle_timeout_is_configurable(app, client, factory):
    app.config["SESSION_IDLE_TIMEOUT"] = 600
    factory.user(email="li@example.cn")
    auth = _sign_in(client)
    _age(auth.id, seen=timedelta(minutes=11))
    assert not _signed_in(client)


def test_an_active_session_ends_at_its_absolute_lifetime(client, factory):
    factory.user(email="li@example.cn")
    auth = _sign_in(client)
    _age(auth.id, created=timedelta(hours=13), seen=timedelta(minutes=1))
    assert not _signed_in(client)


def test_keep_me_signed_in_has_no_idle_timeout_but_ends_after_14_days(client, factory):
    factory.user(email="li@example.cn")
    auth = _sign_in(client, remember=True)
    _age(auth.id, created=timedelta(days=2), seen=timedelta(hours=20))
    assert _signed_in(client)
    _age(auth.id, created=timedelta(days=15))
    assert not _signed_in(client)


def test_using_a_session_records_when_it_was_last_seen(client, factory):
    factory.user(email="li@example.cn")
    auth = _sign_in(client)
    _age(auth.id, seen=timedelta(minutes=20))
    assert _signed_in(client)
    db.session.expire_all()
    assert utcnow() - db.session.get(AuthSession, auth.id).last_seen_at < timedelta(minutes=1)


def test_my_devices_lists_each_browser_and_signs_one_out(app, client, factory):
    factory.user(email="li@example.cn")
    phone = app.test_client()
    phone_session = _sign_in(phone, ua=IPHONE, ip="10.0.0.8")
    _sign_in(client)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "登录设备" in page and "Chrome · Windows" in page and "微信 · iPhone" in page
    assert "10.0.0.8" in page and "当前设备" in page
    assert 'href="/account/sessions"' in client.get("/account/profile").get_data(as_text=True)
    resp = client.post(f"/account/sessions/{phone_session.id}/revoke", follow_redirects=True)
    assert "已让该设备退出登录" in resp.get_data(as_text=True)
    assert not _signed_in(phone) and _signed_in(client)


def test_sign_out_every_other_device(app, client, factory):
    factory.user(email="li@example.cn")
    others = [app.test_client() for _ in range(2)]
    for other in others:
        _sign_in(other)
    _sign_in(client)
    resp = client.post("/account/sessions/revoke-others", follow_redirects=True)
    assert "已让其他 2 个设备退出登录" in resp.get_data(as_text=True)
    assert [_signed_in(o) for o in others] == [False, False] and _signed_in(client)


def test_nobody_ends_another_users_session(client, factory, login):
    victim = factory.user(email="li@example.cn")
    auth = AuthSession(user_id=victim.id)
    db.session.add(auth)
    db.session.commit()
    login(factory.user(email="wang@example.cn"))
    assert client.post(f"/account/sessions/{auth.id}/revoke").status_code == 403
    assert client.post("/account/sessions/987654/revoke").status_code == 404
    assert db.session.get(AuthSession, auth.id) is not None


def test_changing_the_email_needs_the_current_password_and_tells_both_addresses(app, client, factory):
    user = factory.user(email="li@example.cn")
    _sign_in(client)
    resp = client.post("/account/email", data={"email": "new@example.cn", "current_password": "wrong"})
    assert "当前密码不正确" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "li@example.cn"
    resp = client.post("/account/email", data={"email": "New@Example.cn", "current_password": PASSWORD})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "new@example.cn"
    folder = app.config["OUTBOX_DIR"]
    sent_to = sorted(message_summary(read_outbox_message(folder, n))["to"] for n in outbox_names(folder))
    assert sent_to == ["li@example.cn", "new@example.cn"]


def test_a_taken_email_is_refused(client, factory):
    factory.user(email="li@example.cn")
    factory.user(email="wang@example.cn")
    _sign_in(client)
    resp = client.post("/account/email", data={"email": "wang@example.cn", "current_password": PASSWORD})
    assert "已被其他账号使用" in resp.get_data(as_text=True)


def test_guessing_the_current_password_in_a_session_is_throttled(client, factory):
    factory.user(email="li@example.cn")
    _sign_in(client)
    new = "赣江边的一棵老樟树"
    pages = [
        client.post(
            "/account/password", data={"current_password": f"guess{i}", "password": new, "confirm": new}
        ).get_data(as_text=True)
        for i in range(6)
    ]
    assert "当前密码不正确" in pages[0]
    assert "尝试次数过多" in pages[-1]
    resp = client.post("/account/password", data={"current_password": PASSWORD, "password": new, "confirm": new})
    assert resp.status_code == 200 and "尝试次数过多" in resp.get_data(as_text=True)
