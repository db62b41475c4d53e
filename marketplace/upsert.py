"""Rows created on demand under a unique key, without check-then-insert races.

Two requests that both find no follow (tag, dismissal, notification) and both insert it used to end with one
UniqueViolation → 500 on PostgreSQL. INSERT ... ON CONFLICT lets the database settle it: the second insert does
nothing (or updates), and both requests go on. SQLite (3.24+) and PostgreSQL share the syntax.
"""

from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model.__table__)


def insert_missing(model, rows, keys):
    """INSERT rows, skipping those whose `keys` already exist (ON CONFLICT DO NOTHING); returns rows inserted.

    Counted from RETURNING: psycopg reports no row count for these statements (always -1), so "was it new?" (a
    notification's dedupe) could not be answered on PostgreSQL from `rowcount`."""
    if not rows:
        return 0
    db.session.flush()  # pending ORM changes first, so that the statement sees them
    stmt = _insert(model).values(list(rows)).on_conflict_do_nothing(index_elements=list(keys))
    return len(db.session.execute(stmt.returning(*model.__table__.primary_key.columns)).all())


def upsert(model, row, keys, update):
    """INSERT one row or, when its `keys` exist, UPDATE the columns named in `update` (ON CONFLICT DO UPDATE)."""
    db.session.flush()
    stmt = _insert(model).values(row)
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={name: stmt.excluded[name] for name in update})
    db.session.execute(stmt)


def add_counts(model, rows, keys, column):
    """INSERT rows or, when their `keys` exist, add their `column` to the stored one (ON CONFLICT DO UPDATE
    SET column = column + excluded.column): counters that concurrent writers increment without losing any."""
    if not rows:
        return
    db.session.flush()
    stmt = _insert(model).values(list(rows))
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={column: getattr(model, column) + stmt.excluded[column]}
    )
    db.session.execute(stmt)
