"""Keep slow work (password hashing) and other connections' writes out of a database write lock.

SQLite has one writer; a transaction that has written holds the lock until it ends. A request that only read
so far can end its transaction before it hashes a password or counts an attempt on another connection.
"""

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)


@event.listens_for(Session, "after_flush")
def _mark_written(session, _context):
    session.info["wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_written(session, transaction):
    if transaction.parent is None:  # the outermost transaction ended (commit or rollback)
        session.info.pop("wrote", None)


def has_written(session=None):
    session = session or db.session()
    return bool(session.new or session.dirty or session.deleted or session.info.get("wrote"))


def release_read_transaction():
    """End the current transaction if it has only read (objects reload on next access); True when none is open.

    A transaction that has written is left alone (CLI imports and the demo loader hash inside theirs)."""
    session = db.session()  # the request's Session behind the scoped proxy
    if not session.in_transaction():
        return True
    if has_written(session):
        return False
    session.rollback()
    return True
