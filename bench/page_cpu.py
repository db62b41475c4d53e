"""CPU time per request of the pages people open, in process (no HTTP, no other worker): the robust figure on a
shared machine, where req/s under wrk moves with everybody else's load.

    .venv/bin/python bench/page_cpu.py --size 100000 --db sqlite --requests 40
    .venv/bin/python bench/page_cpu.py --size 100000 --profile achievements      # cProfile of one page

Uses the catalogue of bench/http_bench.py (built if missing). For each page: a few warm-up requests, then
`--requests` requests through the Flask test client; prints CPU ms (process time) and wall ms per request, p50
of wall, and the load average of the machine, so that a reader can judge the wall figures.
"""

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_bench  # noqa: E402

SIGNED_IN = ("matches", "me")


def make_app(db, size):
    """The app on the catalogue, without background workers: their threads would count in the process time."""
    from marketplace import create_app
    from marketplace.config import Config

    env = http_bench.bench_env(db, size)
    return create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=env["DATABASE_URL"],
        SEARCH_INDEX_DIR=env["SEARCH_INDEX_DIR"],
        INSTANCE_PATH=env["INSTANCE_PATH"],
        SECRET_KEY="bench",
        SEARCH_BACKGROUND=False,
        MATCH_BACKGROUND=False,
        LISTINGS_EXPIRE_SECONDS=0,
        PAGE_CACHE_SECONDS=0,  # the cost of rendering a page; http_bench.py measures the site with its page cache
    )


def page_urls(info, queries):
    paths = http_bench.page_paths(info, queries)
    paths["price_asc"] = ["/achievements?sort=price_asc"]
    paths["industry"] = ["/needs?industry=electronics"]
    return paths


def measure(client, paths, requests):
    """(cpu ms, wall ms, wall p50 ms) per request over `requests` requests cycling through `paths`."""
    for path in paths[:3]:
        _get(client, path)
    walls = []
    cpu0 = time.process_time()
    for i in range(requests):
        start = time.perf_counter()
        _get(client, paths[i % len(paths)])
        walls.append((time.perf_counter() - start) * 1000)
    cpu = (time.process_time() - cpu0) * 1000 / requests
    return cpu, sum(walls) / requests, statistics.median(walls)


def _get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    return response


def signed_in_client(app, email):
    """A test client signed in through the real sign-in form (CSRF token and all)."""
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    form = {"email": email, "password": http_bench.BENCH_PASSWORD, "csrf_token": token.group(1) if token else ""}
    client.post("/account/login", data=form)
    return client


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pages", nargs="+")
    parser.add_argument("--profile", help="print a cProfile of this page instead")
    parser.add_argument("--queries", type=int, default=40, help="distinct search queries (see bench/http_bench.py)")
    args = parser.parse_args(argv)
    import corpus

    info = http_bench.ensure_catalogue(args.db, args.size)
    app = make_app(args.db, args.size)
    paths = page_urls(info, corpus.queries(args.queries))
    anonymous, signed = app.test_client(), signed_in_client(app, info["email"])
    if args.profile:
        client = signed if args.profile in SIGNED_IN else anonymous
        measure(client, paths[args.profile], 3)
        profiler = cProfile.Profile()
        profiler.runcall(measure, client, paths[args.profile], args.requests)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'page':<13} {'cpu ms':>7} {'wall ms':>8} {'p50 ms':>7}")
    for name in args.pages or paths:
        cpu, wall, p50 = measure(signed if name in SIGNED_IN else anonymous, paths[name], args.requests)
        print(f"{name:<13} {cpu:>7.1f} {wall:>8.1f} {p50:>7.1f}", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
