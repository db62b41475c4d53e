"""How `make run` serves the app: a gthread worker that buffers requests, and the warm-up of a new worker.

Slow clients. gunicorn's gthread worker hands a connection to a thread as soon as its first byte arrives; the
thread then blocks reading the rest of the headers, so a few sockets that trickle their headers stop a site of 2
workers with a few threads each. BufferingThreadWorker reads each request in the worker's selector loop instead
(what a buffering proxy such as nginx does): a thread gets the connection only when the request line, the headers
and a small body (up to BODY_BUFFER_BYTES, by Content-Length) are all there. A slow socket costs a file descriptor
and a buffer, never a thread, and a request whose headers are not complete within HEADER_TIMEOUT seconds is closed.
Larger bodies (uploads) and chunked bodies go to a thread once their headers are complete: in production nginx
buffers those too (deploy/nginx.conf). Why not gevent/eventlet: SQLite, Whoosh, rjieba and psycopg block in C,
which monkey-patching cannot make cooperative; threads stay, only the reading of requests moves.

Warm-up. A new worker opens the search index, segments a query, compiles templates and fills SQLAlchemy's
statement cache on its first requests: 1.2-2.5 s at 100k listings for the first search. warm_up() does that
before the worker accepts traffic: the pages once, the index searcher in each of its threads.
"""

import errno
import logging
import re
import selectors
import threading
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

log = logging.getLogger(__name__)

HEADER_TIMEOUT = 30.0  # seconds a client may take to send its request line and headers
BODY_BUFFER_BYTES = 256 * 1024  # bodies up to this size are read before a thread is used
MAX_HEADER_BYTES = 64 * 1024  # past this without the end of headers, gunicorn's parser refuses the request
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked", re.IGNORECASE)


def request_complete(data):
    """True when `data` holds what a thread needs to start without waiting on the client."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return len(data) >= MAX_HEADER_BYTES
    head = data[:end]
    if _CHUNKED.search(head):
        return True
    match = _CONTENT_LENGTH.search(head)
    length = int(match.group(1)) if match else 0
    return length > BODY_BUFFER_BYTES or len(data) - (end + 4) >= length


class BufferingThreadWorker(ThreadWorker):
    """gthread, except that requests are read in the selector loop before a thread is taken (see module doc)."""

    def init_process(self):
        self._pending = {}  # connection -> (deadline, bytearray) of requests still arriving
        super().init_process()

    def accept(self, server, listener):
        try:
            sock, client = listener.accept()
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = TConn(self.cfg, sock, client, server)
        self.nr_conns += 1
        with self._lock:
            self._pending[conn] = (time.monotonic() + HEADER_TIMEOUT, bytearray())
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn))

    def on_client_socket_readable(self, conn, client):
        if self.cfg.is_ssl:  # TLS needs the handshake first: plain gthread behaviour
            self._pending.pop(conn, None)
            return super().on_client_socket_readable(conn, client)
        with self._lock:
            if conn.initialized and conn not in self._pending:  # a kept-alive connection starts a request
                try:
                    self._keep.remove(conn)
                except ValueError:
                    return  # race with murder_keepalived: it closed the connection
                self._pending[conn] = (time.monotonic() + HEADER_TIMEOUT, bytearray())
        deadline, buffer = self._pending.get(conn, (time.monotonic() + HEADER_TIMEOUT, bytearray()))
        try:
            chunk = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(conn)
            return
        buffer += chunk
        if not request_complete(buffer):
            self._pending[conn] = (deadline, buffer)
            return
        with self._lock:
            self._pending.pop(conn, None)
            self.poller.unregister(conn.sock)
        self._dispatch(conn, bytes(buffer))

    def _dispatch(self, conn, data):
        conn.init()
        conn.parser.unreader.unread(data)
        fs = self.tpool.submit(self.handle, conn)
        self._wrap_future(fs, conn)

    def _drop(self, conn):
        with self._lock:
            self._pending.pop(conn, None)
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
        self.nr_conns -= 1
        conn.close()

    def murder_keepalived(self):
        super().murder_keepalived()
        now = time.monotonic()
        expired = [conn for conn, (deadline, _buf) in list(self._pending.items()) if deadline <= now]
        for conn in expired:
            self._drop(conn)


# ---------------------------------------------------------------- warm-up

WARM_PATHS = ("/", "/achievements", "/needs", "/search/?q=%E6%8A%80%E6%9C%AF")  # 技术


def warm_up(app, threads=1, executor=None, pages=True):
    """Before the worker takes traffic: serve the common pages once (templates, statement caches, counts, the
    segmenter) in this thread, then open the search index in each of the `threads` threads of `executor` (each
    thread keeps its own searcher: 60 ms and more to open at 100k listings). Never fails the worker.

    The pages are served in one thread only: the per-thread part touches no database."""
    started = time.perf_counter()
    _warm_search_store(app)
    if pages:
        _warm_pages(app)
    if executor is not None and threads > 1:
        barrier = threading.Barrier(threads)
        jobs = [executor.submit(_warm_thread, app, barrier) for _ in range(threads)]
        for job in jobs:
            try:
                job.result(timeout=120)
            except Exception:  # noqa: BLE001 - warm-up is best effort
                log.exception("worker warm-up failed")
    log.info("worker warmed up in %.2fs", time.perf_counter() - started)


def _warm_search_store(app):
    try:
        from .search import services

        with app.app_context():
            services.get_store(app).warm()
    except Exception:  # noqa: BLE001 - no index yet: the updater builds it
        log.exception("search index warm-up failed")


def _warm_thread(app, barrier):
    try:
        barrier.wait(timeout=60)  # one job per pool thread: each thread opens its own searcher
    except threading.BrokenBarrierError:
        pass
    _warm_search_store(app)


def _warm_pages(app):
    client = app.test_client()
    for path in WARM_PATHS:
        try:
            client.get(path, headers={"X-Warm-Up": "1"})
        except Exception:  # noqa: BLE001
            log.exception("warm-up request %s failed", path)


# ---------------------------------------------------------------- the background process

# Under gunicorn (gunicorn.conf.py) the background workers of marketplace/background.py (search index updater,
# suggestion refresher, expiry) run in one process of their own, started and restarted by the gunicorn master,
# instead of as threads in every web worker. In a web worker they competed with the request threads for the
# GIL: the suggestion refresher ranks thousands of listings after a bulk import, and every request thread then
# waited up to the switch interval each time it wanted the interpreter back (read p99 2.15 s under a 10k import).
# It runs at the site's CPU priority: its suggestion refresher holds SQLite's write lock while it works, and a
# niced lock holder, descheduled on a busy host, made every other writer wait past the busy timeout.


def background_main():
    """`python -m marketplace.serving`: build the app and run its enabled background workers until terminated.

    Dies with its parent (the gunicorn master). Never exits with gunicorn's boot-error codes (3, 4), which would
    halt the master that reaps it."""
    import os
    import signal

    from .search.index import die_with_parent

    die_with_parent(os.getppid())
    try:
        from . import background, create_app

        app = create_app()
        chosen = background.enabled(app)
        for worker in chosen:
            background.start(app, worker)
        log.info("background process %s running: %s", os.getpid(), ", ".join(w.name for w in chosen) or "nothing")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_args: stop.set())
        signal.signal(signal.SIGINT, lambda *_args: stop.set())
        while not stop.wait(3600):
            pass
    except Exception:  # noqa: BLE001 - logged; the master starts a new one
        log.exception("background process failed")
        os._exit(1)
    # A normal exit: the atexit hook of background.init_app stops the index updater and closes the index.


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s")
    background_main()
