"""Every public list, count and home-page query runs on an index that gives its order: no scan of the table, no
sort of the whole public set (structural: the plan, never a timing). On PostgreSQL, whose planner rightly prefers a
sequential scan of a tiny test table, sequential scans and sorts are priced out first, so the plan shows whether
an index *can* serve the query."""

from sqlalchemy import text

from marketplace.dbsetup import explain
from marketplace.extensions import db
from marketplace.listings import plans

INDEXES = (
    "ix_listings_public_newest",
    "ix_listings_org_newest",
    "ix_listings_public_price_asc",
    "ix_listings_public_price_desc",
    "ix_listings_owner_status",
)
# A count needs no order: on PostgreSQL's tiny test tables the planner may answer it from any index that holds its
# conditions (the events' theme index, organisation_id); what matters there is that it never scans the table.
COUNT_INDEXES = (*INDEXES, "ix_events_listings_theme")
COUNTS = ("count achievement", "count need", "home counts")


def _plans(factory):
    first = factory.listing("achievement")
    factory.listing("need")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_sort = off"))
        db.session.execute(text("SET LOCAL enable_incremental_sort = off"))
    return {name: explain(db.session, stmt) for name, stmt in plans.statements(first.organisation_id, first.owner_id)}


def test_lists_counts_and_home_queries_use_the_composite_indexes(app, factory):
    found = _plans(factory)
    for name, lines in found.items():
        plan = "\n".join(lines)
        if "count" in name and db.engine.dialect.name == "postgresql":
            assert "Index" in plan and "Seq Scan" not in plan, f"{name}:\n{plan}"
        else:
            assert any(index in plan for index in INDEXES), f"{name}:\n{plan}"
        if db.engine.dialect.name == "sqlite":
            assert "USE TEMP B-TREE" not in plan, f"{name} sorts:\n{plan}"
            assert not any(line.startswith("SCAN listings") and "INDEX" not in line for line in lines), plan
        else:
            assert "Sort" not in plan.replace("Sort Key", "").replace("Presorted", ""), f"{name} sorts:\n{plan}"
            assert "Seq Scan on listings" not in plan, f"{name}:\n{plan}"
    db.session.rollback()


def test_price_sorts_read_their_own_index_in_order(app, factory):
    """Price ascending / descending (面议 last, newest first on ties): the first page comes from the price index."""
    found = _plans(factory)
    for kind in plans.KINDS:
        for sort in ("price_asc", "price_desc"):
            plan = "\n".join(found[f"list {kind} {sort}"])
            assert f"ix_listings_public_{sort}" in plan, f"{kind} {sort}:\n{plan}"
    db.session.rollback()


def test_counts_read_the_index_only(app, factory):
    found = _plans(factory)
    for name in COUNTS:
        plan = "\n".join(found[name])
        if db.engine.dialect.name == "sqlite":
            assert "COVERING INDEX ix_listings_public_newest" in plan, f"{name}:\n{plan}"
        else:
            # Whether PostgreSQL answers from the index alone depends on its visibility map (VACUUM), not on us:
            # what we own is that an index holding the count's conditions serves it and the table is never scanned.
            assert any(index in plan for index in COUNT_INDEXES), f"{name}:\n{plan}"
            assert "Seq Scan" not in plan, f"{name}:\n{plan}"
    db.session.rollback()
