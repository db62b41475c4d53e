"""In-process suggestion updater: applies the IndexChange log to the stored suggestions.

Started on a web worker's first request (never in CLI commands or tests) when MATCH_BACKGROUND is on (default:
the SEARCH_BACKGROUND setting). Several workers may run it: services.process_changes claims each batch with a
compare-and-set, so a change is applied once. A listing's suggestions are current about a second after commit.
"""
import logging
import threading
import time

from ..extensions import db

log = logging.getLogger(__name__)

INTERVAL = 0.5
_started = set()
_lock = threading.Lock()


def _loop(app):
    from . import alerts, services

    while True:
        try:
            with app.app_context():
                while services.process_changes():
                    db.session.commit()
                db.session.commit()
                if alerts.send_pending_emails(app.config.get("PUBLIC_BASE_URL", "")):
                    db.session.commit()
        except Exception:  # keep the updater alive; the change stays in the log and is retried
            log.exception("suggestion updater failed; retrying")
            try:
                with app.app_context():
                    db.session.rollback()
            except Exception:  # pragma: no cover
                pass
            time.sleep(5)
        time.sleep(INTERVAL)


def ensure_started(app):
    """Start this process's updater thread once per app."""
    if not app.config.get("MATCH_BACKGROUND", app.config.get("SEARCH_BACKGROUND", False)):
        return
    with _lock:
        if id(app) in _started:
            return
        _started.add(id(app))
    thread = threading.Thread(target=_loop, args=(app,), name="match-updater", daemon=True)
    thread.start()
