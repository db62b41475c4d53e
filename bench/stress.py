"""Reliability under load and faults (issue 12), against the app served as `make run` serves it.

    .venv/bin/python bench/stress.py --db sqlite postgresql          # the full run: 10k listings, 32 x 60 s ...
    .venv/bin/python bench/stress.py --size 300 --seconds 5 --conns 8 --import-rows 300 --slow 50 \
        --kill-rounds 2 --hostile 300                                # a short look (what CI runs, in tests)

Each scenario prints its figures and whether it passed:
1. mixed load: `--conns` keep-alive clients for `--seconds` (reads of /, lists, a detail page, search; writes:
   saved searches of a signed-in user, each acknowledged write remembered) while `flask listings import --publish`
   of `--import-rows` listings runs and the workers' updaters apply it. Pass: 0 x 5xx, every acknowledged write
   is in the database, the search index holds exactly the published set afterwards; p99 of reads reported.
2. slow clients: `--slow` sockets send half a request and stay; probes of four pages must all answer.
3. kill -9: `--kill-rounds` rounds, alternately killing an import in its index phase and a web worker; after each
   round a newly published listing must be found by the site's search (seconds reported, target 5 s) and no
   indexer process may be left behind.
4. hostile queries: `--hostile` search requests with brackets, huge and odd input, junk parameters: 0 x 5xx.

The site runs on a copy of the bench/http_bench.py catalogue (SQLite) or on BENCH_PG_URL (PostgreSQL). Traffic
goes to 127.0.0.1 only; every loop is bounded.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import http_bench  # noqa: E402

OUT = http_bench.OUT
FLASK = str(ROOT / ".venv" / "bin" / "flask")


# ---------------------------------------------------------------- the site


class Site:
    """The app under gunicorn (gunicorn.conf.py) on a catalogue of its own."""

    def __init__(self, db, size, workdir, pg_url=None):
        self.db, self.size, self.workdir = db, size, Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = None
        self.port = http_bench.free_port()
        self.env = self._prepare(pg_url)

    def _prepare(self, pg_url):
        if self.db == "sqlite":
            info = http_bench.ensure_catalogue("sqlite", self.size)
            src_db = Path(http_bench.database_url("sqlite", self.size).removeprefix("sqlite:///"))
            dst_db = self.workdir / "stress.db"
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{dst_db}{suffix}").exists():
                    Path(f"{dst_db}{suffix}").unlink()
            with sqlite3.connect(src_db) as src, sqlite3.connect(dst_db) as dst:  # WAL content included
                src.backup(dst)
            index = self.workdir / "index"
            shutil.rmtree(index, ignore_errors=True)
            shutil.copytree(http_bench.index_dir("sqlite", self.size), index)
            url = f"sqlite:///{dst_db}"
        else:
            # a schema, index and marker of its own: the run changes the catalogue http_bench.py measures
            http_bench.PG_URL = pg_url or http_bench.PG_URL.replace("bench_{size}", "stress_{size}")
            http_bench.TAG = "-stress"
            info = http_bench.ensure_catalogue("postgresql", self.size, fresh=True)
            url, index = http_bench.database_url("postgresql", self.size), http_bench.index_dir("postgresql", self.size)
        self.info = info
        return {
            "DATABASE_URL": url,
            "SEARCH_INDEX_DIR": str(index),
            "INSTANCE_PATH": str(self.workdir / "instance"),
            "SECRET_KEY": "stress",
            "MARKETPLACE_ENV": "development",
            "FLASK_APP": "wsgi.py",
        }

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.proc = http_bench.start_gunicorn("wsgi:app", self.env, self.port, log_path=self.workdir / "app.log")
        self.cookie = http_bench.sign_in(self.base, self.info["email"])
        page = self.get("/account/profile", cookie=True)[1].decode()  # any page with a form
        self.csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def stop(self):
        http_bench.stop(self.proc)

    def workers(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def get(self, path, cookie=False, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Cookie": self.cookie} if cookie else {})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def flask(self, *args, timeout=600, **kwargs):
        env = {**os.environ, **self.env, "SEARCH_BACKGROUND": "0"}
        return subprocess.run(
            [FLASK, *args], cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=timeout, **kwargs
        )

    def popen_flask(self, *args):
        env = {**os.environ, **self.env, "SEARCH_BACKGROUND": "0"}
        return subprocess.Popen(
            [FLASK, *args],
            cwd=str(ROOT),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def app(self):
        from marketplace import create_app
        from marketplace.config import Config

        return create_app(
            Config,
            SQLALCHEMY_DATABASE_URI=self.env["DATABASE_URL"],
            SEARCH_BACKGROUND=False,
            SEARCH_INDEX_DIR=self.env["SEARCH_INDEX_DIR"],
            INSTANCE_PATH=self.env["INSTANCE_PATH"],
            SECRET_KEY="stress",
            MATCH_BACKGROUND=False,
            LISTINGS_EXPIRE_SECONDS=0,
        )


def write_import_file(path, rows, prefix, seed):
    import corpus

    with open(path, "w", encoding="utf-8") as fh:
        for i, rec in enumerate(corpus.records(rows, seed=seed)):
            rec = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rec.items()}
            rec.update(external_id=f"{prefix}-{i}", organisation="基准测试大学")
            for column in ("published_at", "status", "cooperation_mask"):
                rec.pop(column, None)
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def percentile(values, pct):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


# ---------------------------------------------------------------- 1. mixed load


class Load:
    """Keep-alive clients: reads and acknowledged writes (saved searches), with every status counted."""

    def __init__(self, site, queries):
        self.site, self.queries = site, queries
        self.lock = threading.Lock()
        self.read_ms, self.statuses, self.acked, self.errors = [], {}, [], 0
        self.seq = 0

    def _paths(self):
        detail = f"/achievements/{self.site.info['detail_id']}"
        return ["/", "/achievements", "/needs", detail] + [
            "/search/?" + urllib.parse.urlencode({"q": q}) for q in self.queries[:10]
        ]

    def run(self, conns, seconds, write_share=0.2):
        stop = time.monotonic() + seconds
        threads = [threading.Thread(target=self._client, args=(stop, write_share, i)) for i in range(conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 120)

    def _client(self, stop, write_share, n):
        rng = random.Random(n)
        paths = self._paths()
        conn = http.client.HTTPConnection("127.0.0.1", self.site.port, timeout=60)
        while time.monotonic() < stop:
            try:
                if rng.random() < write_share:
                    self._write(conn)
                else:
                    self._read(conn, rng.choice(paths))
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.site.port, timeout=60)
        conn.close()

    def _count(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def _read(self, conn, path):
        start = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        self._count(resp.status)
        with self.lock:
            self.read_ms.append((time.perf_counter() - start) * 1000)

    def _write(self, conn):
        with self.lock:
            self.seq += 1
            query = f"压力测试{os.getpid()}x{self.seq}"
        body = urllib.parse.urlencode({"q": query, "csrf_token": self.site.csrf})
        conn.request(
            "POST",
            "/matches/searches",
            body=body,
            headers={"Cookie": self.site.cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        resp = conn.getresponse()
        resp.read()
        self._count(resp.status)
        if resp.status == 302:
            with self.lock:
                self.acked.append(query)

    def count_5xx(self):
        return sum(n for status, n in self.statuses.items() if status >= 500)


def mixed_load(site, args, queries):
    path = write_import_file(site.workdir / "import.jsonl", args.import_rows, f"stress-{int(time.time())}", 99)
    load = Load(site, queries)
    importer = site.popen_flask("listings", "import", str(path), "--publish", "--org", "基准测试大学")
    load.run(args.conns, args.seconds)
    import_out = importer.communicate(timeout=1800)[0]
    app = site.app()
    from marketplace.dbsetup import read_only

    with app.app_context(), read_only():
        from marketplace.extensions import db
        from marketplace.matching.models import SavedSearch

        stored = (
            set(db.session.execute(db.select(SavedSearch.query).where(SavedSearch.query.in_(load.acked))).scalars())
            if load.acked
            else set()
        )
    lost = len(set(load.acked) - stored)
    drift = wait_index_consistent(site, app, bound=args.settle)
    result = {
        "requests": sum(load.statuses.values()),
        "5xx": load.count_5xx(),
        "statuses": load.statuses,
        "socket_errors": load.errors,
        "writes_acknowledged": len(load.acked),
        "writes_lost": lost,
        "read_p50_ms": round(percentile(load.read_ms, 50), 1),
        "read_p99_ms": round(percentile(load.read_ms, 99), 1),
        "import_exit": importer.returncode,
        "import_tail": import_out.strip().splitlines()[-1:] if import_out else [],
        "index_missing": len(drift["missing"]),
        "index_extra": len(drift["extra"]),
        "index_stale": len(drift["stale"]),
    }
    result["pass"] = (
        result["5xx"] == 0 and lost == 0 and importer.returncode == 0 and not (drift["missing"] or drift["extra"])
    )
    return result


def wait_index_consistent(site, app, bound=180.0):
    """Wait (bounded) until the workers' updaters have applied the log; then compare index and database."""
    from marketplace.dbsetup import read_only
    from marketplace.extensions import db
    from marketplace.search import reconcile, services

    end = time.monotonic() + bound
    with app.app_context(), read_only():
        store = services.get_store(app)
        while True:
            drift = reconcile.reconcile(store, repair=False)
            db.session.rollback()  # the next round reads a fresh snapshot
            if not (drift["missing"] or drift["extra"] or drift["stale"]) or time.monotonic() > end:
                return drift
            time.sleep(1.0)


# ---------------------------------------------------------------- 2. slow clients


def slow_clients(site, count):
    socks, probes = [], []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", site.port))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            socks.append(sock)
        for path in ("/healthz", "/", "/achievements", "/search/?q=%E7%A8%80%E5%9C%9F"):
            start = time.perf_counter()
            try:
                status = site.get(path, timeout=30)[0]
            except OSError:
                status = 0
            probes.append((path, status, round((time.perf_counter() - start) * 1000, 1)))
    finally:
        for sock in socks:
            sock.close()
    worst = max(ms for _p, _s, ms in probes)
    return {
        "sockets": count,
        "probes": probes,
        "worst_ms": worst,
        "pass": all(s == 200 for _p, s, _ms in probes) and worst <= 1000,
    }


# ---------------------------------------------------------------- 3. kill -9 rounds


def _descendants(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    found = [int(p) for p in out]
    for child in list(found):
        found += _descendants(child)
    return found


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def kill_rounds(site, rounds, rows):
    results = []
    for n in range(rounds):
        what = "import" if n % 2 == 0 else "worker"
        orphans = 0
        if what == "import":
            path = write_import_file(site.workdir / f"kill-{n}.jsonl", rows, f"kill-{n}-{int(time.time())}", 1000 + n)
            proc = site.popen_flask("listings", "import", str(path), "--publish", "--org", "基准测试大学")
            children = []
            end = time.monotonic() + 300
            while time.monotonic() < end and proc.poll() is None:  # until its indexers are forked (index phase)
                children = _descendants(proc.pid)
                if children:
                    break
                time.sleep(0.05)
            time.sleep(random.uniform(0.1, 1.0))
            children = _descendants(proc.pid) or children
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            end = time.monotonic() + 30
            while time.monotonic() < end and any(_alive(c) for c in children):
                time.sleep(0.1)
            orphans = sum(1 for c in children if _alive(c))
            for c in children:
                if _alive(c):
                    os.kill(c, signal.SIGKILL)
        else:
            workers = site.workers()
            if workers:
                os.kill(random.choice(workers), signal.SIGKILL)
        seconds = searchable_after_publish(site, n)
        results.append({"round": n, "killed": what, "orphans": orphans, "searchable_s": seconds})
    worst = max((r["searchable_s"] or 1e9) for r in results) if results else 0
    return {
        "rounds": results,
        "worst_searchable_s": worst,
        "pass": all(r["orphans"] == 0 and r["searchable_s"] is not None and r["searchable_s"] <= 5 for r in results),
    }


def searchable_after_publish(site, n, bound=60.0):
    """Publish one listing (a one-row import, as an operator's approval would) and time until search finds it."""
    token = f"zqprobe{n}k{random.randint(100000, 999999)}"
    path = site.workdir / f"probe-{n}.jsonl"
    path.write_text(
        json.dumps(
            {
                "external_id": f"probe-{n}-{token}",
                "kind": "achievement",
                "title": f"{token}成果",
                "summary": f"{token} 一种用于压力测试的成果。",
                "organisation": "基准测试大学",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    out = site.flask("listings", "import", str(path), "--publish", "--no-index", "--org", "基准测试大学")
    if out.returncode != 0:
        print(f"  probe import failed: {out.stdout[-300:]} {out.stderr[-300:]}")
        return None
    start = time.monotonic()
    query = "/search/?" + urllib.parse.urlencode({"q": token})
    while time.monotonic() - start < bound:
        try:
            status, body = site.get(query, timeout=30)
            if status == 200 and token.encode() in body:
                return round(time.monotonic() - start, 2)
        except OSError:
            pass
        time.sleep(0.1)
    return None


# ---------------------------------------------------------------- 4. hostile queries


def hostile_queries(count, seed=5):
    rng = random.Random(seed)
    pieces = [
        "(" * 2000 + "稀土",
        "稀土" * 20000,
        "*a*",
        "a* OR b*",
        '"未闭合',
        "AND (",
        "NOT",
        "稀土 AND NOT (",
        "date:[2020 TO ]",
        "\x00\x01",
        "％＄＃",
        "<script>alert(1)</script>",
        "'; DROP TABLE listings;--",
        "\ud7ff",
        "🔥" * 500,
        "title:稀土^99999",
        "~" * 100,
        "稀土~9",
        "[* TO *]",
        "{}" * 1000,
    ]
    params = [
        {"page": "99999999999999999999"},
        {"page": "-1"},
        {"sort": "nope"},
        {"kind": "x" * 300},
        {"industry": "%%"},
        {"region": "\u0000"},
        {"per_page": "1000000"},
        {},
    ]
    out = []
    for _ in range(count):
        q = rng.choice(pieces)
        if rng.random() < 0.3:
            q = q[: rng.randint(0, len(q))]
        extra = dict(rng.choice(params))
        out.append("/search/?" + urllib.parse.urlencode({"q": q, **extra}))
    return out


def hostile(site, count, conns=4):
    paths = hostile_queries(count)
    statuses, lock, slowest = {}, threading.Lock(), [0.0]

    def client(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=120)
        for path in chunk:
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=120)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                slowest[0] = max(slowest[0], time.perf_counter() - start)
        conn.close()

    threads = [threading.Thread(target=client, args=(paths[i::conns],)) for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=3600)
    fivexx = sum(n for s, n in statuses.items() if s >= 500 or s == 0)
    return {
        "queries": count,
        "statuses": statuses,
        "5xx_or_dropped": fivexx,
        "slowest_ms": round(slowest[0] * 1000, 1),
        "pass": fivexx == 0,
    }


# ---------------------------------------------------------------- main


def run(db, args, log=None):
    log = log or (lambda text: print(text, flush=True))
    import corpus

    site = Site(db, args.size, OUT / f"stress-{db}", pg_url=args.pg_url)
    results = {}
    try:
        site.start()
        queries = corpus.queries(20)
        if args.seconds:
            results["mixed"] = mixed_load(site, args, queries)
            log(f"[{db}] mixed load: {json.dumps(results['mixed'], ensure_ascii=False)}")
        if args.slow:
            results["slow"] = slow_clients(site, args.slow)
            log(f"[{db}] slow clients: {json.dumps(results['slow'], ensure_ascii=False)}")
        if args.kill_rounds:
            results["kill"] = kill_rounds(site, args.kill_rounds, args.kill_rows)
            log(f"[{db}] kill -9: {json.dumps(results['kill'], ensure_ascii=False)}")
        if args.hostile:
            results["hostile"] = hostile(site, args.hostile)
            log(f"[{db}] hostile: {json.dumps(results['hostile'], ensure_ascii=False)}")
    finally:
        site.stop()
    return results


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--size", type=int, default=10_000, help="listings in the catalogue")
    parser.add_argument("--conns", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60, help="mixed load duration (0: skip)")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--settle", type=float, default=300.0, help="bound on waiting for the index afterwards")
    parser.add_argument("--slow", type=int, default=200, help="slow-header sockets (0: skip)")
    parser.add_argument("--kill-rounds", type=int, default=20)
    parser.add_argument("--kill-rows", type=int, default=3000, help="rows of each killed import (>= 2000 forks)")
    parser.add_argument("--hostile", type=int, default=10_000)
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--json", help="write the results to this file")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    out = {db: run(db, args) for db in args.db}
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1))
    passed = all(part.get("pass") for res in out.values() for part in res.values())
    print("PASS" if passed else "FAIL")
    return out


if __name__ == "__main__":
    main()
