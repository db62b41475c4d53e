"""Password reset by email, end to end through the outbox folder."""

import email
import email.policy
import re
from pathlib import Path

from marketplace.accounts.services import make_reset_token
from marketplace.mail import send_mail

NEW_PASSWORD = "赣江边的一棵老樟树"
SAME_ANSWER = "如果该邮箱已在本平台注册"


def _outbox(app):
    folder = Path(app.config["OUTBOX_DIR"])
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def _reset_link(app):
    [path] = _outbox(app)
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "li@example.cn"
    assert "重置密码" in msg["Subject"]
    body = msg.get_body(preferencelist=("plain",)).get_content()
    base = re.escape(app.config["EXTERNAL_BASE_URL"])
    return re.search(base + r"(/account/reset/\S+)", body).group(1)


def _ask_for_reset(client, address):
    return client.post("/account/reset", data={"email": address}, follow_redirects=True)


def test_reset_flow_end_to_end(app, client, factory):
    factory.user(email="li@example.cn")
    page = _ask_for_reset(client, "Li@Example.cn").get_data(as_text=True)
    assert SAME_ANSWER in page
    link = _reset_link(app)
    assert "设置新密码" in client.get(link).get_data(as_text=True)
    resp = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert "密码已重置" in resp.get_data(as_text=True)
    bad = client.post("/account/login", data={"email": "li@example.cn", "password": "correct horse battery"})
    assert bad.status_code == 200
    good = client.post("/account/login", data={"email": "li@example.cn", "password": NEW_PASSWORD})
    assert good.status_code == 302


def test_reset_link_works_once(app, client, factory):
    factory.user(email="li@example.cn")
    _ask_for_reset(client, "li@example.cn")
    link = _reset_link(app)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    resp = client.get(link)
    assert resp.status_code == 400
    assert "重置链接无效或已使用过" in resp.get_data(as_text=True)
    resp = client.post(link, data={"password": "另一个很长的新密码啊", "confirm": "另一个很长的新密码啊"})
    assert resp.status_code == 400


def test_unknown_email_gets_the_same_answer_and_no_mail(app, client):
    page = _ask_for_reset(client, "nobody@example.cn").get_data(as_text=True)
    assert SAME_ANSWER in page
    assert _outbox(app) == []


def test_forged_and_expired_tokens_are_explained(app, client, factory):
    user = factory.user()
    resp = client.get("/account/reset/not-a-real-token")
    assert resp.status_code == 400 and "重置链接无效" in resp.get_data(as_text=True)
    with app.test_request_context():
        token = make_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every token is already too old
    resp = client.get(f"/account/reset/{token}")
    assert resp.status_code == 400 and "重置链接已过期" in resp.get_data(as_text=True)


def test_reset_signs_out_every_browser(app, client, factory, login):
    user = factory.user(email="li@example.cn")
    login(user)
    with app.test_request_context():
        token = make_reset_token(user)
    app.test_client().post(f"/account/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get("/account/profile").status_code == 302


def test_weak_new_password_is_refused(app, client, factory):
    user = factory.user()
    with app.test_request_context():
        token = make_reset_token(user)
    resp = client.post(f"/account/reset/{token}", data={"password": "12345678", "confirm": "12345678"})
    assert "这个密码太常见" in resp.get_data(as_text=True)


def test_outbox_messages_are_utf8_and_sort_by_time(app):
    for n in range(3):
        assert send_mail("王五@example.cn", f"测试邮件{n}", f"正文：石墨烯{n}")
    paths = _outbox(app)
    subjects = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"] for p in paths]
    assert subjects == ["测试邮件0", "测试邮件1", "测试邮件2"]
    body = email.message_from_bytes(paths[0].read_bytes(), policy=email.policy.default).get_body().get_content()
    assert "石墨烯0" in body


def test_smtp_is_used_when_a_server_is_configured(app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, msg):
            sent.append(("send", msg["To"], msg["Subject"]))

    monkeypatch.setattr("marketplace.mail.smtplib.SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="mail.example.cn", MAIL_PORT=587, MAIL_USE_TLS=True, MAIL_USERNAME="market")
    assert send_mail("li@example.cn", "你好", "正文")
    assert sent == [
        ("connect", "mail.example.cn", 587),
        ("starttls",),
        ("login", "market"),
        ("send", "li@example.cn", "你好"),
    ]
    assert _outbox(app) == []


def test_mail_failure_is_reported_not_raised(app, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no server")

    monkeypatch.setattr("marketplace.mail.smtplib.SMTP", refuse)
    app.config["MAIL_SERVER"] = "mail.example.cn"
    assert send_mail("li@example.cn", "你好", "正文") is False


def test_reset_link_uses_the_configured_address_not_the_host_header(app, client, factory):
    factory.user(email="li@example.cn")
    app.config["EXTERNAL_BASE_URL"] = "https://jxtm.example.cn/"
    client.post("/account/reset", data={"email": "li@example.cn"}, headers={"Host": "evil.example"})
    [path] = _outbox(app)
    body = email.message_from_bytes(path.read_bytes(), policy=email.policy.default).get_body().get_content()
    assert "https://jxtm.example.cn/account/reset/" in body
    assert "evil.example" not in body
