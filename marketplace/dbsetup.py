"""Engine settings per database: SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE."""
from sqlalchemy import event


def configure_engine(engine):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN (see the "begin" hook below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        # Read-then-write transactions under several workers lose updates or fail with
        # "database is locked" unless the write lock is taken up front (shared/PITFALLS.md).
        conn.exec_driver_sql("BEGIN IMMEDIATE")
