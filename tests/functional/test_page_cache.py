"""Anonymous visitors' public pages come from a short-lived cache (marketplace/pagecache.py), and nobody ever
sees a change late because of it: a write or an index update on this host drops every stored page."""

import pytest
from flask import current_app

from marketplace import pagecache
from marketplace.extensions import db
from marketplace.inquiries import listing_views
from marketplace.inquiries.models import ListingView
from marketplace.listings import services as listing_services
from marketplace.notifications.models import Notification


@pytest.fixture
def cached(app):
    """The test app with the page cache on, as in development and production."""
    app.config["PAGE_CACHE_SECONDS"] = 60
    pagecache.init_app(app)
    app.before_request_funcs[None].insert(0, _fresh_request_globals)  # before the lookup
    return app


def _fresh_request_globals():
    """The fixture's app context (and so `g`) is shared by the test's requests; a real request has its own."""
    from flask import g

    for name in ("page_cache", "listing_shown", "listing_shown_id", "csrf_token"):  # csrf_token: Flask-WTF's
        g.pop(name, None)


def _visit(app, url):
    """A first-time anonymous visitor (no cookie)."""
    return app.test_client().get(url)


def test_anonymous_visitors_share_a_stored_page_signed_in_users_never(cached, factory, login, client):
    ach = factory.listing("achievement", title="稀土永磁电机控制器")
    url = f"/achievements/{ach.id}"
    first, second = _visit(cached, url), _visit(cached, url)
    assert first.status_code == second.status_code == 200
    assert "X-Page-Cache" not in first.headers and second.headers["X-Page-Cache"] == "hit"
    assert first.data == second.data and "稀土永磁电机控制器" in second.get_data(as_text=True)
    assert second.headers["Content-Security-Policy"]  # the security headers of every response
    for path in ("/", "/achievements", "/needs", "/search/?q=稀土"):
        _visit(cached, path)
        assert _visit(cached, path).headers.get("X-Page-Cache") == "hit", path

    login(factory.user("company"))
    page = client.get(url)
    assert "X-Page-Cache" not in page.headers and "退出" in page.get_data(as_text=True)  # their own navigation


def test_english_and_chinese_pages_are_stored_apart(cached, factory):
    factory.listing("achievement")
    assert "English" in _visit(cached, "/achievements").get_data(as_text=True)
    english = cached.test_client()
    english.get("/achievements?lang=en")
    page = english.get("/achievements")
    assert "中文" in page.get_data(as_text=True) and "English" not in page.get_data(as_text=True)


def test_a_change_shows_at_once(cached, factory):
    ach = factory.listing("achievement", title="高效光伏组件")
    url = f"/achievements/{ach.id}"
    _visit(cached, "/achievements"), _visit(cached, url)
    assert _visit(cached, url).headers.get("X-Page-Cache") == "hit"

    listing_services.withdraw_listing(ach, ach.owner, reason="技术已转让")
    db.session.commit()
    assert _visit(cached, url).status_code == 404
    assert "高效光伏组件" not in _visit(cached, "/achievements").get_data(as_text=True)


def test_a_write_in_another_process_drops_this_workers_pages(cached, factory):
    factory.listing("achievement", title="高效光伏组件")
    _visit(cached, "/achievements")
    assert _visit(cached, "/achievements").headers.get("X-Page-Cache") == "hit"
    other_worker = pagecache.PageCache(pagecache.get_cache(cached).generation_path, 60, 1 << 20)
    other_worker.bump()  # what a commit that wrote does in another process of this host (a worker, an import)
    assert "X-Page-Cache" not in _visit(cached, "/achievements").headers


def test_a_search_index_update_shows_in_stored_search_pages(cached, factory):
    from marketplace.search import services as search_services

    factory.listing("achievement", title="石墨烯导热膜")
    search_services.sync()
    _visit(cached, "/search/?q=石墨烯")
    assert _visit(cached, "/search/?q=石墨烯").headers.get("X-Page-Cache") == "hit"
    factory.listing("achievement", title="石墨烯防腐涂料")
    search_services.sync()
    assert "防腐涂料" in _visit(cached, "/search/?q=石墨烯").get_data(as_text=True)  # 石墨烯 is marked


def test_private_writes_keep_the_pages(cached, factory):
    user = factory.user("company")
    _visit(cached, "/")
    db.session.add(Notification(user_id=user.id, kind="new_match", params={}, endpoint="matching.index"))
    db.session.commit()  # a user's notification is on no public page
    assert _visit(cached, "/").headers.get("X-Page-Cache") == "hit"


def test_a_stored_listing_page_still_counts_the_visitors_view(cached, factory):
    ach = factory.listing("achievement")
    url = f"/achievements/{ach.id}"
    for _ in range(3):
        _visit(cached, url)  # three visitors, two of them served from the cache
    assert listing_views.flush(current_app._get_current_object()) == 3
    assert db.session.execute(db.select(ListingView.views)).scalar_one() == 3


def test_a_page_with_a_message_or_a_form_is_not_stored(cached, factory, client):
    ach = factory.listing("achievement")
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "已保存")]
    page = client.get(f"/achievements/{ach.id}")
    assert "已保存" in page.get_data(as_text=True)
    assert "已保存" not in _visit(cached, f"/achievements/{ach.id}").get_data(as_text=True)
    assert "csrf_token" not in _visit(cached, f"/achievements/{ach.id}").get_data(as_text=True)
