"""Views of listing pages for their owners: counted in memory when a page is served (each visitor once a day
per listing and process), written by a background worker in one upsert per round (ON CONFLICT DO UPDATE
views = views + n), so a page view never writes, never waits for SQLite's write lock and never races.

A visitor is the signed-in user, else a random id kept in the session cookie. The owner's and operators' views are
not counted. Several web workers each keep their own buffer: a visitor served by two workers on one day may count
twice. Counts not yet written (at most LISTING_VIEWS_FLUSH_SECONDS old) are added from this process's buffer when
the owner's page is shown; a process killed before its round loses those seconds of counts.
"""

import atexit
import logging
import secrets
import threading
from collections import Counter

from flask import current_app, g, has_app_context, request, session
from flask_login import current_user

from ..extensions import db
from ..listings.services import market_today
from ..listings.visibility import is_public
from ..upsert import add_counts
from .models import ListingView

log = logging.getLogger(__name__)

MAX_SEEN = 200_000  # visitors remembered per day and process; past it, repeat views count again (memory bound)


class ViewBuffer:
    """This process's views not yet written: {(listing id, day): n}, and who was counted today."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = Counter()
        self._seen = set()
        self._day = None

    def add(self, listing_id, visitor, day):
        with self._lock:
            if day != self._day:
                self._seen.clear()
                self._day = day
            if (listing_id, visitor) in self._seen:
                return False
            if len(self._seen) < MAX_SEEN:
                self._seen.add((listing_id, visitor))
            self._counts[(listing_id, day)] += 1
            return True

    def take(self):
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return counts

    def give_back(self, counts):
        with self._lock:
            self._counts.update(counts)

    def pending(self, listing_ids):
        ids = set(listing_ids)
        with self._lock:
            out = Counter()
            for (listing_id, _day), n in self._counts.items():
                if listing_id in ids:
                    out[listing_id] += n
            return out


def buffer(app=None):
    app = app or current_app._get_current_object()
    return app.extensions.setdefault("listing_views", ViewBuffer())


def _visitor():
    if current_user.is_authenticated:
        return f"u{current_user.id}"
    if "vid" not in session:
        session["vid"] = secrets.token_hex(8)
    return f"v{session['vid']}"


def count_view(response):
    """after_request: a listing page served to someone else than its owner and operators counts one view."""
    if request.endpoint != "listings.detail" or request.method != "GET" or response.status_code != 200:
        return response
    # the listing the page showed: db.session.get() would read it again (the identity map holds objects weakly,
    # and nothing references the listing once the page is rendered): 2 ms, a fifth of the page
    listing = g.get("listing_shown")
    if listing is None and g.get("listing_shown_id") is not None:  # served from pagecache.py: public, anonymous
        buffer().add(g.listing_shown_id, _visitor(), market_today())
        return response
    if listing is None or not is_public(listing):
        return response
    if current_user.is_authenticated and (current_user.id == listing.owner_id or current_user.is_operator):
        return response
    buffer().add(listing.id, _visitor(), market_today())
    return response


def flush(app):
    """Write this process's counted views (one statement, committed); returns how many views were written.
    Runs in the caller's app context when there is one (a command, a test), else in its own (the worker)."""
    if has_app_context() and current_app._get_current_object() is app:
        return _write(app)
    with app.app_context():
        try:
            return _write(app)
        finally:
            db.session.remove()


def _write(app):
    counts = buffer(app).take()
    if not counts:
        return 0
    rows = [{"listing_id": lid, "day": day, "views": n} for (lid, day), n in counts.items()]
    try:
        add_counts(ListingView, rows, ["listing_id", "day"], "views")
        db.session.commit()
    except Exception:
        db.session.rollback()
        buffer(app).give_back(counts)  # the next round tries again
        raise
    return sum(counts.values())


def views_of(listing_ids):
    """{listing id: views so far}, written ones plus this process's pending ones."""
    if not listing_ids:
        return {}
    stored = dict(
        db.session.execute(
            db.select(ListingView.listing_id, db.func.sum(ListingView.views))
            .where(ListingView.listing_id.in_(listing_ids))
            .group_by(ListingView.listing_id)
        ).all()
    )
    pending = buffer().pending(listing_ids)
    return {lid: int(stored.get(lid) or 0) + pending.get(lid, 0) for lid in listing_ids}


def start(app):
    """Start this process's writer (marketplace/background.py decides when; LISTING_VIEWS_FLUSH_SECONDS > 0)."""
    interval = float(app.config["LISTING_VIEWS_FLUSH_SECONDS"])
    atexit.register(_flush_quietly, app)
    threading.Thread(target=_loop, args=(app, interval), name="listing-views", daemon=True).start()


def _flush_quietly(app):
    try:
        flush(app)
    except Exception:
        log.exception("listing views not written")


def _loop(app, interval):
    stop = threading.Event()
    while True:
        stop.wait(interval)
        _flush_quietly(app)
