"""Brute-force benchmark: how many password guesses per minute reach the password check, per account and per IP.

Starts the real app under gunicorn (gunicorn.conf.py, 4 gthread workers by default) on a free port with its own
instance folder and SQLite database, like tests/browser/conftest.py, creates one account, then hammers
POST /account/login with wrong passwords from several client threads for --seconds per scenario:

  account/one-ip     one account, one client IP
  ip/many-accounts   one client IP, a new (unknown) address on every guess
  account/many-ips   one account, a different client IP on every guess (X-Forwarded-For, PROXY_FIX_X_FOR=1)

For each it prints how many guesses were checked (200: "wrong password"), refused (429: locked) or other,
scaled to a minute, and whether the right password still works at the end. --storage redis uses
RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0; --no-limits sets the limits so high that nothing is throttled
(the figures before issue 11).

    .venv/bin/python bench/bruteforce.py --workers 4 --seconds 60 --storage database
"""

import argparse
import http.cookiejar
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-right-password-2026"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, workers, storage, no_limits):
        self.base = Path(tempfile.mkdtemp(prefix="bruteforce-"))
        self.port = free_port()
        instance = self.base / "instance"
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
        self.env.update(
            FLASK_APP="wsgi.py",
            MARKETPLACE_ENV="development",
            INSTANCE_PATH=str(instance),
            DATABASE_URL="sqlite:///" + str(instance / "marketplace.db"),
            SEARCH_INDEX_DIR=str(self.base / "ix"),
            OUTBOX_DIR=str(instance / "outbox"),
            UPLOAD_FOLDER=str(instance / "uploads"),
            PORT=str(self.port),
            WEB_CONCURRENCY=str(workers),
            PYTHONUNBUFFERED="1",
            PROXY_FIX_X_FOR="1",
            LOG_LEVEL="warning",
            RATELIMIT_KEY_PREFIX=f"bench-{uuid.uuid4().hex}:",
        )
        if storage == "redis":
            self.env["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
        if no_limits:
            self.env.update(LOGIN_MAX_FAILURES="100000000", LOGIN_IP_MAX_FAILURES="100000000")
        instance.mkdir(parents=True)
        self.process = None

    def flask(self, *args):
        env = dict(self.env, SEARCH_BACKGROUND="0")
        subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    def start(self):
        self.flask("db", "upgrade")
        self.flask(
            "users", "create-operator", "--email", "victim@bench.jxtm.cn", "--name", "被攻击者", "--password", PASSWORD
        )
        self.log = open(self.base / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start; see " + str(self.base / "gunicorn.log"))

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class Client:
    """One browser: a cookie jar and the CSRF token of the sign-in form."""

    def __init__(self, server):
        self.server = server
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        with self.opener.open(server.url("/account/login"), timeout=30) as resp:
            match = CSRF_RE.search(resp.read().decode())
        self.token = match.group(1) or match.group(2)

    def sign_in(self, email, password, forwarded_for=None):
        data = urllib.parse.urlencode({"csrf_token": self.token, "email": email, "password": password}).encode()
        req = urllib.request.Request(self.server.url("/account/login"), data=data)
        if forwarded_for:
            req.add_header("X-Forwarded-For", forwarded_for)
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status
        except urllib.error.HTTPError as err:
            return err.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def attack(server, scenario, seconds, threads):
    counts = {"checked": 0, "refused": 0, "other": 0}
    lock = threading.Lock()
    serial = itertools.count(1)
    stop_at = time.monotonic() + seconds

    def run():
        client = Client(server)
        while time.monotonic() < stop_at:
            n = next(serial)
            email = f"guess{n}@bench.jxtm.cn" if scenario == "ip/many-accounts" else "victim@bench.jxtm.cn"
            forwarded = (
                f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" if scenario == "account/many-ips" else "192.0.2.1"
            )
            status = client.sign_in(email, f"wrong-{n}", forwarded_for=forwarded)
            key = {200: "checked", 429: "refused"}.get(status, "other")
            with lock:
                counts[key] += 1

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    right = Client(server).sign_in("victim@bench.jxtm.cn", PASSWORD, forwarded_for="192.0.2.1")
    return counts, right


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--storage", choices=["database", "redis"], default="database")
    parser.add_argument("--no-limits", action="store_true", help="limits out of reach: the figures before")
    parser.add_argument("--scenarios", nargs="+", default=["account/one-ip", "ip/many-accounts", "account/many-ips"])
    args = parser.parse_args()
    print(
        f"gunicorn {args.workers} workers, storage {args.storage}, {'NO LIMITS' if args.no_limits else 'limits on'}"
        f", {args.threads} client threads, {args.seconds:g} s per scenario"
    )
    print(
        f"{'scenario':<18} {'checked':>8} {'refused':>8} {'other':>6} {'checked/min':>12} {'attempts/min':>13}"
        "  right password afterwards"
    )
    for scenario in args.scenarios:
        server = Server(args.workers, args.storage, args.no_limits)  # a fresh server: counters start at zero
        server.start()
        try:
            counts, right = attack(server, scenario, args.seconds, args.threads)
        finally:
            server.stop()
        per_minute = 60 / args.seconds
        total = sum(counts.values())
        verdict = {302: "signs in (302)", 429: "refused (429, locked)"}.get(right, str(right))
        print(
            f"{scenario:<18} {counts['checked']:>8} {counts['refused']:>8} {counts['other']:>6} "
            f"{counts['checked'] * per_minute:>12.0f} {total * per_minute:>13.0f}  {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    main()
