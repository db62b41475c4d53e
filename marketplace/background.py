"""Background work of each web worker: one registry, started from the app factory.

Each worker is a daemon thread per process that runs work living in its feature package; each is switched off by
one setting (all of them off in tests and in `flask` commands, which do the same work themselves):

| worker          | setting                 | work                                                          |
|-----------------|-------------------------|---------------------------------------------------------------|
| search-updater  | SEARCH_BACKGROUND       | search/background.py: apply the change log to the index        |
| match-updater   | MATCH_BACKGROUND        | matching/background.py: refresh suggestions, send alerts       |
| listing-expiry  | LISTINGS_EXPIRE_SECONDS | listings/housekeeping.py: expire listings past their validity  |
| listing-views   | LISTING_VIEWS_FLUSH_SECONDS | inquiries/listing_views.py: write the counted page views   |

Threads do not survive a fork, so every worker is (re)started on a process's first request; the search updater
also starts when the app is built, so that a fresh index exists before the first search.
"""

import atexit
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Worker:
    name: str
    setting: str  # Config key; a false value (False, 0) switches the worker off
    start: Callable  # start(app): start this process's thread
    eager: bool = False  # also start when the app is built, not only on the first request


def workers():
    from .inquiries import listing_views
    from .listings import housekeeping
    from .matching import background as matching_background
    from .search import background as search_background

    return (
        Worker("search-updater", "SEARCH_BACKGROUND", search_background.start, eager=True),
        Worker("match-updater", "MATCH_BACKGROUND", matching_background.start),
        Worker("listing-expiry", "LISTINGS_EXPIRE_SECONDS", housekeeping.start),
        Worker("listing-views", "LISTING_VIEWS_FLUSH_SECONDS", listing_views.start),
    )


_started = set()  # (pid, app, worker name)
_lock = threading.Lock()


# Under gunicorn (gunicorn.conf.py) the background work runs in a process of its own and the web workers run
# only the work that must stay in-process (listing views are counted in each worker's memory). The master imports
# this package (the worker class) before it forks, so Config's defaults are already evaluated by then: the role is
# read when the app is built, not from settings computed at import.
PROCESS_ROLE_ENV = "MARKETPLACE_PROCESS"
WEB_WORKER_SETTINGS = {"SEARCH_BACKGROUND": False, "MATCH_BACKGROUND": False, "LISTINGS_EXPIRE_SECONDS": 0}


def apply_process_role(app):
    """In a web worker whose background work runs elsewhere (MARKETPLACE_PROCESS=web), switch that work off."""
    if os.environ.get(PROCESS_ROLE_ENV) == "web":
        app.config.update(WEB_WORKER_SETTINGS)


def enabled(app):
    return [worker for worker in workers() if app.config[worker.setting]]


def start(app, worker):
    """Start `worker` once per process and app."""
    key = (os.getpid(), id(app), worker.name)
    with _lock:
        if key in _started:
            return
        _started.add(key)
    worker.start(app)


def lower_priority(app):
    """Give the CPU to the site first: nice this process by BULK_WORK_NICE (bulk indexing, which holds no database
    lock). Once per process: nice() adds up."""
    if app.config["BULK_WORK_NICE"] > 0 and os.getpriority(os.PRIO_PROCESS, 0) == 0:
        os.nice(app.config["BULK_WORK_NICE"])


def _in_cli():
    """True while a `flask ...` command builds the app: commands apply changes themselves (import, rebuild) and
    may fork indexing processes, which needs a process without other threads."""
    import click

    return click.get_current_context(silent=True) is not None


def init_app(app):
    """Register the enabled workers: started now (eager ones, outside CLI commands) and on each process's first
    request. The search index is closed at exit whatever the settings."""
    from .search import background as search_background

    atexit.register(search_background.shutdown, app)
    chosen = enabled(app)
    if not chosen:
        return
    if not _in_cli():
        for worker in chosen:
            if worker.eager:
                start(app, worker)

    @app.before_request
    def _ensure_workers():
        for worker in chosen:
            start(app, worker)
