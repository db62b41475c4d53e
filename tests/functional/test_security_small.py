"""Finding 7: header injection through /lang, open redirects through `next`, live reset tokens in /ops/outbox."""

import os

import pytest

from marketplace.mail import message_summary, read_outbox_message, send_mail

EVIL_NEXT = ["/\t/evil.example", "//evil.example", "https://evil.example/", "/\\evil.example", "\t//evil.example"]


def test_a_crlf_language_code_is_400_not_500(client):
    resp = client.get("/lang/%0d%0aX:1")
    assert resp.status_code == 400
    assert "X" not in resp.headers


def test_an_unknown_language_code_is_400(client):
    assert client.get("/lang/fr").status_code == 400


def test_language_switch_returns_to_the_same_page_only(client):
    resp = client.get("/lang/en", headers={"Referer": "http://localhost/achievements?industry=ict&lang=zh"})
    assert resp.headers["Location"] == "/achievements?industry=ict&lang=en"
    resp = client.get("/lang/en", headers={"Referer": "https://evil.example/achievements"})
    assert resp.headers["Location"] == "/?lang=en"


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_the_dismiss_form_never_redirects_to_another_site(client, factory, login, target):
    listing = factory.listing("achievement")
    login(listing.owner)
    resp = client.post(f"/matches/listings/{listing.id}/dismiss", data={"next": target})
    location = resp.headers["Location"]
    assert location == f"/achievements/{listing.id}", location


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_sign_in_and_operator_forms_never_redirect_to_another_site(client, factory, login, target):
    factory.user(email="li@example.cn")
    resp = client.post(
        "/account/login?next=" + target.replace("\t", "%09"),
        data={"email": "li@example.cn", "password": "correct horse battery"},
    )
    assert "evil.example" not in resp.headers["Location"]
    operator, user = factory.user("operator"), factory.user("researcher")
    login(operator)
    resp = client.post(f"/ops/users/{user.id}/enable", data={"next": target})
    assert resp.headers["Location"] == "/ops/users"


def test_the_outbox_never_shows_a_live_reset_token(app, client, factory, login):
    factory.user(email="li@example.cn")
    client.post("/account/reset", data={"email": "li@example.cn"})
    [name] = os.listdir(app.config["OUTBOX_DIR"])
    body = message_summary(read_outbox_message(app.config["OUTBOX_DIR"], name))["body"]
    token = body.split("/account/reset/")[1].split()[0]
    assert len(token) > 20
    login(factory.user("operator"))
    assert token not in client.get("/ops/outbox").get_data(as_text=True)
    page = client.get(f"/ops/outbox/{name}").get_data(as_text=True)
    assert token not in page and "/account/reset/（令牌已隐藏）" in page
    send_mail("a@example.cn", "普通通知", "正文：/achievements/12")
    newest = sorted(os.listdir(app.config["OUTBOX_DIR"]))[-1]
    assert "/achievements/12" in client.get(f"/ops/outbox/{newest}").get_data(as_text=True)
