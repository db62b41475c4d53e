"""After a large import the planner's statistics are fresh, and on PostgreSQL the listings are vacuumed, so that
public counts read the index alone (no table scan on every page)."""

from sqlalchemy import text

from marketplace.dbsetup import optimize
from marketplace.extensions import db


def test_optimize_refreshes_statistics_on_either_database(app, factory):
    for _ in range(3):
        factory.listing("achievement")
    db.session.commit()
    db.session.remove()
    optimize(db.engine)
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            assert conn.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'listings'")).scalar() > 0
        else:
            for table in ("listings", "listing_tags", "tags"):  # a page's tags: by index only with statistics
                vacuumed = conn.execute(
                    text(
                        "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables "
                        "WHERE relname = :table AND schemaname = current_schema()"
                    ),
                    {"table": table},
                ).scalar()
                assert vacuumed, table
