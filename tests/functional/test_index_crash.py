"""kill -9 of a process that writes the search index (as `flask listings import` does in its index phase) must not
freeze search: its forked Whoosh sub-writers die with it, its locks are released, and the next writer goes on.

Real subprocesses, really killed with SIGKILL. Nothing is timed: the waits below only bound a loop.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from marketplace.search.index import IndexStore

ROOT = Path(__file__).resolve().parents[2]

WRITER_SCRIPT = textwrap.dedent("""
    import json, sys, time
    from marketplace.search.index import IndexStore

    store = IndexStore(sys.argv[1])
    name = store.current_name()
    with store.writer_lock(timeout=10):
        writer = store.writer(name, bulk=True, procs=2)
        for i in range(1000):
            writer.add_document(id=str(100000 + i), title="稀土永磁电机", body="稀土永磁 电机 控制")
        print(json.dumps([task.pid for task in writer.tasks]), flush=True)
        time.sleep(600)  # killed here, in the middle of its index phase
""")

HOLDER_SCRIPT = textwrap.dedent("""
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what an orphaned sub-writer without PR_SET_PDEATHSIG keeps
    print("held", flush=True)
    time.sleep(600)
""")


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def _wait_until(predicate, bound=60.0):
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _spawn(script, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE, text=True, env=env, cwd=str(ROOT)
    )


@pytest.fixture
def store(tmp_path):
    store = IndexStore(tmp_path / "index")
    name = store.create(["稀土永磁"])
    store.swap(name)
    with store.writer_lock(timeout=5):
        writer = store.writer(name)
        writer.add_document(id="1", title="已有成果", body="已有 成果")
        writer.commit()
    yield store
    store.close()


def _searchable(store, doc_id):
    searcher = store.searcher()
    return searcher is not None and searcher.document(id=doc_id) is not None


def test_sigkill_during_the_index_phase_kills_the_subwriters_and_frees_the_locks(store):
    proc = _spawn(WRITER_SCRIPT, store.root)
    children = []
    try:
        children = json.loads(proc.stdout.readline())
        assert len(children) == 2 and all(_alive(pid) for pid in children)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _wait_until(lambda: not any(_alive(pid) for pid in children)), "sub-writers outlived their parent"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in children:  # never leave an orphan behind, even when the assertion failed
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    with store.writer_lock(timeout=30):  # released by the kernel with the dead process
        writer = store.writer(store.current_name())
        writer.add_document(id="2", title="之后批准的成果", body="之后 批准")
        writer.commit()
    assert _searchable(store, "2") and _searchable(store, "1")


def test_a_whoosh_lock_kept_by_an_orphan_is_taken_over(store):
    holder = _spawn(HOLDER_SCRIPT, store.path(store.current_name()) / "MAIN_WRITELOCK")
    try:
        assert holder.stdout.readline().strip() == "held"
        with store.writer_lock(timeout=5):
            writer = store.writer(store.current_name())
            writer.add_document(id="3", title="孤儿锁之后", body="孤儿 锁")
            writer.commit()
        assert _searchable(store, "3")
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_the_writer_lock_of_a_killed_process_is_free_at_once(store):
    script = textwrap.dedent("""
        import sys, time
        from marketplace.search.index import IndexStore
        with IndexStore(sys.argv[1]).writer_lock(timeout=5):
            print("locked", flush=True)
            time.sleep(600)
    """)
    proc = _spawn(script, store.root)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(Exception):  # noqa: B017 - LockTimeout while the holder lives
            with store.writer_lock(timeout=0):
                pass
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    with store.writer_lock(timeout=10):
        pass
