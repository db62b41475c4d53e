"""A short-lived cache of the public pages anonymous visitors open most: home, the lists, a listing, search.

Most of a market's traffic is anonymous and lands on a few pages; each costs 4-35 ms of a worker's CPU to
render, the same bytes for every visitor. A worker keeps such a page for PAGE_CACHE_SECONDS, per locale and
full path (query string included), and drops it as soon as anything changes:
- a commit that wrote (this process: at once, by a counter; the other processes of this host: one byte appended
  to instance/page-generation, whose size and mtime every lookup reads with one stat());
- a search-index update (search/apply.py bumps the same generation after its Whoosh commit).
The generation is read before a page is rendered, so a page rendered while a write commits is stored under the
old generation and never served. PAGE_CACHE_SECONDS also bounds how stale a page can be on another host
(PostgreSQL with several hosts) and for time-dependent text (days left).

Never stored or served from here: signed-in visitors' pages, a visitor with a flash message waiting, pages that
carry a CSRF token (forms), anything but a 200. A hit still counts the listing's page view.
"""

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Response, current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

ENDPOINTS = frozenset({"main.index", "listings.achievements", "listings.needs", "listings.detail", "search.results"})
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")
MAX_KEY_CHARS = 2000
GENERATION_FILE = "page-generation"
GENERATION_FILE_LIMIT = 1 << 20  # bytes; past it the file starts again (its mtime still changes)


@dataclass(frozen=True)
class Page:
    generation: tuple
    expires: float
    body: bytes
    headers: tuple
    listing_id: int | None  # the listing a detail page showed: a hit counts its view


class PageCache:
    """Pages of one process, least recently used dropped first past `max_bytes`."""

    def __init__(self, generation_path, seconds, max_bytes):
        self.generation_path = generation_path
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._pages = OrderedDict()
        self._bytes = 0
        self._local = 0
        self._lock = threading.Lock()

    def generation(self):
        try:
            st = os.stat(self.generation_path)
            shared = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            shared = (0, 0)
        return (self._local, *shared)

    def bump(self):
        """Everything stored so far is stale: in this process at once, in the host's other processes at their next
        lookup."""
        with self._lock:
            self._local += 1
            self._pages.clear()
            self._bytes = 0
        try:
            fd = os.open(self.generation_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                if os.fstat(fd).st_size >= GENERATION_FILE_LIMIT:
                    os.ftruncate(fd, 0)
                os.write(fd, b".")
            finally:
                os.close(fd)
        except OSError as err:  # the other processes then see the change after PAGE_CACHE_SECONDS
            log.warning("page cache generation not shared: %r", err)

    def get(self, key, generation):
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.generation != generation or page.expires < time.monotonic():
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key, page):
        size = len(page.body)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._pages[key] = page
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.body)


def get_cache(app=None):
    app = app or current_app
    return app.extensions.get("page_cache")


def bump(app=None):
    """Call after a change that public pages show and that no commit of this app's database announced (the
    search index). Commits that wrote bump by themselves."""
    if app is None and not has_app_context():
        return
    cache = get_cache(app)
    if cache is not None:
        cache.bump()


# Tables no public page shows: writing only these (a session's last use, counters, the audit log, a user's
# notifications) keeps the stored pages.
PRIVATE_TABLES = frozenset(
    {
        "auth_sessions",
        "throttle_counters",
        "audit_events",
        "notifications",
        "notification_settings",
        "privacy_consents",
        "match_state",
        "match_saved_searches",
        "user_blocks",
        "abuse_reports",
    }
)
PUBLIC_WRITE = "page_cache_public_write"


def _note_tables(db_session, tables):
    if not tables <= PRIVATE_TABLES:
        db_session.info[PUBLIC_WRITE] = True


@event.listens_for(Session, "after_flush")
def _flushed(db_session, _context):
    changed = (*db_session.new, *db_session.dirty, *db_session.deleted)  # still the flushed objects here
    _note_tables(db_session, {getattr(obj, "__tablename__", "") for obj in changed})


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _note_tables(state.session, {getattr(table, "name", "")})


@event.listens_for(Session, "after_commit")
def _committed(db_session):
    # a savepoint's release is not the commit: pages rendered before the outer commit would be stored as new
    if not db_session.in_nested_transaction() and db_session.info.pop(PUBLIC_WRITE, False):
        bump()


@event.listens_for(Session, "after_transaction_end")
def _ended(db_session, transaction):
    if transaction.parent is None:  # the outermost transaction ended: a rollback forgets what it wrote
        db_session.info.pop(PUBLIC_WRITE, None)


def _cacheable_request():
    if request.method not in ("GET", "HEAD") or request.endpoint not in ENDPOINTS:
        return False
    if len(request.full_path) > MAX_KEY_CHARS:  # nobody else asks for that page: no entry with a 40 KB key
        return False
    if "_flashes" in session or current_user.is_authenticated:
        return False
    return True


def _serve():
    """before_request: the stored page, or None (and what the after_request needs to store this one)."""
    if not _cacheable_request():
        return None
    cache = get_cache()
    key = (str(get_locale()), request.full_path)
    generation = cache.generation()
    page = cache.get(key, generation)
    if page is None:
        g.page_cache = (key, generation)
        return None
    if page.listing_id is not None:
        g.listing_shown_id = page.listing_id  # inquiries/listing_views.py counts the view
    response = Response(page.body, status=200, headers=list(page.headers))
    response.headers["X-Page-Cache"] = "hit"
    return response


def _store(response):
    pending = g.pop("page_cache", None)
    if pending is None or response.status_code != 200 or response.direct_passthrough:
        return response
    if "csrf_token" in g or "_flashes" in session:  # a form's token or a message for this visitor only
        return response
    key, generation = pending
    cache = get_cache()
    listing = g.get("listing_shown")
    cache.put(
        key,
        Page(
            generation=generation,
            expires=time.monotonic() + cache.seconds,
            body=response.get_data(),
            headers=tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers),
            listing_id=listing.id if listing is not None else None,
        ),
    )
    return response


def init_app(app):
    """Register the cache when PAGE_CACHE_SECONDS > 0 (off in tests unless a test turns it on). Registered after
    the other before_request functions: a hit skips the ones registered later."""
    seconds = app.config["PAGE_CACHE_SECONDS"]
    if not seconds or seconds <= 0:
        return
    app.extensions["page_cache"] = PageCache(
        os.path.join(app.instance_path, GENERATION_FILE), seconds, app.config["PAGE_CACHE_MAX_BYTES"]
    )
    app.before_request(_serve)
    app.after_request(_store)
