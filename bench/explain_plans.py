"""Query plans of every public list, count and home-page query on a bench/http_bench.py catalogue.

    .venv/bin/python bench/explain_plans.py --size 100000 --db sqlite postgresql

SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) with the time each statement took. The
statements come from marketplace/listings/plans.py (the ones tests/functional/test_query_plans.py checks), then
the filtered lists and price sorts, which are reported but not promised index-ordered.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_bench  # noqa: E402


def explain_all(db, size):
    from marketplace.dbsetup import explain, read_only
    from marketplace.extensions import db as sa
    from marketplace.listings import plans
    from marketplace.listings.models import Listing

    http_bench.ensure_catalogue(db, size)
    app = http_bench.make_app(db, size)
    with app.app_context(), read_only():
        org_id, owner_id = sa.session.execute(sa.select(Listing.organisation_id, Listing.owner_id).limit(1)).one()
        print(f"\n######## {db}, {size:,} listings")
        checked, reported = plans.statements(org_id, owner_id), plans.extra_statements()
        for group, statements in (("checked", checked), ("reported", reported)):
            for name, stmt in statements:
                start = time.perf_counter()
                sa.session.execute(stmt).all()
                ms = (time.perf_counter() - start) * 1000
                print(f"\n-- {name} ({group}; {ms:.1f} ms as run)")
                for line in explain(sa.session, stmt, analyze=(db == "postgresql")):
                    print("   " + line)
        sa.session.rollback()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    args = parser.parse_args(argv)
    for db in args.db:
        explain_all(db, args.size)


if __name__ == "__main__":
    main()
