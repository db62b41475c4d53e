"""`make run`'s server under slow clients: gunicorn with gunicorn.conf.py, started for real on a free port.

200 sockets that send half a request must not stop the site: every probe is answered (no timing asserted;
the probes' socket timeout only bounds the test if the site were stuck).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from marketplace.serving import BODY_BUFFER_BYTES, request_complete

ROOT = Path(__file__).resolve().parents[2]


def test_request_complete_waits_for_headers_and_small_bodies():
    assert not request_complete(b"GET / HTTP/1.1\r\nHost: x\r\n")
    assert request_complete(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    post = b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
    assert not request_complete(post + b"12345")
    assert request_complete(post + b"1234567890")
    big = f"POST /x HTTP/1.1\r\nContent-Length: {BODY_BUFFER_BYTES + 1}\r\n\r\n".encode()
    assert request_complete(big)  # an upload goes to a thread once its headers are in
    assert request_complete(b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app as `make run` serves it (gunicorn.conf.py, wsgi:app), on a SQLite file of its own."""
    yield from run_gunicorn(tmp_path_factory.mktemp("serve"))


def run_gunicorn(tmp_path):
    """Start gunicorn as `make run` does; yields its base URL, stops it afterwards."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
        "SEARCH_INDEX_DIR": str(tmp_path / "ix"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "serve-test",
        "PORT": str(_free_port()),
        "LOG_LEVEL": "warning",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "MARKETPLACE_ENV": "development",
    }
    env.pop("FLASK_APP", None)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from marketplace import create_app; from marketplace.extensions import db\n"
            "app = create_app()\nwith app.app_context(): db.create_all()",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    for _ in range(600):  # bounded wait for the workers (each warms up first)
        try:
            if _get(base + "/healthz", 2) == 200:
                break
        except OSError:
            time.sleep(0.2)
    yield base
    os.killpg(proc.pid, 15)
    proc.wait(timeout=60)
    log.close()


def _get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        resp.read()
        return resp.status


def test_200_slow_header_sockets_do_not_stop_the_site(served):
    host, port = served.removeprefix("http://").split(":")
    slow = []
    try:
        for _ in range(200):
            sock = socket.create_connection((host, int(port)))
            sock.sendall(b"GET /achievements HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # never finished
            slow.append(sock)
        statuses = [_get(served + path) for path in ("/healthz", "/", "/achievements", "/needs", "/healthz")]
        assert statuses == [200] * 5
        slow[0].sendall(b"1\r\n\r\n")  # a slow client that finally finishes is served too
        slow[0].settimeout(30)
        assert slow[0].recv(12).startswith(b"HTTP/1.1 200")
    finally:
        for sock in slow:
            sock.close()


def test_a_slow_small_post_body_does_not_hold_a_thread(served):
    host, port = served.removeprefix("http://").split(":")
    slow = []
    try:
        for _ in range(20):
            sock = socket.create_connection((host, int(port)))
            sock.sendall(
                b"POST /account/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nemail=a"
            )
            slow.append(sock)
        assert [_get(served + "/healthz") for _ in range(4)] == [200] * 4
    finally:
        for sock in slow:
            sock.close()


def test_warm_up_serves_the_common_pages_once_and_opens_the_index_in_every_thread(app, factory, caplog):
    from concurrent.futures import ThreadPoolExecutor

    from marketplace.search import services
    from marketplace.serving import WARM_PATHS, warm_up

    factory.listing("achievement", title="预热成果")
    services.ensure_index()
    seen = []
    app.before_request(lambda: seen.append(__import__("flask").request.full_path.rstrip("?")))
    with ThreadPoolExecutor(max_workers=2) as pool, caplog.at_level("INFO", logger="marketplace.serving"):
        warm_up(app, threads=2, executor=pool)
        pool_threads = set(pool._threads)
    assert sorted(seen) == sorted(p.rstrip("?") for p in WARM_PATHS)
    store = services.get_store(app)
    assert {t.ident for t in pool_threads} <= set(store._all)  # each pool thread has its searcher open
    assert "worker warmed up" in caplog.text
    assert "failed" not in caplog.text


def _background_processes(instance_path):
    """pids of `python -m marketplace.serving` processes whose INSTANCE_PATH is `instance_path`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"marketplace.serving" in cmdline and f"INSTANCE_PATH={instance_path}".encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def _wait_for(predicate, rounds=300):
    for _ in range(rounds):  # bounded: 60 s at most
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_background_work_runs_in_one_process_of_its_own_restarted_after_kill_9(tmp_path_factory):
    """Web workers keep the interpreter for requests: the updaters run in one process the master restarts."""
    folder = tmp_path_factory.mktemp("background")
    runner = run_gunicorn(folder)
    base = next(runner)
    try:
        instance = folder / "instance"
        first = _wait_for(lambda: _background_processes(instance))
        assert len(first) == 1
        os.kill(first[0], 9)
        second = _wait_for(lambda: [p for p in _background_processes(instance) if p != first[0]])
        assert len(second) == 1, (folder / "gunicorn.log").read_text(errors="replace")[-4000:]
        assert _get(base + "/achievements") == 200
    finally:
        next(runner, None)
    assert _wait_for(lambda: not _background_processes(instance))  # gone with the master


def test_a_web_worker_leaves_background_work_to_the_background_process(monkeypatch, tmp_path):
    """The master imports the package (the worker class) before it forks: the role must be read when the worker
    builds its app, or every web worker also ran the index updater and the suggestion refresher."""
    import runpy
    from types import SimpleNamespace

    from marketplace import background, create_app
    from marketplace.config import Config

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    monkeypatch.setenv(background.PROCESS_ROLE_ENV, "")  # restored (unset) after the test
    server = SimpleNamespace(app=SimpleNamespace(app_uri="wsgi:app"), cfg=SimpleNamespace(preload_app=False))
    settings["post_fork"](server, SimpleNamespace())
    assert os.environ[background.PROCESS_ROLE_ENV] == "web"

    class Served(Config):  # what `make run` builds: the defaults switch every background worker on
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/web.db"
        SECRET_KEY = "web-worker-test"
        SEARCH_INDEX_DIR = str(tmp_path / "ix")

    assert Served.SEARCH_BACKGROUND and Served.LISTINGS_EXPIRE_SECONDS
    app = create_app(Served)
    assert [worker.name for worker in background.enabled(app)] == ["listing-views"]


def test_request_threads_are_refused_where_they_crashed_workers(monkeypatch, capsys):
    """On Python 3.11 several request threads per worker crashed workers (SIGSEGV) under load: asking for 4 serves
    with 1 and says why; on 3.12 and later the setting is taken as given."""
    import runpy

    monkeypatch.setenv("GUNICORN_THREADS", "4")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    if sys.version_info < settings["THREADS_UNSAFE_BELOW"]:
        assert settings["threads"] == 1
        assert "GUNICORN_THREADS=4 ignored" in capsys.readouterr().err
    else:
        assert settings["threads"] == 4
    monkeypatch.delenv("GUNICORN_THREADS")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["threads"] == 1  # the default
