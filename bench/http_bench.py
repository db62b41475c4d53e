"""HTTP benchmark of the pages people open, against a bare Flask app serving the same bytes (issue 13).

    .venv/bin/python bench/http_bench.py --sizes 100000 --db sqlite postgresql --conns 8 32 --seconds 20
    .venv/bin/python bench/http_bench.py --sizes 2000 --seconds 2 --conns 8        # a quick look

For each database and size: builds (or reuses, bench/out/) a catalogue of synthetic listings (bench/corpus.py)
with its search index, starts the app as `make run` does (gunicorn -c gunicorn.conf.py wsgi:app, only the
database, index folder and instance folder come from the environment), signs in, saves the bytes of every page,
starts bench/bare_app.py under the same gunicorn settings serving those bytes, and loads both with wrk
(bench/wrk_status.lua counts 5xx). Prints req/s, p50/p99, 5xx and the ratio to the bare app per page.
Traffic goes to 127.0.0.1 only. `--json FILE` keeps the figures.
"""

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

BENCH_PASSWORD = "bench-password"
# A schema per size ({size}: search_path), so that the test suite's tables in the same database are never touched.
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/perf?options=-csearch_path%3Dbench_{size}"
)
PAGES = ("home", "achievements", "needs", "detail", "search", "matches", "me")


# ---------------------------------------------------------------- catalogue


def database_url(db, size):
    return f"sqlite:///{OUT}/http-{size}.db" if db == "sqlite" else PG_URL.replace("{size}", str(size))


TAG = ""  # bench/stress.py sets "-stress": a PostgreSQL catalogue (schema, index, marker) of its own


def index_dir(db, size):
    return str(OUT / f"http-index-{db}{TAG}-{size}")


def bench_env(db, size):
    return {
        "DATABASE_URL": database_url(db, size),
        "SEARCH_INDEX_DIR": index_dir(db, size),
        "INSTANCE_PATH": str(OUT / "instance"),
        "SECRET_KEY": "bench",
        "MARKETPLACE_ENV": "development",
    }


def make_app(db, size):
    from marketplace import create_app
    from marketplace.config import Config

    OUT.mkdir(parents=True, exist_ok=True)
    env = bench_env(db, size)
    return create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=env["DATABASE_URL"],
        SEARCH_INDEX_DIR=env["SEARCH_INDEX_DIR"],
        SEARCH_BACKGROUND=False,
        INSTANCE_PATH=env["INSTANCE_PATH"],
        SECRET_KEY="bench",
    )


def ensure_catalogue(db, size, fresh=False, log=print):
    """The catalogue of `size` listings in `db`, built once and reused (a marker file records what is there)."""
    marker = OUT / f"http-{db}{TAG}-{size}.json"
    if marker.exists() and not fresh:
        return json.loads(marker.read_text())
    if db == "postgresql":
        if "{size}" not in PG_URL:  # one schema holds one size at a time
            for other in OUT.glob("http-postgresql-*.json"):
                other.unlink()
        _ensure_schema(database_url(db, size))
    import corpus
    from search_bench import build_index, load_database

    app = make_app(db, size)
    log(f"building {size:,} listings on {db} ...")
    records = corpus.records(size)
    seconds = load_database(app, records)
    info = _finish_catalogue(app)
    log(f"  database {seconds:.1f}s; indexing ...")
    index_seconds, count = build_index(app)
    log(f"  index {count:,} documents in {index_seconds:.1f}s")
    info.update(size=size, db=db, built=time.strftime("%Y-%m-%d %H:%M:%S"))
    marker.write_text(json.dumps(info))
    return info


def _ensure_schema(url):
    """CREATE SCHEMA for a URL whose options set search_path (…?options=-csearch_path%3Dname)."""
    match = re.search(r"search_path(?:%3D|=)([A-Za-z_][A-Za-z0-9_]*)", url)
    if not match:
        return
    import psycopg

    plain = url.split("?", 1)[0].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {match.group(1)}")


def _finish_catalogue(app):
    """A company account owning a few needs (for /matches and /me), stored suggestions for them, the matching
    updater caught up with the log (the steady state of a running market), fresh planner statistics."""
    from marketplace.accounts.services import create_organisation, create_user
    from marketplace.dbsetup import optimize
    from marketplace.extensions import db
    from marketplace.listings.models import Listing, ListingChange
    from marketplace.matching import services as matching
    from marketplace.matching.models import MatchState

    with app.app_context():
        org = create_organisation(name="基准测试企业", org_type="enterprise", region="nanchang")
        org.verification_status = "verified"
        user = create_user(
            email="bench-company@example.cn", password=BENCH_PASSWORD, name="基准企业", role="company", organisation=org
        )
        db.session.flush()
        needs = (
            db.session.execute(db.select(Listing.id).where(Listing.kind == "need").order_by(Listing.id.desc()).limit(5))
            .scalars()
            .all()
        )
        db.session.execute(
            db.update(Listing).where(Listing.id.in_(needs)).values(owner_id=user.id, organisation_id=org.id)
        )
        top = db.session.execute(db.select(db.func.max(ListingChange.id))).scalar() or 0
        state = db.session.get(MatchState, matching.STATE_NAME) or MatchState(name=matching.STATE_NAME)
        state.last_change_id = top
        db.session.add(state)
        db.session.commit()
        try:
            matching.refresh_listings(needs)
            db.session.commit()
        except Exception as err:  # noqa: BLE001 - the page still renders without stored suggestions
            db.session.rollback()
            print(f"  (suggestions not precomputed: {err})")
        detail = db.session.execute(
            db.select(Listing.id).where(Listing.kind == "achievement").order_by(Listing.id.desc()).limit(1)
        ).scalar()
        db.session.remove()  # end the session's transaction (the write lock, on SQLite) before ANALYZE
        optimize(db.engine)  # on PostgreSQL also VACUUM: counts read the index only
        return {"detail_id": detail, "email": "bench-company@example.cn"}


# ---------------------------------------------------------------- servers


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url, proc, bound=180.0):
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} not ready")


def start_gunicorn(app_spec, env, port, chdir=None, log_path=None):
    """gunicorn with the project's gunicorn.conf.py, exactly as `make run` starts it."""
    full = {**os.environ, **env, "PORT": str(port), "LOG_LEVEL": "warning"}
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
    if chdir:
        cmd += ["--chdir", str(chdir)]
    cmd += ["--access-logfile", "/dev/null", app_spec]
    out = open(log_path or os.devnull, "ab")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(cmd, cwd=str(ROOT), env=full, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    wait_ready(f"http://127.0.0.1:{port}/healthz", proc)
    return proc


def stop(proc):
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ---------------------------------------------------------------- pages


def sign_in(base, email, password=BENCH_PASSWORD):
    """A session cookie of the signed-in bench account, through the real sign-in form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/account/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token.group(1) if token else ""})
    opener.open(f"{base}/account/login", data=data.encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def page_paths(info, queries):
    return {
        "home": ["/"],
        "achievements": ["/achievements"],
        "needs": ["/needs"],
        "detail": [f"/achievements/{info['detail_id']}"],
        "search": ["/search/?" + urllib.parse.urlencode({"q": q}) for q in queries],
        "matches": ["/matches/"],
        "me": ["/me/"],
    }


def fetch(base, path, cookie=None):
    req = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status, resp.read()


def snapshot(base, paths, cookie, folder):
    """Save each page's bytes (and warm the app once per path) for the bare app."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for name, items in paths.items():
        for i, path in enumerate(items):
            status, body = fetch(base, path, cookie if name in ("matches", "me") else None)
            if status != 200:
                raise RuntimeError(f"{path}: {status}")
            file = folder / f"{name}-{i}.html"
            file.write_bytes(body)
            manifest[path] = file.name
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return manifest


# ---------------------------------------------------------------- load


def run_wrk(base, paths, conns, seconds, cookie=None):
    """wrk against a rotation of paths; returns req/s, p50/p99 (ms), 5xx, socket errors."""
    list_file = OUT / f"paths-{os.getpid()}.txt"
    list_file.write_text("\n".join(paths) + "\n")
    env = {**os.environ, "WRK_PATHS": str(list_file), "WRK_COOKIE": cookie or ""}
    cmd = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(conns),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(BENCH / "wrk_status.lua"),
        base,
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 60).stdout
    figures = {
        "rps": _grab(r"Requests/sec:\s+([\d.]+)", out),
        "p50": _grab(r"LAT p50=(\d+)", out) / 1000,
        "p99": _grab(r"LAT p50=\d+ p99=(\d+)", out) / 1000,
        "5xx": int(_grab(r"STATUS 5xx=(\d+)", out)),
        "requests": int(_grab(r"(\d+) requests in", out)),
        "errors": int(sum(float(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))),
    }
    return figures


def _grab(pattern, text):
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


def measure(db, size, args, queries):
    info = ensure_catalogue(db, size, fresh=args.fresh)
    env = bench_env(db, size)
    port, bare_port = free_port(), free_port()
    logs = OUT / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    app_proc = bare_proc = None
    rows = []
    try:
        started = time.monotonic()
        app_proc = start_gunicorn("wsgi:app", env, port, log_path=logs / f"app-{db}-{size}.log")
        base = f"http://127.0.0.1:{port}"
        ready_seconds = time.monotonic() - started
        cookie = sign_in(base, info["email"])
        first_search = _first_search(base, queries[0])
        paths = page_paths(info, queries)
        folder = OUT / f"bare-{db}-{size}"
        snapshot(base, paths, cookie, folder)
        bare_proc = start_gunicorn(
            "bare_app:app", {"BARE_DIR": str(folder)}, bare_port, chdir=BENCH, log_path=logs / "bare.log"
        )
        bare = f"http://127.0.0.1:{bare_port}"
        for name in args.pages:
            for conns in args.conns:
                signed = cookie if name in ("matches", "me") else None
                ours = run_wrk(base, paths[name], conns, args.seconds, signed)
                theirs = run_wrk(bare, paths[name], conns, args.seconds, signed)
                row = {
                    "db": db,
                    "size": size,
                    "page": name,
                    "conns": conns,
                    **ours,
                    "bare_rps": theirs["rps"],
                    "ratio": ours["rps"] / theirs["rps"] if theirs["rps"] else 0,
                }
                rows.append(row)
                print_row(row)
        print(
            f"  ({db} {size:,}: workers ready in {ready_seconds:.1f}s; first search after start "
            f"{first_search * 1000:.0f} ms)"
        )
    finally:
        stop(bare_proc)
        stop(app_proc)
    return rows


def _first_search(base, query):
    start = time.perf_counter()
    fetch(base, "/search/?" + urllib.parse.urlencode({"q": query}))
    return time.perf_counter() - start


HEADER = (
    f"{'db':<10} {'size':>7} {'page':<13} {'c':>3} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'5xx':>5} "
    f"{'err':>4} {'bare req/s':>10} {'ratio':>6}"
)


def print_row(row):
    print(
        f"{row['db']:<10} {row['size']:>7} {row['page']:<13} {row['conns']:>3} {row['rps']:>8.1f} "
        f"{row['p50']:>7.1f} {row['p99']:>7.1f} {row['5xx']:>5} {row['errors']:>4} {row['bare_rps']:>10.1f} "
        f"{row['ratio']:>6.3f}",
        flush=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--conns", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument("--fresh", action="store_true", help="rebuild the catalogues")
    parser.add_argument("--build-only", action="store_true", help="build the catalogues, measure nothing")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument(
        "--queries",
        type=int,
        default=40,
        help="distinct search queries cycled by the search page's clients (repeats are answered from the index's "
        "result cache: 40 measures mostly repeats, 5000 mostly first-time searches)",
    )
    args = parser.parse_args(argv)
    import corpus

    queries = corpus.queries(args.queries)
    rows = []
    for db in args.db:
        for size in args.sizes:
            if args.build_only:
                ensure_catalogue(db, size, fresh=args.fresh)
                continue
            print(HEADER)
            rows += measure(db, size, args, queries)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":
    main()
