"""Fresh suggestions after a bulk import (issue 12 item 6): how long until 10,000 imported listings are reflected.

    .venv/bin/python bench/match_refresh_bench.py [--n 10000] [--readers 2]

Loads N listings into a fresh temporary SQLite database as `flask listings import` leaves them (published, one
ListingChange row each), then drains the change log exactly as the background updater does (`_round`: compute a
batch without the write lock, then claim and store it) while `--readers` threads serve stored suggestions the way
the listing page does, and prints the time to current, the listings recomputed, the readers' p95, the load
average and the CPU time. Then the same with `flask match refresh`'s path (every published listing once).
"""

import argparse
import os
import random
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def serve_loop(app, ids, stop, times):
    """A reader: one listing's stored suggestions at a time, as the detail page asks for them."""
    from marketplace.dbsetup import read_only
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.matching import services

    rng = random.Random(threading.get_ident())
    with app.app_context(), read_only():
        while not stop.is_set():
            t = time.time()
            services.suggestions_for(db.session.get(Listing, rng.choice(ids)))
            db.session.rollback()
            times.append(time.time() - t)
            time.sleep(0.01)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--readers", type=int, default=2)
    args = p.parse_args()

    from match_bench import bench_app, load_market, pct

    from marketplace.extensions import db
    from marketplace.listings.changes import record_changes
    from marketplace.matching import background, pools, services
    from marketplace.matching.models import Suggestion

    app = bench_app("match-refresh-")
    with app.app_context():
        db.create_all()
        by_kind, _owners = load_market(args.n, db)
        ids = by_kind["achievement"] + by_kind["need"]
        record_changes(ids)
        db.session.commit()
        print(f"imported {len(ids)} listings (one change row each); load average {os.getloadavg()}", flush=True)

        stop, times = threading.Event(), []
        readers = [threading.Thread(target=serve_loop, args=(app, ids, stop, times)) for _ in range(args.readers)]
        for r in readers:
            r.start()
        t0, c0 = time.time(), cpu()
        applied = 0
        while True:
            n = background._round(app)
            if not n:
                break
            applied += n
        wall, used = time.time() - t0, cpu() - c0
        stop.set()
        for r in readers:
            r.join()
        stored = db.session.execute(db.select(db.func.count(db.distinct(Suggestion.listing_id)))).scalar()
        print(
            f"updater drain: {applied} changes applied, {stored} listings with stored lists, "
            f"{wall:.1f}s wall (incl. pool build), {used:.1f}s CPU (process, readers included); "
            f"readers p95 {pct(times, 95):.1f} ms over {len(times)} reads; load average {os.getloadavg()}",
            flush=True,
        )

        pools.reset()
        t0, c0 = time.time(), cpu()
        done = 0
        for progress in services.refresh_batches():
            db.session.commit()
            done = progress[0]
        print(
            f"flask match refresh path: {done} listings in {time.time() - t0:.1f}s wall (incl. pool build), "
            f"{cpu() - c0:.1f}s CPU; load average {os.getloadavg()}",
            flush=True,
        )


if __name__ == "__main__":
    main()
