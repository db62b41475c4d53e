"""Counting attempts across every worker and host: Redis when RATELIMIT_STORAGE_URI is set, else the database.

A store counts hits on a key in a fixed window (`hit`), takes one back (`undo`), reads a counter (`get`),
sets a lock (`lock`) and forgets keys (`clear`). Both stores are shared: the database's table is seen by all
gunicorn workers and hosts of the same database, Redis by everything that uses the same server. Never per
process.

`rate_limit(scope, limit)` is the decorator for forms (registration, reset requests, inquiries):

    @bp.route("/inquiries/new", methods=["GET", "POST"])
    @login_required
    @rate_limit("inquiry", "INQUIRY_RATE_LIMIT")     # a config key, or a literal such as "10/hour"
    def new_inquiry(): ...

Each POST counts against the client's IP (or `key=callable` for another key, e.g. the user id); over the limit
the answer is 429 with a Chinese message saying how many minutes to wait and a Retry-After header.
"""

import hashlib
import logging
import math
import random
import time
from functools import wraps

from flask import current_app, make_response, request
from sqlalchemy import case, delete, select

from ..accounts.security_events import emit
from ..extensions import db
from .models import ThrottleCounter
from .transactions import release_read_transaction

log = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_limit(text):
    """ "10/hour" -> (10, 3600); "5/15minute" or "5 per 15 minutes" also work."""
    count, _, period = text.replace(" per ", "/").partition("/")
    period = period.strip().rstrip("s")
    digits = "".join(ch for ch in period if ch.isdigit())
    unit = period[len(digits) :].strip()
    if unit not in PERIODS or not count.strip().isdigit():
        raise ValueError(f"not a rate limit: {text!r} (e.g. '10/hour')")
    return int(count), PERIODS[unit] * int(digits or 1)


class DatabaseStore:
    """Counters in the `throttle_counters` table; every statement is atomic on SQLite and PostgreSQL."""

    name = "database"

    def _insert(self):
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(ThrottleCounter.__table__)

    def _begin(self):
        # A separate short transaction, committed at once; the request's own must not hold SQLite's lock.
        release_read_transaction()
        return db.engine.begin()

    def hit(self, key, window):
        now = time.time()
        table = ThrottleCounter.__table__
        expired = table.c.expires_at <= now
        stmt = self._insert().values(key=key, count=1, expires_at=now + window)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((expired, 1), else_=table.c.count + 1),
                "expires_at": case((expired, now + window), else_=table.c.expires_at),
            },
        ).returning(table.c.count, table.c.expires_at)
        with self._begin() as conn:
            count, expires_at = conn.execute(stmt).one()
            if random.random() < 0.01:  # now and then, forget long-expired counters
                conn.execute(delete(table).where(table.c.expires_at < now - 86400))
        return count, max(0, math.ceil(expires_at - now))

    def get(self, key):
        now = time.time()
        table = ThrottleCounter.__table__
        with self._begin() as conn:
            row = conn.execute(
                select(table.c.count, table.c.expires_at).where(table.c.key == key, table.c.expires_at > now)
            ).first()
        return (row[0], math.ceil(row[1] - now)) if row else (0, 0)

    def lock(self, key, seconds):
        table = ThrottleCounter.__table__
        values = {"count": 1, "expires_at": time.time() + seconds}
        stmt = self._insert().values(key=key, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_=values)
        with self._begin() as conn:
            conn.execute(stmt)

    def undo(self, key):
        table = ThrottleCounter.__table__
        with self._begin() as conn:
            conn.execute(table.update().where(table.c.key == key, table.c.count > 0).values(count=table.c.count - 1))

    def clear(self, *keys):
        table = ThrottleCounter.__table__
        with self._begin() as conn:
            conn.execute(delete(table).where(table.c.key.in_(keys)))


class RedisStore:
    """Counters in Redis: SET NX EX + INCR in one MULTI, so a counter always has its expiry."""

    name = "redis"

    def __init__(self, url, prefix):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def hit(self, key, window):
        key = self.prefix + key
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(key, 0, ex=window, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = pipe.execute()
        return int(count), max(0, int(ttl))

    def get(self, key):
        key = self.prefix + key
        pipe = self.redis.pipeline(transaction=True)
        pipe.get(key)
        pipe.ttl(key)
        value, ttl = pipe.execute()
        return (int(value), max(0, int(ttl))) if value is not None and ttl > 0 else (0, 0)

    def lock(self, key, seconds):
        self.redis.set(self.prefix + key, 1, ex=int(seconds))

    def undo(self, key):
        key = self.prefix + key
        pipe = self.redis.pipeline(transaction=True)
        pipe.decr(key)
        pipe.ttl(key)
        value, ttl = pipe.execute()
        if ttl < 0:  # the counter had expired between the two calls: DECR made a key without expiry
            self.redis.delete(key)

    def clear(self, *keys):
        self.redis.delete(*(self.prefix + key for key in keys))


def store():
    """The app's store (created once per app): Redis for RATELIMIT_STORAGE_URI=redis://..., else the database."""
    found = current_app.extensions.get("throttle_store")
    if found is None:
        uri = current_app.config.get("RATELIMIT_STORAGE_URI")
        if uri and uri.startswith(("redis://", "rediss://", "unix://")):
            found = RedisStore(uri, current_app.config["RATELIMIT_KEY_PREFIX"])
        elif uri and uri != "database":
            raise ValueError(f"RATELIMIT_STORAGE_URI={uri!r}: use redis://host:port/db or leave it unset")
        else:
            found = DatabaseStore()
        current_app.extensions["throttle_store"] = found
    return found


def digest(value):
    """A fixed-length key part for an e-mail address or another identifier (no personal data in the store)."""
    return hashlib.sha256((value or "").strip().lower().encode()).hexdigest()[:32]


def client_ip():
    """The client's address as the WSGI server (or ProxyFix, when PROXY_FIX_X_FOR is set) reports it."""
    return request.remote_addr or "unknown"


def hit(scope, key, limit):
    """Count one attempt; seconds to wait when it is over `limit` ("10/hour" or a config key), else 0."""
    count, window = parse_limit(current_app.config.get(limit, limit))
    try:
        seen, left = store().hit(f"{scope}:{key}", window)
    except Exception:  # a storage outage must not take sign-in down with it: count nothing, say so loudly
        log.exception("throttle store unavailable; %s not limited", scope)
        return 0
    return left or 1 if seen > count else 0


def too_many_requests(seconds):
    """The 429 page (or JSON) saying how long to wait, with Retry-After."""
    from flask_babel import gettext as _

    from ..errors import render_error

    response = make_response(
        render_error(429, _("请求过于频繁，请在 %(minutes)s 分钟后再试。", minutes=minutes(seconds)))
    )
    response.headers["Retry-After"] = str(int(seconds))
    return response


def minutes(seconds):
    return max(1, math.ceil(seconds / 60))


def rate_limit(scope, limit, key=client_ip, methods=("POST",)):
    """Limit a view's POSTs (by default) per client IP; see the module docstring."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method in methods:
                wait = hit(scope, key(), limit)
                if wait:
                    emit("rate_limited", outcome="refused", scope=scope, ip=client_ip(), retry_after=wait)
                    db.session.commit()  # the audit entry; the refused request changed nothing else
                    return too_many_requests(wait)
            return view(*args, **kwargs)

        return wrapped

    return decorator
