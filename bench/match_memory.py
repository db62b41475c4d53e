"""Memory of the matcher's pools at scale (issue 13: matching memory at 100k <= 250 MB per host).

    .venv/bin/python bench/match_memory.py --n 100000

Builds both pools (achievements, needs) from the synthetic market (bench/corpus.py) without a database and prints
the process's resident memory before and after, the build time (wall and CPU) and the load average. The pools
exist once per host: only the suggestion updater (one leader per host, matching/background.py) and the
`flask match` commands build them; web workers serve stored suggestions from the database.
"""

import argparse
import gc
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100000)
    args = p.parse_args()

    import corpus

    from marketplace.matching import features, postings
    from marketplace.matching import text as textmod

    docs = [
        features.Doc(
            id=i,
            kind=r["kind"],
            title=r["title"],
            body=r["summary"],
            tags=tuple(r["tags"]),
            region=r["region"],
            price_wan=r["price_wan"],
            cooperation_mask=r["cooperation_mask"],
            published_at=r["published_at"],
            owner_id=1,
            organisation_id=1,
        )
        for i, r in enumerate(corpus.records(args.n))
    ]
    textmod.use_vocabulary([*textmod.domain_terms(), *(t for d in docs for t in d.tags)])
    gc.collect()
    before, t0, c0 = rss_mb(), time.time(), cpu()
    pools = {kind: postings.Pool(d for d in docs if d.kind == kind) for kind in ("achievement", "need")}
    gc.collect()
    after = rss_mb()
    print(
        f"n={args.n}: pools {', '.join(f'{k} {len(v)}' for k, v in pools.items())}; RSS {before:.0f} -> {after:.0f} MB "
        f"(+{after - before:.0f} MB for the pools; the listings' text is held by this benchmark, not by the pools); "
        f"build {time.time() - t0:.1f}s wall, {cpu() - c0:.1f}s CPU; load average {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
