"""Every main page, for a visitor and each role, passes axe-core without a serious violation and fits a phone.

A server of its own with the demo catalogue (`flask demo load`), so that lists, details, suggestions and the
operators' queues have content. axe-core comes from the npm registry (package.json, `make assets`).
"""

import json
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "jxtm-demo-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

PUBLIC_PAGES = [
    "/",
    "/achievements",
    "/needs",
    "/achievements/{achievement}",
    "/needs/{need}",
    "/orgs/{org}",
    "/search/?q=石墨烯",
    "/search/?q=没有这个词的结果xyz",
    "/account/login",
    "/account/register",
    "/account/reset",
    "/events/",
    "/events/?when=past",
    "/events/{event}",
    "/privacy",
    "/privacy/collection",
]
ROLE_PAGES = {
    "researcher@demo.jxtm.cn": [
        "/me/",
        "/account/profile",
        "/account/password",
        "/account/organisation",
        "/matches/",
        "/notifications/",
        "/notifications/settings",
        "/achievements/new",
        "/achievements/{achievement}/edit",
        "/inbox",
        "/me/analytics",
        "/account/sessions",
        "/account/email",
        "/account/privacy",
        "/events/mine",
    ],
    "company@demo.jxtm.cn": ["/me/", "/needs/new", "/matches/", "/inbox", "/inquiries/new/{achievement}"],
    "operator@demo.jxtm.cn": [
        "/ops/",
        "/ops/moderation",
        "/ops/organisations",
        "/ops/users",
        "/ops/exports",
        "/ops/outbox",
        "/matches/board",
        "/ops/audit/",
        "/ops/analytics",
        "/ops/reports",
        "/events/manage",
        "/events/new",
        "/events/plan",
        "/events/experts",
        "/events/{event}/lineup",
        "/events/{event}/checkin",
        "/events/{event}/report",
    ],
}


@pytest.fixture(scope="module")
def demo_server(live_server_factory):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make assets` (npm ci)")
    server = live_server_factory()
    server.flask("demo", "load")
    return server


@pytest.fixture(scope="module")
def ids(demo_server):
    from marketplace.accounts.models import User
    from marketplace.events.models import Event
    from marketplace.listings.models import Listing

    with demo_server.app_context() as session:
        researcher = session.query(User).filter_by(email="researcher@demo.jxtm.cn").one()
        mine = session.query(Listing).filter_by(owner_id=researcher.id, kind="achievement", status="published").first()
        need = session.query(Listing).filter_by(kind="need", status="published").first()
        event = session.query(Event).filter_by(status="open").first()
        return {"achievement": mine.id, "need": need.id, "org": researcher.organisation_id, "event": event.id}


def _violations(page):
    """axe-core's serious and critical violations on the current page, as readable lines."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').slice(0, 160))
        }));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {json.dumps(v['nodes'], ensure_ascii=False)}" for v in result]


def _overflow(page):
    """(pixels by which the page is wider than the phone's screen, the outermost elements that stick out)."""
    return page.evaluate("""() => {
        const extra = document.documentElement.scrollWidth - window.innerWidth;
        const out = [];
        if (extra > 1) {
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.right > window.innerWidth + 1 &&
                    !(el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 1)) {
                    const classes = el.className ? '.' + String(el.className).split(' ').join('.') : '';
                    out.push(el.tagName.toLowerCase() + classes);
                }
            }
        }
        return [extra, out.slice(0, 5)];
    }""")


def _check(browser, server, email, paths, ids):
    failures = []
    for viewport in (DESKTOP, PHONE):
        # bypass_csp: axe is evaluated from the test, not served by the site.
        context = browser.new_context(locale="zh-CN", viewport=viewport, bypass_csp=True)
        page = context.new_page()
        if email:
            page.goto(server.url("/account/login"))
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.locator("main form [type=submit]").first.click()
            page.wait_for_load_state()
        for path in paths:
            url = path.format(**ids)
            response = page.goto(server.url(url))
            if response.status >= 400:
                failures.append(f"{viewport['width']}px {url}: HTTP {response.status}")
                continue
            if viewport is DESKTOP:
                failures += [f"{url}: {line}" for line in _violations(page)]
            else:
                extra, culprits = _overflow(page)
                if extra > 1:
                    failures.append(f"390px {url}: the page is {extra}px wider than the screen: {culprits}")
        context.close()
    return failures


def test_public_pages_are_accessible_and_fit_a_phone(demo_server, browser, ids):
    failures = _check(browser, demo_server, None, PUBLIC_PAGES, ids)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("email", sorted(ROLE_PAGES))
def test_signed_in_pages_are_accessible_and_fit_a_phone(demo_server, browser, ids, email):
    failures = _check(browser, demo_server, email, ROLE_PAGES[email], ids)
    assert not failures, "\n".join(failures)
