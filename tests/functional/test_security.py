"""Request-size limits and production cookie settings."""

import io

from marketplace import create_app
from marketplace.config import ProductionConfig


def test_an_oversized_upload_gets_a_clear_413_page(app, client, factory, login):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    login(factory.user("researcher"))
    big = b"%PDF-1.4\n" + b"0" * (128 * 1024)
    resp = client.post(
        "/achievements/new",
        data={"title": "大文件", "attachments": (io.BytesIO(big), "报告.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 413
    assert "上传的文件过大" in resp.get_data(as_text=True)


def test_the_api_style_413_is_json_with_a_reason(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10
    resp = client.post("/account/login", data={"email": "x" * 100}, headers={"Accept": "application/json"})
    assert resp.status_code == 413
    assert resp.is_json and resp.get_json()["error"]


def test_production_cookies_are_secure_httponly_and_lax(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-from-the-environment")
    app = create_app(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SEARCH_BACKGROUND=False,
        INSTANCE_PATH=str(tmp_path),
        EXTERNAL_BASE_URL="https://jxtm.example.cn",
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
