"""Expiry without cron: a daemon thread per web worker marks listings past their validity as expired.

Public pages already hide such listings on the day their validity ends (visibility.public_condition); this
writes the status change and its event so that owners see it. Several workers may run it at once: the rows are
locked with SKIP LOCKED on PostgreSQL and SQLite serialises writers (BEGIN IMMEDIATE), so each listing expires once.
`flask listings expire` does the same from cron.
"""

import logging
import threading

log = logging.getLogger(__name__)


def run_once(app):
    """Expire what is due now; returns how many listings were expired."""
    from ..extensions import db
    from .services import expire_listings

    with app.app_context():
        try:
            count = expire_listings()
            db.session.commit()
            return count
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def start(app):
    """Start this process's expiry thread (marketplace/background.py decides when; LISTINGS_EXPIRE_SECONDS > 0)."""
    interval = float(app.config["LISTINGS_EXPIRE_SECONDS"])
    threading.Thread(target=_loop, args=(app, interval), name="listing-expiry", daemon=True).start()


def _loop(app, interval):
    stop = threading.Event()
    while True:
        try:
            count = run_once(app)
            if count:
                log.info("expired %d listing(s)", count)
        except Exception:  # the next round tries again
            log.exception("listing expiry failed")
        stop.wait(interval)
