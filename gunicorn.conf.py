"""gunicorn settings for `make run` (gunicorn -c gunicorn.conf.py wsgi:app). Environment variables override.

Each worker builds its own app: its own database engine and search index handle, so there is no --preload.
Background work (search index updater, suggestion refresher, expiry; marketplace/background.py) runs in one
process of its own (`python -m marketplace.serving`), started and restarted by the master,
not as threads in the web workers, where it took the GIL from the request threads (GUNICORN_BACKGROUND_PROCESS=0:
threads in every worker, as under `flask run`).
Workers are marketplace.serving.BufferingThreadWorker: gthread threads, but each request is read completely in
the worker's selector loop before a thread takes it, so slow or idle clients cost a socket, not a thread (200
slow-header sockets do not stop the site). A new worker warms up (search index, segmenter, templates, the common
pages) before it takes traffic. Workers are not recycled unless GUNICORN_MAX_REQUESTS is set: the app does not
leak, and a recycled worker drops kept-alive connections and starts cold. In production, put nginx in front anyway
(deploy/nginx.conf, deploy/README.md): it buffers uploads and serves /static.
"""

import os
import subprocess
import sys
import threading


def _int_env(name, default, minimum=1):
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        value = default
    return max(minimum, value)


bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{_int_env('PORT', 8000)}")
workers = _int_env("WEB_CONCURRENCY", 2, minimum=2)
worker_class = "marketplace.serving.BufferingThreadWorker"
threads = _int_env("GUNICORN_THREADS", 4)
worker_connections = _int_env("GUNICORN_WORKER_CONNECTIONS", 1000)  # open sockets per worker, slow ones included
timeout = _int_env("GUNICORN_TIMEOUT", 60)
graceful_timeout = 20
keepalive = 5
# 0 = never recycle. When set (e.g. to contain a leak), a 10 % jitter keeps workers from restarting together; the
# recycled worker ends with "Connection: close" on its last response and its successor warms up before accepting.
max_requests = _int_env("GUNICORN_MAX_REQUESTS", 0, minimum=0)
max_requests_jitter = max_requests // 10
preload_app = False
background_process = os.environ.get("GUNICORN_BACKGROUND_PROCESS", "1") != "0"
ROOT = os.path.dirname(os.path.abspath(__file__))
# What web workers run with when the background process does the background work (marketplace.config reads it:
# the master never imports the app, so each worker reads these after its fork).
WEB_WORKER_ENV = {"SEARCH_BACKGROUND": "0", "MATCH_BACKGROUND": "0", "LISTINGS_EXPIRE_SECONDS": "0"}

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "marketplace"


def _serves_marketplace(server):
    return getattr(server.app, "app_uri", "").startswith("wsgi:")  # not bench/bare_app.py under these settings


def when_ready(server):
    """Start the background process, and start it again whenever it ends, until the master stops."""
    if not (background_process and _serves_marketplace(server)):
        return
    server.background = BackgroundSupervisor(server)
    server.background.start()


def on_exit(server):
    supervisor = getattr(server, "background", None)
    if supervisor is not None:
        supervisor.stop()


class BackgroundSupervisor(threading.Thread):
    """A thread of the master: runs `python -m marketplace.serving` and restarts it a second after it ends
    (crash, kill -9), unless the master is shutting down (its listeners closed). It polls rather than waits: the
    master's own reaping may collect the exit status first (poll() then reads ECHILD as ended). The process dies
    with the master (PDEATHSIG)."""

    def __init__(self, server):
        super().__init__(name="background-supervisor", daemon=True)
        self.server, self.log, self.proc, self.stopping = server, server.log, None, threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                self.proc = subprocess.Popen([sys.executable, "-m", "marketplace.serving"], cwd=ROOT)
                self.log.info("background process started (pid %s)", self.proc.pid)
                while not self._ended() and not self.stopping.wait(0.5):
                    pass
            except Exception:  # noqa: BLE001 - the supervisor must outlive any one failure, or nothing restarts
                self.log.exception("background process supervisor")
            if self.stopping.wait(1.0) or not self.server.LISTENERS:
                return
            self.log.warning("background process %s ended; starting another", getattr(self.proc, "pid", None))

    def _ended(self):
        """Ended: its exit status read here, or its pid gone from /proc (the master reaped it first) or a zombie."""
        if self.proc.poll() is not None:
            return True
        try:
            with open(f"/proc/{self.proc.pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            return True

    def stop(self):
        self.stopping.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def post_fork(server, worker):
    """Web workers run no background threads when the background process does them. With preload_app turned on,
    connections opened in the master must not be shared by workers."""
    if background_process and _serves_marketplace(server):
        os.environ.update(WEB_WORKER_ENV)
    if not server.cfg.preload_app:
        return
    app = getattr(worker, "app", None)
    wsgi = getattr(app, "callable", None)
    if wsgi is None:
        return
    from marketplace.extensions import db

    with wsgi.app_context():
        db.engine.dispose(close=False)


def post_worker_init(worker):
    """Warm the new worker (each of its threads) before it accepts its first connection."""
    if getattr(worker.wsgi, "import_name", None) != "marketplace":
        return  # another app under these settings (bench/bare_app.py)
    from marketplace.serving import warm_up

    warm_up(worker.wsgi, threads=worker.cfg.threads, executor=worker.tpool)  # the pool exists, its threads idle
