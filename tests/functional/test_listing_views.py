"""Owners see views per listing: each visitor once a day, not the owner's own, written in batches by the worker
(no write during the page request), and added safely when two processes write at once."""

from flask import current_app

from marketplace.extensions import db
from marketplace.inquiries import listing_views
from marketplace.inquiries.models import ListingView
from marketplace.listings.services import market_today


def _owner_page(client):
    return client.get("/me/analytics").get_data(as_text=True)


def test_each_visitor_counts_once_a_day_and_the_owner_not_at_all(app, client, factory, login):
    owner = factory.user("researcher")
    ach = factory.listing("achievement", owner=owner, title="高效光伏组件")
    url = f"/achievements/{ach.id}"
    for _ in range(3):
        assert client.get(url).status_code == 200  # one anonymous visitor (same session cookie)
    other_browser = app.test_client()
    other_browser.get(url)
    company = factory.user("company")
    login(company)
    client.get(url)
    client.get(url)
    login(owner)
    client.get(url)  # the owner's own view does not count
    assert db.session.execute(db.select(ListingView)).first() is None  # nothing written by the page requests

    assert listing_views.flush(current_app._get_current_object()) == 3
    assert db.session.execute(db.select(ListingView.day, ListingView.views)).all() == [(market_today(), 3)]
    client.get(url)
    assert "<td>3</td>" in _owner_page(client)
    login(company)
    factory.user("company")
    third = app.test_client()
    third.get(url)  # pending in this process's buffer: shown before it is written
    login(owner)
    page = _owner_page(client)
    assert "<td>4</td>" in page
    assert listing_views.flush(current_app._get_current_object()) == 1
    assert db.session.execute(db.select(ListingView.views)).scalar_one() == 4


def test_two_writers_add_their_counts(app, factory):
    ach = factory.listing("achievement")
    day = market_today()
    first, second = listing_views.ViewBuffer(), listing_views.ViewBuffer()
    for n in range(5):
        first.add(ach.id, f"v{n}", day)
    for n in range(7):
        second.add(ach.id, f"v{n}", day)  # another process: its own visitors
    real = app.extensions.get("listing_views")
    for buf in (first, second):
        app.extensions["listing_views"] = buf
        listing_views.flush(app)
    app.extensions["listing_views"] = real or listing_views.ViewBuffer()
    assert db.session.execute(db.select(ListingView.views)).scalar_one() == 12


def test_unpublished_and_missing_pages_count_nothing(app, client, factory, login):
    owner = factory.user("researcher")
    draft = factory.listing("achievement", owner=owner, status="draft")
    operator = factory.user("operator")
    login(operator)
    assert client.get(f"/achievements/{draft.id}").status_code == 200
    client.get("/achievements/999999")
    assert listing_views.flush(app) == 0
