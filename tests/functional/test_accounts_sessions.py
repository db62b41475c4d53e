"""Signing in and out: revocable sessions, safe redirects, CSRF and cookie flags."""

import pytest

from marketplace.accounts.models import AuthSession
from marketplace.extensions import db

PASSWORD = "correct horse battery"
BAD_LOGIN = "邮箱或密码不正确，或账号已被停用。"


def _sign_in(client, email, password=PASSWORD, next_url=None):
    url = "/account/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def _signed_in(client):
    return client.get("/account/profile").status_code == 200


def test_sign_in_and_out(client, factory):
    user = factory.user(email="li@example.cn")
    resp = _sign_in(client, " ＬＩ@example.cn ")
    assert resp.status_code == 302
    assert _signed_in(client)
    resp = client.post("/account/logout", follow_redirects=True)
    assert "您已退出登录" in resp.get_data(as_text=True)
    assert not _signed_in(client)
    assert db.session.execute(db.select(AuthSession).filter_by(user_id=user.id)).first() is None


def test_sign_in_follows_a_relative_next(client, factory):
    factory.user(email="li@example.cn")
    resp = _sign_in(client, "li@example.cn", next_url="/account/organisation")
    assert resp.headers["Location"] == "/account/organisation"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_open_redirect_next_is_ignored(client, factory, target):
    factory.user(email="li@example.cn")
    resp = client.post(
        "/account/login", query_string={"next": target}, data={"email": "li@example.cn", "password": PASSWORD}
    )
    assert resp.status_code == 302
    assert "evil.example" not in resp.headers["Location"]


def test_failures_look_the_same(client, factory):
    factory.user(email="li@example.cn")
    factory.user(email="off@example.cn", is_disabled=True)
    for email, password in [
        ("li@example.cn", "wrong password"),
        ("nobody@example.cn", PASSWORD),
        ("off@example.cn", PASSWORD),
    ]:
        resp = _sign_in(client, email, password)
        assert resp.status_code == 200
        assert BAD_LOGIN in resp.get_data(as_text=True)
        assert not _signed_in(client)


def test_sign_in_starts_a_new_session(client, factory):
    factory.user(email="li@example.cn")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    _sign_in(client, "li@example.cn")
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_replayed_cookie_after_logout_is_anonymous(app, client, factory):
    factory.user(email="li@example.cn")
    _sign_in(client, "li@example.cn")
    old_cookie = client.get_cookie("session").value
    client.post("/account/logout")
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    resp = replay.get("/account/profile")
    assert resp.status_code == 302
    assert "/account/login" in resp.headers["Location"]


def test_password_change_signs_out_other_browsers_only(app, client, factory, login):
    user = factory.user(email="li@example.cn")
    login(user)
    other = app.test_client()
    login(user, other)
    resp = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "赣江边的一棵老樟树",
            "confirm": "赣江边的一棵老樟树",
        },
        follow_redirects=True,
    )
    assert "密码已修改" in resp.get_data(as_text=True)
    assert _signed_in(client)
    assert not _signed_in(other)
    fresh = app.test_client()
    assert _sign_in(fresh, "li@example.cn").status_code == 200  # old password refused
    assert _sign_in(fresh, "li@example.cn", "赣江边的一棵老樟树").status_code == 302


def test_password_change_needs_the_current_password(client, factory, login):
    login(factory.user())
    resp = client.post(
        "/account/password",
        data={
            "current_password": "not it at all",
            "password": "赣江边的一棵老樟树",
            "confirm": "赣江边的一棵老樟树",
        },
    )
    assert "当前密码不正确" in resp.get_data(as_text=True)


def test_disabled_user_is_signed_out_on_next_request(app, client, factory, login):
    user = factory.user()
    login(user)
    operator = factory.user("operator")
    ops = app.test_client()
    login(operator, ops)
    assert _signed_in(client)
    assert ops.post(f"/ops/users/{user.id}/disable").status_code == 302
    resp = client.get("/account/profile")
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]


def test_post_without_csrf_token_is_refused_in_chinese(app, client, factory):
    factory.user(email="li@example.cn")
    app.config["WTF_CSRF_ENABLED"] = True
    resp = _sign_in(client, "li@example.cn")
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True) and "请刷新页面后重新提交" in resp.get_data(as_text=True)
    assert not _signed_in(client)


def test_login_form_with_csrf_token_works(app, client, factory):
    import re

    factory.user(email="li@example.cn")
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post("/account/login", data={"email": "li@example.cn", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302


def test_session_cookie_is_httponly_and_lax(client, factory):
    factory.user(email="li@example.cn")
    resp = _sign_in(client, "li@example.cn")
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_without_secret_key_refuses_to_start(monkeypatch, tmp_path):
    from marketplace import create_app
    from marketplace.config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
