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
import signal
import sys
import threading
import time


def _int_env(name, default, minimum=1):
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        value = default
    return max(minimum, value)


bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{_int_env('PORT', 8000)}")
workers = _int_env("WEB_CONCURRENCY", 2, minimum=2)
worker_class = "marketplace.serving.BufferingThreadWorker"
# One request thread per worker. With 4 on Python 3.11, workers died of SIGSEGV while several threads read
# /matches/ at once (2-4 crashes in 20 s at c32 on SQLite and PostgreSQL, 100k listings). Core dumps show the
# cyclic GC meeting a freed object inside a live container (an ORM instance state's load_path, a list of fresh
# strings): a use-after-free between threads, below our code (which has no C of its own). The same load on Python
# 3.12.1 and 3.13.0 (same packages, builds for those versions) crashed no worker in 90 s and 50 s. With 1 thread:
# no crash, and the CPU-bound pages got faster (first-time search 66 -> 77 req/s, /matches/ 26 -> 74, /me/ 74 ->
# 232); cached pages stay above 1,300 req/s; slow clients still cost no thread (BufferingThreadWorker reads
# requests in the selector loop). More than one thread on Python < 3.12 is refused (THREADS_UNSAFE_BELOW).
THREADS_UNSAFE_BELOW = (3, 12)
threads = _int_env("GUNICORN_THREADS", 1)
if threads > 1 and sys.version_info < THREADS_UNSAFE_BELOW:
    sys.stderr.write(
        f"GUNICORN_THREADS={threads} ignored: request threads crash workers on Python "
        f"{sys.version_info.major}.{sys.version_info.minor} (see gunicorn.conf.py); serving with 1 thread per worker\n"
    )
    threads = 1
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
    """A thread of the master: runs `python -m marketplace.serving` and starts another a second after it ends
    (crash, kill -9), unless the master is shutting down (its listeners closed). The process dies with the master
    (PDEATHSIG).

    Started with posix_spawn, not subprocess.Popen: Popen waits for the child's exec on a pipe, and a web worker
    the master forks meanwhile inherits that pipe's write end and never closes it (workers do not exec), so Popen
    waited forever and nothing was restarted. It polls rather than waits: the master's own reaping (waitpid(-1))
    may collect the exit status first."""

    def __init__(self, server):
        super().__init__(name="background-supervisor", daemon=True)
        self.server, self.log, self.pid, self.stopping = server, server.log, None, threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                self.pid = self._spawn()
                self.log.info("background process started (pid %s)", self.pid)
                while not self._ended() and not self.stopping.wait(0.5):
                    pass
            except Exception:  # noqa: BLE001 - the supervisor must outlive any one failure, or nothing restarts
                self.log.exception("background process supervisor")
            if self.stopping.wait(1.0) or not self.server.LISTENERS:
                return
            self.log.warning("background process %s ended; starting another", self.pid)

    def _spawn(self):
        """The child gets the master's environment and working directory, none of its inheritable descriptors
        (gunicorn's listening sockets), and ROOT on its module path."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        closing = [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inheritable_fds()]
        return os.posix_spawn(sys.executable, [sys.executable, "-m", "marketplace.serving"], env, file_actions=closing)

    def _ended(self):
        """Ended: its exit status read here, or its pid gone from /proc (the master reaped it first) or a zombie."""
        try:
            pid, _status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return True
        except ChildProcessError:
            return True
        try:
            with open(f"/proc/{self.pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            return True

    def stop(self):
        self.stopping.set()
        if self.pid is None or self._ended():
            return
        os.kill(self.pid, signal.SIGTERM)
        for _ in range(100):  # 10 s to finish its batch and close the index
            if self._ended():
                return
            time.sleep(0.1)
        os.kill(self.pid, signal.SIGKILL)


def _inheritable_fds():
    fds = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if int(name) > 2 and os.get_inheritable(int(name)):
                fds.append(int(name))
        except OSError:
            continue  # the descriptor listdir itself used, or one closed since
    return fds


def post_fork(server, worker):
    """A web worker runs no background work when the background process does it (read when its app is built:
    marketplace/background.py). With preload_app turned on, connections opened in the master must not be shared
    by workers. A crash in native code (SIGSEGV) leaves every thread's Python stack in the error log."""
    import faulthandler

    faulthandler.enable()
    if background_process and _serves_marketplace(server):
        from marketplace.background import PROCESS_ROLE_ENV

        os.environ[PROCESS_ROLE_ENV] = "web"
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
    tune_gc()


# The cyclic garbage collector. A request's garbage goes with reference counting; the collector's full passes over
# a worker's long-lived objects (index readers, caches, templates) cost throughput, and under 32 connections to
# /matches/ a pass crashed a worker with SIGSEGV about once per 150 requests (Python 3.11.7; with the collector
# off: none in 2,000). After warm-up the objects that live as long as the worker are frozen out of its passes
# (gc.freeze), and a pass comes only after GC_THRESHOLD new container objects instead of 700.
GC_THRESHOLD = _int_env("GUNICORN_GC_THRESHOLD", 50_000)


def tune_gc():
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)
