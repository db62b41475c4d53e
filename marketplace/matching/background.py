"""In-process suggestion updater: applies the ListingChange log to the stored suggestions.

Started on a web worker's first request (never in CLI commands or tests) by marketplace/background.py when
MATCH_BACKGROUND is on (default: the SEARCH_BACKGROUND setting). Only one process per host runs it at a time:
it holds an exclusive lock on instance/match-updater.lock (released by the OS if the process dies; another
worker then takes over), so the matcher's in-memory pools exist once per host, not once per worker. Across hosts,
services.process_changes claims each batch with a compare-and-set, so a change is applied once. Suggestions are
current about a second after the commit that changed a listing.
"""

import fcntl
import logging
import os
import threading
import time

from ..extensions import db

log = logging.getLogger(__name__)

INTERVAL = 0.5
LEADER_RETRY = 10.0


def _take_leadership(path):
    """An open, exclusively locked file when this process becomes the updater; None when another one is."""
    handle = open(path, "a")  # noqa: SIM115 - held open for the life of the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


BATCH = 200  # changes per round (their lists are stored in one short write transaction)
SQLITE_YIELD = 0.05  # seconds between rounds: SQLite's busy handler polls, it does not queue waiting writers


def _changes_pending():
    """Whether the change log holds changes the suggestions have not seen (a read, no lock)."""
    from ..listings.models import ListingChange
    from .models import MatchState
    from .services import STATE_NAME

    state = db.session.get(MatchState, STATE_NAME)
    start = state.last_change_id if state is not None else 0
    return db.session.execute(db.select(ListingChange.id).where(ListingChange.id > start).limit(1)).first() is not None


def _round(app):
    """One batch of the change log: compute its lists without the write lock (tens of seconds for a bulk import
    on SQLite would stop the site), then claim the batch and store them in one short write transaction.
    Returns how many changed listings were applied."""
    from ..dbsetup import read_only
    from . import services

    with read_only():
        plan = services.plan_changes(batch=BATCH)
        db.session.rollback()
    if plan is None:
        return 0
    applied = services.apply_plan(plan)
    db.session.commit()
    return applied


def _run_once(app):
    from ..dbsetup import read_only
    from . import alerts, pools

    with app.app_context():
        with read_only():  # look, and build the pools (tens of seconds at 100k), without SQLite's write lock
            pending = _changes_pending()
            if pending:
                pools.get_pools()
        db.session.rollback()
        sqlite = db.engine.dialect.name == "sqlite"
        while pending and _round(app):
            if sqlite:
                time.sleep(SQLITE_YIELD)  # let waiting writers (a user's save, an import) take the lock
        db.session.commit()
        if alerts.send_pending_emails():
            db.session.commit()


def _loop(app):
    path = os.path.join(app.instance_path, "match-updater.lock")
    leader = None
    while leader is None:
        leader = _take_leadership(path)
        if leader is None:
            time.sleep(LEADER_RETRY)
    log.info("suggestion updater running in process %s", os.getpid())
    while True:
        try:
            _run_once(app)
        except Exception:  # keep the updater alive; the change stays in the log and is retried
            log.exception("suggestion updater failed; retrying")
            try:
                with app.app_context():
                    db.session.rollback()
            except Exception:  # pragma: no cover
                pass
            time.sleep(5)
        time.sleep(INTERVAL)


def start(app):
    """Start this process's updater thread (marketplace/background.py decides when)."""
    thread = threading.Thread(target=_loop, args=(app,), name="match-updater", daemon=True)
    thread.start()
