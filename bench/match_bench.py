"""Matching performance at scale: pool build, recompute one listing, serve stored suggestions, publish-to-current.

    .venv/bin/python bench/match_bench.py --n 100000 [--samples 100]

Builds a synthetic market (bench/corpus.py: CSL titles and abstracts recombined, 80% achievements) in a fresh
temporary SQLite database, then measures in-process:
- pool build: time and memory of the matcher's in-memory pools (once per updater process);
- recompute: one listing's own list (rank + store), and with its reverse side (its 10 best counterparts);
- serve: `services.suggestions_for` (one indexed query) plus rendering the explanations, over stored lists;
  the table is filled with 20 rows per listing (synthetic factor JSON of the real shape) so it has its real size;
- publish-to-current: commit a new listing, then apply the change log as the background updater does.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FACTORS = [
    {"code": "text", "value": 0.8, "key": "text", "params": {"terms": ["石墨烯", "锂电池"]}},
    {"code": "category", "value": 1.0, "key": "category_given", "params": {"category": "new_materials"}},
    {"code": "region", "value": 0.05, "key": "region_same", "params": {"region": "nanchang"}},
]


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def line(name, values, cpu=None):
    """Wall-clock percentiles, and those of the CPU time this process spent (the machine is shared: under load
    the wall time mostly measures waiting for a core)."""
    cpu_part = f"   CPU p50 {pct(cpu, 50):7.1f} ms p95 {pct(cpu, 95):7.1f} ms" if cpu else ""
    print(
        f"{name:48} p50 {pct(values, 50):8.1f} ms   p95 {pct(values, 95):8.1f} ms{cpu_part}   (n={len(values)}; "
        f"load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )


def bench_app(prefix):
    """An app on a fresh SQLite database and index in a temporary folder, no background workers."""
    from marketplace import create_app

    tmp = tempfile.mkdtemp(prefix=prefix)
    return create_app(
        None,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(tmp, "bench.db"),
        SECRET_KEY="bench",
        SEARCH_BACKGROUND=False,
        MATCH_BACKGROUND=False,
        SEARCH_INDEX_DIR=os.path.join(tmp, "index"),
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
    )


def load_market(n, db):
    """Bulk-insert the corpus (listings, tags) with two owners; returns listing ids by kind."""
    import corpus

    from marketplace.accounts.services import create_organisation, create_user
    from marketplace.listings.models import Listing, Tag, listing_tags
    from marketplace.listings.tags import tag_key
    from marketplace.models_base import utcnow

    org_a = create_organisation(name="成果方", org_type="university", region="nanchang")
    org_n = create_organisation(name="需求方", org_type="enterprise", region="nanchang")
    owners = {
        "achievement": create_user(
            email="a@example.invalid", password="x" * 12, name="甲", role="researcher", organisation=org_a
        ),
        "need": create_user(
            email="n@example.invalid", password="x" * 12, name="乙", role="company", organisation=org_n
        ),
    }
    db.session.commit()
    records = corpus.records(n)
    first_names = {}  # one Tag per key (tags.tag_key), shown as first written
    for name in sorted({t[:40] for r in records for t in r["tags"]}):
        first_names.setdefault(tag_key(name), name)
    db.session.execute(db.insert(Tag), [{"name": n, "match_key": k} for k, n in first_names.items()])
    key_ids = dict(db.session.execute(db.select(Tag.match_key, Tag.id)).all())
    columns = set(Listing.__table__.columns.keys())
    now = utcnow()
    rows = []
    for r in records:
        row = {k: v for k, v in r.items() if k in columns}
        owner = owners[r["kind"]]
        row.update(
            owner_id=owner.id,
            organisation_id=owner.organisation_id,
            created_at=now,
            updated_at=now,
            hide_org_name=False,
        )
        rows.append(row)
    for start in range(0, len(rows), 5000):
        db.session.execute(db.insert(Listing.__table__), rows[start : start + 5000])
    ids = dict(db.session.execute(db.select(Listing.external_id, Listing.id)).all())
    links = [
        {"listing_id": ids[r["external_id"]], "tag_id": key_ids[k]}
        for r in records
        for k in dict.fromkeys(tag_key(x[:40]) for x in r["tags"])
    ]
    for start in range(0, len(links), 20000):
        db.session.execute(listing_tags.insert(), links[start : start + 20000])
    db.session.commit()
    by_kind = {"achievement": [], "need": []}
    for r in records:
        by_kind[r["kind"]].append(ids[r["external_id"]])
    return by_kind, owners


def fill_suggestions(db, by_kind, per_listing=20):
    from marketplace.matching.models import Suggestion
    from marketplace.models_base import utcnow

    rng = random.Random(3)
    now = utcnow()
    db.session.execute(db.delete(Suggestion))
    rows = []
    for kind, ids in by_kind.items():
        others = by_kind["need" if kind == "achievement" else "achievement"]
        for i in ids:
            for n, c in enumerate(rng.sample(others, per_listing)):
                rows.append(
                    {
                        "listing_id": i,
                        "candidate_id": c,
                        "rank": n + 1,
                        "score": 2.0 - n * 0.05,
                        "factors": FACTORS,
                        "computed_at": now,
                    }
                )
            if len(rows) >= 50000:
                db.session.execute(db.insert(Suggestion.__table__), rows)
                rows = []
    if rows:
        db.session.execute(db.insert(Suggestion.__table__), rows)
    db.session.commit()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10000)
    p.add_argument("--samples", type=int, default=100)
    args = p.parse_args()

    from marketplace.accounts.models import User
    from marketplace.extensions import db
    from marketplace.listings.changes import record_change
    from marketplace.listings.models import Listing, Need
    from marketplace.matching import explain, pools, services
    from marketplace.models_base import utcnow

    app = bench_app("match-bench-")
    rng = random.Random(11)
    with app.app_context():
        db.create_all()
        t = time.time()
        by_kind, owners = load_market(args.n, db)
        print(
            f"market: {len(by_kind['achievement'])} achievements, {len(by_kind['need'])} needs "
            f"loaded in {time.time() - t:.1f}s",
            flush=True,
        )

        before = rss_mb()
        t, c = time.time(), time.process_time()
        all_pools = pools.get_pools()
        print(
            f"pool build: {time.time() - t:.1f}s ({time.process_time() - c:.1f}s CPU), peak RSS {before:.0f} -> "
            f"{rss_mb():.0f} MB; load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )

        sample = rng.sample(by_kind["achievement"], args.samples // 2) + rng.sample(by_kind["need"], args.samples // 2)
        forward, both, forward_cpu, both_cpu = [], [], [], []
        for i in sample:
            t, c = time.time(), time.process_time()
            for listing_id, results in services.rankings([i], all_pools):  # reads the listing's full text
                services._store_many({listing_id: results}, utcnow())
            db.session.flush()
            forward.append(time.time() - t)
            forward_cpu.append(time.process_time() - c)
        db.session.commit()
        for i in sample[: max(10, args.samples // 5)]:
            t, c = time.time(), time.process_time()
            services.refresh_listings([i], all_pools)
            both.append(time.time() - t)
            both_cpu.append(time.process_time() - c)
        db.session.commit()
        line("recompute one listing (rank + store)", forward, forward_cpu)
        line("recompute with reverse side (10 counterparts)", both, both_cpu)

        t = time.time()
        fill_suggestions(db, by_kind)
        print(
            f"filled {db.session.execute(db.select(db.func.count()).select_from(services.Suggestion)).scalar()} "
            f"stored suggestions in {time.time() - t:.1f}s",
            flush=True,
        )
        viewers = {k: SimpleNamespace(id=u.id) for k, u in owners.items()}
        owner_id = owners["need"].id
        serve, serve_cpu = [], []
        for i in rng.sample(by_kind["need"] + by_kind["achievement"], 200):
            db.session.expunge_all()
            t, c = time.time(), time.process_time()
            listing = db.session.get(Listing, i)
            for s in services.suggestions_for(listing, viewers[listing.kind], limit=10):
                explain.split(s.factors)
                s.candidate.title  # noqa: B018 - the partial shows it
            serve.append(time.time() - t)
            serve_cpu.append(time.process_time() - c)
        line("serve a listing's suggestions (query + reasons)", serve, serve_cpu)

        current, current_cpu = [], []
        owner = db.session.get(User, owner_id)
        for n in range(20):
            need = Need(
                title=f"寻求{rng.choice(['石墨烯', '稀土永磁', '锂电池', '水稻', '物联网'])}相关技术{n}",
                summary="希望与高校合作开发新型材料与工艺，提高产品性能。",
                industry="new_materials",
                region="nanchang",
                status="published",
                owner=owner,
                organisation=owner.organisation,
                published_at=utcnow(),
            )
            db.session.add(need)
            db.session.flush()
            record_change(need.id)
            db.session.commit()
            t, c = time.time(), time.process_time()
            while services.process_changes():
                db.session.commit()
            db.session.commit()
            current.append(time.time() - t)
            current_cpu.append(time.process_time() - c)
        line("publish -> own and reverse lists current", current, current_cpu)
        print(f"(+ up to {0.5:.1f} s polling interval of the background updater)")
        print(
            f"posting arrays: {sum(p.memory_estimate() for p in all_pools.by_kind.values()) / 1e6:.0f} MB; "
            f"mean of forward recompute {statistics.mean(forward) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
