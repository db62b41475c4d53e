"""A short run of bench/stress.py (seconds, not minutes) on the database the suite runs on.

The app runs under gunicorn as `make run` starts it, on a catalogue of its own: a SQLite file in a temporary
folder, or, in the PostgreSQL pass, a schema of its own (stress_ci) in DATABASE_URL's database, so the suite's
tables are never touched. Outcomes are asserted (no 5xx, nothing acknowledged lost, index == published set, slow
clients served, no orphaned indexer, every probe listing found), never timings.
"""

import contextlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import http_bench  # noqa: E402
import stress  # noqa: E402

SCHEMA = "stress_ci"


@contextlib.contextmanager
def bench_database(out):
    """(db, pg_url) for bench scripts: SQLite files under `out`, or a schema of its own in DATABASE_URL's
    PostgreSQL database (created here, dropped afterwards)."""
    http_bench.OUT = stress.OUT = out
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield "sqlite", None
        return
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
    pg_url = f"{plain}{'&' if '?' in plain else '?'}options=-csearch_path%3D{SCHEMA}"
    http_bench.PG_URL = pg_url
    try:
        yield "postgresql", pg_url
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


@pytest.fixture(scope="module")
def stress_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("stress")
    with bench_database(out) as (db, pg_url):
        site = stress.Site(db, 300, out / "site", pg_url=pg_url)
        site.start()
        yield site
        site.stop()


def test_mixed_reads_and_writes_during_a_published_import(stress_site):
    import corpus

    args = stress.parse_args(["--seconds", "4", "--conns", "6", "--import-rows", "150", "--settle", "120"])
    result = stress.mixed_load(stress_site, args, corpus.queries(5))
    assert result["5xx"] == 0, result
    assert result["writes_lost"] == 0 and result["writes_acknowledged"] > 0, result
    assert result["import_exit"] == 0, result
    assert result["index_missing"] == 0 and result["index_extra"] == 0, result


def test_slow_clients_do_not_stop_the_site(stress_site):
    result = stress.slow_clients(stress_site, 100)
    assert all(status == 200 for _path, status, _ms in result["probes"]), result


def test_kill_9_of_an_import_and_of_a_worker(stress_site):
    result = stress.kill_rounds(stress_site, 2, 2100)
    assert all(r["orphans"] == 0 for r in result["rounds"]), result
    assert all(r["searchable_s"] is not None for r in result["rounds"]), result


def test_hostile_queries_never_5xx(stress_site):
    result = stress.hostile(stress_site, 150)
    assert result["5xx_or_dropped"] == 0, result
