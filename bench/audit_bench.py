"""Audit log at the size 180 days of a busy market leave: search, a page of /ops/audit, export, purge.

    .venv/bin/python bench/audit_bench.py [--n 200000] [--database-url postgresql://postgres@127.0.0.1:5432/DB]

Fills a fresh schema (THE DATABASE IS EMPTIED: use a scratch database) with n entries spread over 400 days
(about 20 users, a few hundred IP addresses, the market's event codes), then times with the app's own functions:
record() of one entry with commit, the operators' searches (first page with its count), the CSV export of one
user's entries, and `flask audit purge` of everything older than 180 days. Prints a Markdown table.
"""

import argparse
import io
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _fill(n, now):
    from marketplace.audit.events import EVENTS
    from marketplace.audit.models import AuditEvent
    from marketplace.extensions import db

    rng = random.Random(7)
    events = list(EVENTS)
    rows = []
    for i in range(n):
        user = rng.randrange(1, 21)
        rows.append(
            {
                "created_at": now - timedelta(seconds=rng.randrange(0, 400 * 86400)),
                "event": rng.choice(events),
                "outcome": "failure" if rng.random() < 0.1 else "success",
                "actor_id": user,
                "actor_email": f"user{user}@example.cn",
                "ip": f"10.{rng.randrange(0, 3)}.{rng.randrange(0, 10)}.{rng.randrange(1, 20)}",
                "user_agent": "Mozilla/5.0 bench",
                "target_type": "user",
                "target_id": str(user),
                "details": {"n": i},
            }
        )
        if len(rows) == 5000:
            db.session.execute(db.insert(AuditEvent), rows)
            rows = []
    if rows:
        db.session.execute(db.insert(AuditEvent), rows)
    db.session.commit()


def _timed(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    from marketplace import create_app
    from marketplace.audit import record
    from marketplace.audit.services import count_older_than, purge_batch, purge_cutoff, search_query
    from marketplace.audit.views import export_columns, export_row
    from marketplace.config import TestConfig
    from marketplace.extensions import db
    from marketplace.models_base import utcnow
    from marketplace.transfer.formats import write_rows

    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=args.database_url or f"sqlite:///{tmp}/audit.db",
        INSTANCE_PATH=tmp,
        SEARCH_INDEX_DIR=f"{tmp}/index",
    )
    with app.app_context(), app.test_request_context("/"):
        db.drop_all()
        db.create_all()
        now = utcnow()
        start = time.perf_counter()
        _fill(args.n, now)
        fill_s = time.perf_counter() - start
        today = (now + timedelta(hours=8)).date()

        def page(**filters):
            return lambda: db.paginate(search_query(**filters), page=1, per_page=50, error_out=False, count=True)

        def export_one_user():
            columns, labels = export_columns(), {}
            rows = (
                export_row(e, columns, labels)
                for e in db.session.execute(
                    search_query(who="user3@example.cn").execution_options(yield_per=1000)
                ).scalars()
            )
            write_rows(rows, columns, "csv", io.BytesIO(), sheet="audit")

        def one_record():
            record("auth.login", outcome="failure", email="x@example.cn")
            db.session.commit()

        results = [
            ("record() + commit", _timed(one_record, 20)),
            ("/ops/audit first page, no filter (with count)", _timed(page())),
            ("by user e-mail fragment", _timed(page(who="user3@"))),
            ("event + outcome", _timed(page(event="auth.login", outcome="failure"))),
            ("last 7 days", _timed(page(date_from=today - timedelta(days=7)))),
            ("IP prefix", _timed(page(ip="10.1.5."))),
            ("CSV export of one user's entries", _timed(export_one_user, 3)),
        ]
        cutoff = purge_cutoff()
        old = count_older_than(cutoff)
        start = time.perf_counter()
        while purge_batch(cutoff, 1000):
            db.session.commit()
        purge_s = time.perf_counter() - start
        backend = db.engine.dialect.name
    print(f"\n{args.n:,} entries on {backend} (filled in {fill_s:.1f} s)\n")
    print("| operation | median |\n|---|---|")
    for name, ms in results:
        print(f"| {name} | {ms:.1f} ms |")
    print(f"| purge of {old:,} entries older than 180 days (batches of 1,000) | {purge_s:.1f} s |")


if __name__ == "__main__":
    main()
