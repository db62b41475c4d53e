"""The index on disk: directory layout, the single-writer lock, per-copy state and reusable searchers.

Layout under SEARCH_INDEX_DIR:
    CURRENT           name of the live index directory (replaced atomically by a rebuild)
    writer.lock       fcntl lock: one writer per index directory tree, across processes
    ix-<stamp>/       a Whoosh index plus state.json (watermark of the change log, dictionary digest)

Nothing here touches the database; services.py feeds documents in.
"""

import contextlib
import ctypes
import errno
import fcntl
import json
import logging
import os
import shutil
import signal
import threading
import time
from pathlib import Path

from whoosh import index as whoosh_index

from . import whoosh_patches
from .caches import QueryCaches
from .schema import build_schema

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- crash safety of forked indexers
# A bulk writer (procs > 1) forks Whoosh sub-writers that inherit the parent's open files, and with them the
# flock of Whoosh's MAIN_WRITELOCK. After a kill -9 of `flock listings import` they used to live on (blocked on
# their job queue), keeping the locks: search froze. Now (1) they die with their parent (PR_SET_PDEATHSIG, or a
# watcher thread where prctl is missing), (2) our own lock files use POSIX record locks (lockf), which a forked
# child never inherits and the kernel drops when the holder dies, and (3) a MAIN_WRITELOCK found busy while we hold
# writer.lock can only belong to such an orphan: it is taken over (see _take_over_stale_whoosh_lock).
PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid=None):
    """Make this (forked) process exit when its parent does."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl failed")
    except (OSError, AttributeError):
        watched = parent_pid or os.getppid()
        threading.Thread(target=_exit_when_orphaned, args=(watched,), name="parent-watch", daemon=True).start()
    if parent_pid and os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _exit_when_orphaned(parent_pid):
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)


_path_locks = {}  # lock file path -> threading.Lock: POSIX locks are per process, so threads queue here first
_path_locks_guard = threading.Lock()


def _thread_lock(path):
    with _path_locks_guard:
        return _path_locks.setdefault(str(path), threading.Lock())


def _try_flock(path):
    """True when nobody holds a flock on `path` (we take it and let it go at once)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    finally:
        os.close(fd)


def _take_over_stale_whoosh_lock(index_path):
    """Called while holding writer.lock (the only way to write the live index): a busy MAIN_WRITELOCK then
    belongs to a sub-writer orphaned by a killed process. Unlink it: Whoosh creates a fresh lock file, and the
    orphan keeps a lock on a file nobody uses any more."""
    path = os.path.join(index_path, "MAIN_WRITELOCK")
    if _try_flock(path):
        return False
    log.warning(
        "search index: MAIN_WRITELOCK in %s held by a process that is not a live writer; taking it over", index_path
    )
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    return True


POINTER = "CURRENT"
LOCK_FILE = "writer.lock"
BUILD_LOCK_FILE = "build.lock"
STATE_FILE = "state.json"


class LockTimeout(Exception):
    """Another process holds the writer lock longer than we were willing to wait."""


class IndexStore:
    """One index directory tree; cheap to create, safe to share between threads of a process."""

    def __init__(self, root):
        whoosh_patches.install()  # also done by the app factory; here for code that uses a store without an app
        self.root = Path(root)
        self._local = threading.local()
        self._lock = threading.Lock()  # serialises writers between threads of this process
        self._index_cache = {}
        self._all = {}  # thread id -> its searcher, closed on shutdown
        self._caches = {}  # index directory name -> its QueryCaches (the live copy and the one before)
        self._lock_all = threading.Lock()
        self._present = None  # the name of the last index directory found to hold an index (see _holds_index)

    # ---------------------------------------------------------------- layout
    def current_name(self):
        try:
            return (self.root / POINTER).read_text().strip() or None
        except FileNotFoundError:
            return None

    def path(self, name):
        return self.root / name

    def exists(self):
        return self._holds_index(self.current_name())

    def _holds_index(self, name):
        """Whether the directory `name` holds an index. Whoosh's check reads the directory's table of contents
        (0.8 ms at 100k listings, twice per search); an index directory, once written, is never emptied under
        its name (a rebuild writes a new one and moves the pointer), so a positive answer is kept for that name
        while the directory is there (a stat: a deleted directory is built again, as on a first start)."""
        if not name:
            return False
        if name == self._present and os.path.isdir(self.path(name)):
            return True
        if whoosh_index.exists_in(str(self.path(name))):
            self._present = name
            return True
        return False

    def create(self, terms, name=None):
        """A new empty index directory (not yet live); returns its name."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = name or f"ix-{int(time.time() * 1000)}-{os.getpid()}"
        path = self.path(name)
        path.mkdir(parents=True)
        schema = build_schema(terms)
        whoosh_index.create_in(str(path), schema)
        self.write_state(
            name, {"watermark": 0, "gaps": [], "digest": schema["body"].analyzer.digest, "built_at": time.time()}
        )
        return name

    def swap(self, name):
        """Make `name` the live index atomically; keep the previous one (open searchers), delete older ones."""
        previous = self.current_name()
        tmp = self.root / (POINTER + ".tmp")
        tmp.write_text(name)
        os.replace(tmp, self.root / POINTER)
        keep = {name, previous}
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith("ix-") and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    def discard(self, name):
        shutil.rmtree(self.path(name), ignore_errors=True)

    # ---------------------------------------------------------------- state (per index copy)
    def read_state(self, name):
        try:
            return json.loads((self.path(name) / STATE_FILE).read_text())
        except (FileNotFoundError, ValueError):
            return {"watermark": 0, "gaps": [], "digest": None, "built_at": 0}

    def write_state(self, name, state):
        path = self.path(name) / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, path)

    # ---------------------------------------------------------------- writing
    @contextlib.contextmanager
    def writer_lock(self, timeout=30.0):
        """Hold the cross-process writer lock; timeout=0 tries once. Raises LockTimeout."""
        acquired = self._lock.acquire(timeout=timeout) if timeout else self._lock.acquire(blocking=False)
        if not acquired:
            raise LockTimeout("writer lock busy in this process")
        try:
            with self._file_lock(LOCK_FILE, timeout):
                yield
        finally:
            self._lock.release()

    def build_lock(self, timeout=0.0):
        """One rebuild at a time across processes (the writer lock is only taken for the final swap)."""
        return self._file_lock(BUILD_LOCK_FILE, timeout)

    @contextlib.contextmanager
    def _file_lock(self, filename, timeout):
        """A lock across processes: POSIX record lock (lockf) on root/filename, holder's pid written into it.

        lockf, not flock: forked children do not inherit it and the kernel releases it when the holder dies, so
        a killed writer never leaves it held. POSIX locks belong to a process (a second fd of the same process
        would get it too, and closing any fd drops it), so threads of this process queue on a thread lock first.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / filename
        deadline = time.monotonic() + (timeout or 0)
        local = _thread_lock(path)
        if not (local.acquire(timeout=timeout) if timeout else local.acquire(blocking=False)):
            raise LockTimeout(f"{filename} busy in this process")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                self._lockf_until(fd, filename, deadline)
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                try:
                    yield
                finally:
                    fcntl.lockf(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        finally:
            local.release()

    @staticmethod
    def _lockf_until(fd, filename, deadline):
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{filename} busy") from None
                time.sleep(0.02)

    def open(self, name):
        """The Whoosh index object of a directory (cached per process)."""
        ix = self._index_cache.get(name)
        if ix is None:
            ix = whoosh_index.open_dir(str(self.path(name)))
            self._index_cache[name] = ix
        return ix

    def writer(self, name, bulk=False, procs=1):
        """A Whoosh writer; call only while holding writer_lock() (or on an index that is not live yet).

        `bulk` uses more memory for speed; procs > 1 forks that many indexing processes, each writing its own
        segment (no final merge): at 100k, 1,470 documents/s on 2 cores (bench/search_bench.py).
        """
        _take_over_stale_whoosh_lock(str(self.path(name)))
        ix = self.open(name)
        # compound=False: Whoosh reads a compound segment by copying it into memory (BytesIO), once per
        # searcher, i.e. per thread: 157 MB per searcher at 100k listings. Plain files are mmapped and shared.
        if bulk and procs > 1:
            return ix.writer(
                procs=procs,
                multisegment=True,
                batchsize=200,
                compound=False,
                subargs={"limitmb": 512, "compound": False},
            )
        if bulk:
            return ix.writer(timeout=30, limitmb=512, compound=False)
        return ix.writer(timeout=30, compound=False)

    # ---------------------------------------------------------------- reading
    def searcher(self):
        """This thread's searcher on the live index, refreshed (cheap) rather than reopened; None if no index."""
        name = self.current_name()
        local = self._local
        held = getattr(local, "searcher", None)
        if held is not None and getattr(local, "name", None) != name:
            held.close()
            held = local.searcher = None
        if not self._holds_index(name):
            return None
        if held is not None and held.reader().segment() is None and held.reader().doc_count_all() == 0:
            held.close()  # Whoosh cannot refresh a searcher of an empty index (EmptyReader): reopen it
            held = None
        try:
            held = self.open(name).searcher() if held is None else held.refresh()
        except (OSError, whoosh_index.EmptyIndexError):  # the directory went away under its name
            self._present = local.searcher = None
            return None
        local.searcher, local.name = held, name
        with self._lock_all:
            self._all[threading.get_ident()] = held
        return held

    def caches(self):
        """The QueryCaches of the index directory this thread's searcher reads (call after searcher())."""
        name = getattr(self._local, "name", None)
        with self._lock_all:
            found = self._caches.get(name)
            if found is None:
                if len(self._caches) >= 2:
                    self._caches.clear()
                found = self._caches[name] = QueryCaches()
            return found

    def warm(self, queries=("技术", "石墨烯 传感器")):
        """Make the first search of this thread cheap: open its searcher, read the per-document column arrays and
        text lengths, start the segmenter and run a few searches (their term sets stay cached). Call before a
        worker takes traffic; returns False when there is no index yet."""
        from .engine import SearchParams, execute
        from .ranking import length_prior

        searcher = self.searcher()
        if searcher is None:
            return False
        length_prior(searcher.reader())
        for q in ("",) + tuple(queries):
            execute(searcher, SearchParams(q=q, per_page=1), caches=self.caches())
        return True

    def close(self):
        """Close every searcher this process opened (shutdown)."""
        with self._lock_all:
            held, self._all = list(self._all.values()), {}
        for searcher in held:
            with contextlib.suppress(Exception):
                searcher.close()
        self._local = threading.local()
