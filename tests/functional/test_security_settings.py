"""Finding 5: production refuses weak settings, with one message that lists every problem."""

import pytest

from marketplace import create_app
from marketplace.config import ProductionConfig
from marketplace.security.settings import UnsafeSettings


def _start(tmp_path, monkeypatch, **overrides):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    values = dict(
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SEARCH_BACKGROUND=False,
        LISTINGS_EXPIRE_SECONDS=0,
        INSTANCE_PATH=str(tmp_path),
    )
    values.update(overrides)
    return create_app(ProductionConfig, **values)


def test_a_short_secret_key_and_no_base_url_are_both_listed(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    with pytest.raises(UnsafeSettings) as err:
        create_app(
            ProductionConfig,
            SQLALCHEMY_DATABASE_URI="sqlite://",
            SEARCH_BACKGROUND=False,
            INSTANCE_PATH=str(tmp_path),
            EXTERNAL_BASE_URL=None,
        )
    message = str(err.value)
    assert "SECRET_KEY is 1 bytes long" in message and "at least 32" in message
    assert "EXTERNAL_BASE_URL is not set" in message


def test_a_missing_secret_key_is_never_generated_in_production(tmp_path, monkeypatch):
    with pytest.raises(UnsafeSettings, match="SECRET_KEY is not set"):
        _start(tmp_path, monkeypatch, EXTERNAL_BASE_URL="https://jxtm.example.cn")
    assert not (tmp_path / "secret_key").exists()


def test_a_base_url_that_is_not_an_address_is_refused(tmp_path, monkeypatch):
    with pytest.raises(UnsafeSettings, match="not an absolute http"):
        _start(tmp_path, monkeypatch, SECRET_KEY="s" * 32, EXTERNAL_BASE_URL="jxtm.example.cn")


def test_trusted_hosts_must_include_the_public_address(tmp_path, monkeypatch):
    with pytest.raises(UnsafeSettings, match="does not include the host"):
        _start(
            tmp_path,
            monkeypatch,
            SECRET_KEY="s" * 32,
            EXTERNAL_BASE_URL="https://jxtm.example.cn",
            TRUSTED_HOSTS=["other.example.cn"],
        )


def test_strong_settings_start(tmp_path, monkeypatch):
    app = _start(tmp_path, monkeypatch, SECRET_KEY="s" * 32, EXTERNAL_BASE_URL="https://jxtm.example.cn")
    assert app.config["ENV_NAME"] == "production"


def test_development_still_starts_without_settings(tmp_path, monkeypatch):
    from marketplace.config import Config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(
        Config,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SEARCH_BACKGROUND=False,
        LISTINGS_EXPIRE_SECONDS=0,
        INSTANCE_PATH=str(tmp_path),
    )
    assert len(app.config["SECRET_KEY"]) >= 32
