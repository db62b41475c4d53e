"""Line-up proposal at scale (issue 8): presenters for an event's theme over a market of --n listings.

    .venv/bin/python bench/lineup_bench.py --n 100000 [--samples 60]

Builds the synthetic market of bench/match_bench.py (CSL-based corpus, 80% achievements, 20 stored suggestions
per listing) in a fresh temporary SQLite database, then times `events.curation.propose_presenters` (the proposed
line-up with reasons) and `propose_invitees` (for a line-up of the 8 first proposals) for themes made of one or
two industries and a theme keyword. Target: p95 <= 300 ms for the proposal at 100,000 listings.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from match_bench import fill_suggestions, line, load_market, pct  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--samples", type=int, default=60)
    p.add_argument("--reuse", help="an earlier run's bench.db (printed at the start): skip building the market")
    args = p.parse_args()

    from marketplace import create_app, taxonomy
    from marketplace.events import curation, lineup, services
    from marketplace.events.models import Presenter
    from marketplace.extensions import db
    from marketplace.listings.models import Tag
    from marketplace.models_base import utcnow

    tmp = tempfile.mkdtemp(prefix="lineup-bench-")
    path = args.reuse or os.path.join(tmp, "bench.db")
    print(f"database: {path}", flush=True)
    app = create_app(
        None,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + path,
        SECRET_KEY="bench",
        SEARCH_BACKGROUND=False,
        LISTINGS_EXPIRE_SECONDS=0,
        SEARCH_INDEX_DIR=os.path.join(tmp, "index"),
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
    )
    rng = random.Random(8)
    with app.app_context():
        db.create_all()
        if args.reuse:
            from marketplace.accounts.models import User
            from marketplace.events.models import CURATION_INDEXES

            for index in CURATION_INDEXES:
                index.create(db.engine, checkfirst=True)
            operator = db.session.execute(db.select(User).limit(1)).scalar_one()
        else:
            t = time.time()
            by_kind, owners = load_market(args.n, db)
            fill_suggestions(db, by_kind)
            print(
                f"market: {len(by_kind['achievement'])} achievements, {len(by_kind['need'])} needs, "
                f"20 suggestions each, loaded in {time.time() - t:.1f}s",
                flush=True,
            )
            operator = owners["achievement"]
        print(
            f"market ready ({db.session.execute(db.select(db.func.count(Tag.id))).scalar()} tags); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
            flush=True,
        )
        tags = [t.name for t in db.session.execute(db.select(Tag).limit(2000)).scalars()]
        industries = list(taxonomy.INDUSTRIES)
        proposals, cpu, invitees, found = [], [], [], []
        start = utcnow() + timedelta(days=20)
        for i in range(args.samples):
            theme = rng.sample(industries, rng.choice([1, 2]))
            event = services.create_event(
                operator,
                event_type="roadshow",
                title=f"主题路演{i}",
                industries=",".join(theme),
                tags=rng.choice(tags),
                programme="",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                venue="南昌",
                registration_deadline=start,
                capacity=100,
            )
            db.session.commit()
            t, c = time.perf_counter(), time.process_time()
            proposed = curation.propose_presenters(event)
            proposals.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            found.append(len(proposed))
            for ach, reasons in proposed[:8]:
                db.session.add(Presenter(event_id=event.id, listing_id=ach.id, position=0, reasons=reasons))
            db.session.commit()
            t = time.perf_counter()
            curation.propose_invitees(event)
            invitees.append(time.perf_counter() - t)
            db.session.rollback()
        del lineup  # imported for the models' relationships only
        line("line-up proposal (presenters + reasons), wall", proposals)
        line("line-up proposal, CPU time of this process", cpu)
        line("invitees for 8 presenters", invitees)
        print(f"proposals per theme: median {sorted(found)[len(found) // 2]}, min {min(found)}", flush=True)
        ok = pct(proposals, 95) <= 300
        print(
            f"target p95 <= 300 ms (wall): {'met' if ok else 'NOT met'}; "
            f"CPU p95 {pct(cpu, 95):.0f} ms; load average now {os.getloadavg()[0]:.1f}"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
