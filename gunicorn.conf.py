"""gunicorn settings for `make run` (gunicorn -c gunicorn.conf.py wsgi:app). Environment variables override.

Each worker builds its own app: its own database engine, search index handle and background updater,
so there is no --preload. Workers are marketplace.serving.BufferingThreadWorker: gthread threads, but each
request is read completely in the worker's selector loop before a thread takes it, so slow or idle clients
cost a socket, not a thread (200 slow-header sockets do not stop the site). A new worker warms up (search
index, segmenter, templates) before it takes traffic. Workers are not recycled unless GUNICORN_MAX_REQUESTS
is set: the app does not leak, and a recycled worker drops kept-alive connections and starts cold. In
production, put nginx in front anyway (deploy/nginx.conf, deploy/README.md): it buffers uploads and serves
/static.
"""

import os


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

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "marketplace"


def post_fork(server, worker):
    """With preload_app turned on, connections opened in the master must not be shared by workers."""
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

    # Only the search store's own warm(): serving warm-up pages through the app before traffic was followed by
    # worker crashes (SIGSEGV in sqlite3 under load, bench/http_bench.py /matches c32), not yet explained.
    warm_up(worker.wsgi, pages=False)
