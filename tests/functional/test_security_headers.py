"""Finding 4: security headers on every response: every GET page of the access matrix, for a visitor and for
each signed-in role, error pages included; HSTS in production; no inline script or on*= attribute in templates."""

import re
from pathlib import Path

import pytest
from test_access_matrix import MATRIX, _world

from marketplace import create_app
from marketplace.config import ProductionConfig

GET_URLS = sorted({url for rows in MATRIX.values() for method, url, _ in rows if method == "GET"})
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _check(resp, where):
    csp = resp.headers.get("Content-Security-Policy", "")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    problems = []
    if directives.get("script-src") != "'self'":
        problems.append(f"script-src {directives.get('script-src')!r}")
    if directives.get("frame-ancestors") != "'none'":
        problems.append("frame-ancestors")
    if "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
        problems.append("unsafe-inline/eval")
    if resp.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff")
    if resp.headers.get("Referrer-Policy") not in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"):
        problems.append("Referrer-Policy")
    if "microphone=()" not in resp.headers.get("Permissions-Policy", ""):
        problems.append("Permissions-Policy")
    return [f"{where}: {p}" for p in problems]


@pytest.mark.parametrize("actor", ["visitor", "owner", "operator"])
def test_every_get_page_of_the_access_matrix_sends_the_security_headers(app, client, factory, login, actor):
    ids, users = _world(factory, app)
    if actor != "visitor":
        login(users[actor])
    problems = []
    for url in GET_URLS:
        resp = client.get(url.format(**ids))
        problems += _check(resp, f"{actor} GET {url} ({resp.status_code})")
    assert not problems, problems


def test_error_pages_and_static_files_carry_them_too(client):
    for url in ("/no-such-page", "/static/css/site.css", "/lang/xx"):
        assert not _check(client.get(url), url)


def test_hsts_only_in_production(client, tmp_path):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app = create_app(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        SEARCH_BACKGROUND=False,
        LISTINGS_EXPIRE_SECONDS=0,
        INSTANCE_PATH=str(tmp_path),
        SECRET_KEY="s" * 32,
        EXTERNAL_BASE_URL="https://jxtm.example.cn",
    )
    resp = app.test_client().get("/healthz", headers={"Host": "jxtm.example.cn"})
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_templates_hold_no_inline_script_event_handler_or_style_attribute():
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
            problems.append(f"{path.name}: inline {match.group(0)}")
        for match in re.finditer(r"<[^>]*\s(on[a-z]+|style)\s*=", text):
            problems.append(f"{path.name}: {match.group(1)}= attribute")
    assert not problems, problems
