"""Engine settings per database, and which transactions take SQLite's write lock.

SQLite runs in WAL mode, where readers never block and are never blocked: only writers queue for the one
write lock. So the lock is taken up front (BEGIN IMMEDIATE) only by transactions that write:
- requests whose method writes (POST, PUT, PATCH, DELETE), and GET views marked with `@writes_on_read`;
- everything outside a request (CLI commands, background threads), which exists to write.
GET/HEAD/OPTIONS requests begin a deferred transaction and read a consistent snapshot without the lock.

Why not deferred everywhere: a deferred transaction that has read and then writes cannot wait for the lock
(SQLite answers SQLITE_BUSY at once when another writer committed meanwhile), so read-then-write code would
fail or lose updates (shared/PITFALLS.md). Taking the lock at BEGIN lets the busy timeout queue writers.

A writer that cannot get the lock within the busy timeout raises OperationalError "database is locked";
errors.py turns that into 503 with Retry-After and a page that keeps the user's input (`is_busy`).
`read_only()` lets code outside a request (a background poller) read without the lock.
"""

import contextlib
import contextvars

from flask import current_app, has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_forced_mode = contextvars.ContextVar("sqlite_lock_mode", default=None)


def writes_on_read(view):
    """Mark a GET view that writes (e.g. marks notifications read): its transaction takes the write lock."""
    view.writes_on_read = True
    return view


@contextlib.contextmanager
def read_only():
    """Transactions begun inside this block take no write lock (SQLite); for readers outside a request."""
    token = _forced_mode.set("read")
    try:
        yield
    finally:
        _forced_mode.reset(token)


def wants_write_lock():
    """Whether a transaction beginning now should take SQLite's write lock at BEGIN."""
    forced = _forced_mode.get()
    if forced is not None:
        return forced == "write"
    if not has_request_context():
        return True
    if request.method not in READ_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "writes_on_read", False))


def is_busy(err):
    """True for SQLite's "database is locked"/"busy" errors: the write lock was not free in time."""
    if not isinstance(err, OperationalError):
        return False
    text = str(getattr(err, "orig", err)).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def configure_engine(engine, busy_timeout_ms=5000):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN (see the "begin" hook below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_lock() else "BEGIN")


def optimize(engine):
    """Keep the planner's statistics current: after migrations and large imports. Uses a connection of its own:
    end the session's transaction first (on SQLite it may hold the write lock).

    On PostgreSQL the listings and their tags are also VACUUMed (outside a transaction, as VACUUM requires; it
    blocks neither reads nor writes): counts are index-only scans only once the visibility map is set, which
    after a bulk import autovacuum would do only later (count of 80,000 achievements: 131 ms Seq Scan before,
    14 ms after)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # the tags too: their statistics decide whether a page's tags are read by index (0.7 ms) or by
            # scanning listing_tags (26 ms at 100k listings, every signed-in /matches/ page)
            conn.exec_driver_sql("VACUUM (ANALYZE) listings, listing_tags, tags")
        return
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            # analysis_limit bounds the work on big tables (an approximate ANALYZE in milliseconds at 100k rows).
            conn.exec_driver_sql("PRAGMA analysis_limit=2000")
            conn.exec_driver_sql("ANALYZE")


def explain(session, stmt, analyze=False):
    """The plan of `stmt` as text lines: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN (ANALYZE when asked)."""
    bind = session.get_bind()
    compiled = stmt.compile(bind, compile_kwargs={"literal_binds": True})
    if bind.dialect.name == "sqlite":
        rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return [row[-1] for row in rows]
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    return [row[0] for row in session.execute(text(prefix + str(compiled))).all()]
