"""gunicorn settings for `make run` (gunicorn -c gunicorn.conf.py wsgi:app). Environment variables override.

Each worker builds its own app: its own database engine, search index handle and background updater,
so there is no --preload. In production run it behind a buffering reverse proxy (nginx): gthread
workers hold slow clients for their whole request (shared/PITFALLS.md).
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
worker_class = "gthread"
threads = _int_env("GUNICORN_THREADS", 4)
timeout = _int_env("GUNICORN_TIMEOUT", 60)
graceful_timeout = 20
keepalive = 5
max_requests = 2000  # recycle workers now and then; the jitter keeps them from restarting together
max_requests_jitter = 200
preload_app = False

accesslog = "-"
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
