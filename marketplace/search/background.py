"""In-process search index updater: a daemon thread per process, no extra process to start.

Every SEARCH_POLL_SECONDS the thread tries the writer lock without waiting; the process that gets it applies
the pending changes of the log, the others skip (their searchers pick the new segments up on refresh). So a
published listing is searchable within about a second under any number of gunicorn workers.
The thread also builds the index when there is none, and rebuilds it (in another thread, search keeps
working) when the domain dictionary changed and the index is older than SEARCH_DICTIONARY_REBUILD_SECONDS.
"""

import logging
import os
import threading
import time

log = logging.getLogger(__name__)

_threads = {}  # (pid, index dir) -> thread


def start(app):
    """Start this process's updater thread (marketplace/background.py decides when)."""
    key = (os.getpid(), app.config["SEARCH_INDEX_DIR"])
    thread = _threads.get(key)
    if thread is not None and thread.is_alive():
        return thread
    stop = threading.Event()
    thread = threading.Thread(target=_run, args=(app, stop), name="search-updater", daemon=True)
    thread.stop_event = stop
    _threads[key] = thread
    thread.start()
    return thread


def stop_all():
    for thread in list(_threads.values()):
        thread.stop_event.set()
    for thread in list(_threads.values()):
        thread.join(timeout=5)
    _threads.clear()


def shutdown(app):
    """Stop the updater threads and close the index (at exit)."""
    stop_all()
    from . import services

    try:
        services.close(app)
    except Exception:  # noqa: BLE001 - interpreter shutdown
        pass


def _run(app, stop):
    from ..dbsetup import read_only
    from ..extensions import db
    from . import services

    interval = float(app.config["SEARCH_POLL_SECONDS"])
    next_dictionary_check = time.monotonic() + float(app.config["SEARCH_DICTIONARY_CHECK_SECONDS"])
    while not stop.wait(interval):
        try:
            with app.app_context(), read_only():  # the updater only reads the database: no SQLite write lock
                store = services.get_store(app)
                if not store.exists():
                    services.ensure_index(store)
                else:
                    services.try_sync(store)
                if time.monotonic() >= next_dictionary_check:
                    next_dictionary_check = time.monotonic() + float(app.config["SEARCH_DICTIONARY_CHECK_SECONDS"])
                    _maybe_rebuild(app, store)
                db.session.remove()
        except Exception:  # keep the thread alive: the next round retries from the durable log
            log.exception("search index updater failed; retrying")
            stop.wait(5.0)


_rebuilding = threading.Event()


def _maybe_rebuild(app, store):
    from ..dbsetup import read_only
    from . import dictionary, rebuild
    from .index import LockTimeout

    if _rebuilding.is_set() or not store.exists():
        return
    state = store.read_state(store.current_name())
    if state.get("digest") == dictionary.current_digest():
        return
    shipped_changed = state.get("base_digest") != dictionary.base_digest()  # a deploy: rebuild now
    age = time.time() - float(state.get("built_at") or 0)
    if not shipped_changed and age < float(app.config["SEARCH_DICTIONARY_REBUILD_SECONDS"]):
        return  # only new tags: they are found through sub-words meanwhile; rebuild at most this often

    def _rebuild():
        try:
            with app.app_context(), read_only():
                rebuild.rebuild(store, wait=0)
        except LockTimeout:
            pass  # another process is rebuilding
        except Exception:
            log.exception("search index rebuild after a dictionary change failed")
        finally:
            _rebuilding.clear()

    _rebuilding.set()
    threading.Thread(target=_rebuild, name="search-rebuild", daemon=True).start()
