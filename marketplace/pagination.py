"""One pagination helper for every paged list: the page number is clamped, and public counts are cached briefly.

`?page=99999999999999999999` used to reach the database as an OFFSET that SQLite cannot hold (OverflowError)
and PostgreSQL rejects (bigint out of range): here any page number is read leniently, clamped to
1..MAX_PAGE, and a page past the end shows the last page instead of an empty one.

Counting the matching rows of a 100k-listing table costs tens of milliseconds on every page view; lists that
everybody sees pass `cache_count=True`, and their totals are reused for PUBLIC_COUNT_CACHE_SECONDS per process
(a new listing shows in the list at once; its total catches up within that time).
"""

import threading
import time

from flask import current_app, request
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from .extensions import db

MAX_PAGE = 10_000

_counts = {}  # (database url, sql, params) -> (expires monotonic, count)
_counts_lock = threading.Lock()


def requested_page(args=None, name="page"):
    """The page number asked for: junk gives 1, anything outside 1..MAX_PAGE is clamped."""
    raw = (args if args is not None else request.args).get(name, "")
    try:
        page = int(str(raw).strip()[:12] or 1)  # 12 digits: no huge-int parsing of hostile input
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


def cached_scalar(stmt, seconds=None):
    """The scalar result of `stmt`, reused for `seconds` (default PUBLIC_COUNT_CACHE_SECONDS) in this process."""
    return _cached(stmt, lambda: db.session.execute(stmt).scalar(), seconds)


def cached_rows(stmt, seconds=None):
    """All rows of `stmt` as a list of tuples, cached like `cached_scalar` (grouped counts on the home page)."""
    return _cached(stmt, lambda: [tuple(row) for row in db.session.execute(stmt).all()], seconds, "rows")


def _cached(stmt, fetch, seconds, kind="scalar"):
    seconds = current_app.config["PUBLIC_COUNT_CACHE_SECONDS"] if seconds is None else seconds
    if seconds <= 0:
        return fetch()
    key = (kind, str(db.engine.url), *_statement_key(stmt))
    now = time.monotonic()
    with _counts_lock:
        hit = _counts.get(key)
    if hit and hit[0] > now:
        return hit[1]
    value = fetch()
    with _counts_lock:
        if len(_counts) > 2000:  # filter combinations are bounded, but never grow without limit
            _counts.clear()
        _counts[key] = (now + seconds, value)
    return value


def _statement_key(stmt):
    """SQLAlchemy's own cache key of `stmt` (its structure) and the values of its parameters: what compiling
    the statement to text would tell apart, at a small fraction of the cost of compiling it on every page view."""
    cache_key = stmt._generate_cache_key()
    if cache_key is None:  # a construct SQLAlchemy does not cache: fall back to the statement's text
        compiled = stmt.compile(db.engine)
        return str(compiled), repr(sorted(compiled.params.items(), key=lambda kv: kv[0]))
    return cache_key.key, repr([param.effective_value for param in cache_key.bindparams])


def clear_cache():
    with _counts_lock:
        _counts.clear()


def count_statement(stmt):
    """SELECT count(*) of what `stmt` selects (its ORDER BY dropped)."""
    sub = stmt.options(lazyload("*")).order_by(None).subquery()
    return select(func.count()).select_from(sub)


def paginate(stmt, per_page=None, cache_count=False, page=None, total=None):
    """db.paginate with a clamped page number; a page past the end shows the last page. `total`: the number of
    rows `stmt` selects, when the caller has already counted them (no second count)."""
    per_page = per_page or current_app.config["LISTINGS_PER_PAGE"]
    page = requested_page() if page is None else min(max(int(page), 1), MAX_PAGE)
    if total is None:
        count = count_statement(stmt)
        total = cached_scalar(count) if cache_count else db.session.execute(count).scalar()
    last = max(1, -(-total // per_page))
    result = db.paginate(stmt, page=min(page, last), per_page=per_page, error_out=False, count=False)
    result.total = total
    return result
