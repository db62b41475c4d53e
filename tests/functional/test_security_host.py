"""Finding 1: password-reset link poisoning. Links come from EXTERNAL_BASE_URL; foreign Host headers are refused."""

import email
import email.policy
from pathlib import Path

import pytest

from marketplace import create_app
from marketplace.config import ProductionConfig
from marketplace.security.settings import UnsafeSettings

STRONG_KEY = "k" * 40


def _mails(app):
    folder = Path(app.config["OUTBOX_DIR"])
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        yield email.message_from_bytes(path.read_bytes(), policy=email.policy.default).get_body().get_content()


def _production(tmp_path, **overrides):
    values = dict(
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SEARCH_BACKGROUND=False,
        LISTINGS_EXPIRE_SECONDS=0,
        INSTANCE_PATH=str(tmp_path),
        SECRET_KEY=STRONG_KEY,
        EXTERNAL_BASE_URL="https://jxtm.example.cn",
    )
    values.update(overrides)
    return create_app(ProductionConfig, **values)


def test_reset_mail_with_a_forged_host_never_carries_that_host(app, client, factory):
    factory.user(email="li@example.cn")
    client.post("/account/reset", data={"email": "li@example.cn"}, headers={"Host": "evil.example"})
    [body] = list(_mails(app))
    assert "/account/reset/" in body
    assert "evil.example" not in body
    assert app.config["EXTERNAL_BASE_URL"].rstrip("/") + "/account/reset/" in body


def test_a_foreign_host_gets_400_when_trusted_hosts_is_set(app, client, factory):
    factory.user(email="li@example.cn")
    app.config["TRUSTED_HOSTS"] = ["jxtm.example.cn"]
    assert client.get("/", headers={"Host": "jxtm.example.cn"}).status_code == 200
    resp = client.post("/account/reset", data={"email": "li@example.cn"}, headers={"Host": "evil.example"})
    assert resp.status_code == 400
    assert list(_mails(app)) == []  # nothing was sent for the forged request


def test_production_refuses_to_start_without_external_base_url(tmp_path):
    with pytest.raises(UnsafeSettings) as err:
        _production(tmp_path, EXTERNAL_BASE_URL=None)
    assert "EXTERNAL_BASE_URL" in str(err.value)


def test_production_trusts_only_the_host_of_external_base_url_by_default(tmp_path):
    app = _production(tmp_path)
    assert app.config["TRUSTED_HOSTS"] == ["jxtm.example.cn"]
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


def test_trusted_hosts_comes_from_the_environment(monkeypatch):
    from marketplace.security.settings import host_is_trusted, parse_hosts

    hosts = parse_hosts(" jxtm.example.cn, .jxtm.gov.cn ")
    assert hosts == ["jxtm.example.cn", ".jxtm.gov.cn"]
    assert host_is_trusted("www.jxtm.gov.cn", hosts) and not host_is_trusted("evil.example", hosts)
    assert parse_hosts("") is None
