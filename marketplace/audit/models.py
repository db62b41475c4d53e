"""The audit log table. Append-only for the application: an ORM update or delete of an entry raises.

Only `flask audit purge` (services.purge_before) removes entries, and only those older than the retention.
"""

import threading
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models_base import utcnow


class AuditEvent(db.Model):
    """One security-relevant event. No foreign keys: an entry outlives the account or object it names."""

    __tablename__ = "audit_events"
    __table_args__ = (db.Index("ix_audit_events_actor_created", "actor_id", "created_at"),)

    id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    event = db.Column(db.String(60), nullable=False, index=True)  # e.g. auth.login, user.disable (events.py)
    outcome = db.Column(db.String(20), nullable=False, default="success", index=True)  # success|failure|denied
    actor_id = db.Column(db.Integer)  # the user who acted; None for the system, CLI or an unknown visitor
    actor_email = db.Column(db.String(254), index=True)  # as it was at the time (accounts may be deleted)
    ip = db.Column(db.String(45), index=True)
    user_agent = db.Column(db.String(200))
    target_type = db.Column(db.String(40))  # user, organisation, listing, export, ...
    target_id = db.Column(db.String(64))
    details = db.Column(db.JSON, nullable=False, default=dict)  # never passwords or tokens (services.scrub)

    @property
    def target(self):
        if not self.target_type:
            return ""
        return f"{self.target_type}:{self.target_id}" if self.target_id else self.target_type


class AuditEntryImmutable(RuntimeError):
    """Raised when application code tries to change or delete an audit entry."""


_purging = threading.local()


@contextmanager
def purge_allowed():
    """The only way to delete entries: used by the retention purge, nowhere else."""
    _purging.active = True
    try:
        yield
    finally:
        _purging.active = False


def _is_purging():
    return getattr(_purging, "active", False)


def _guard_flush(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditEntryImmutable("audit entries cannot be changed or deleted")


def _guard_bulk(orm_execute_state):
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    table = getattr(orm_execute_state.statement, "table", None)
    if table is not None and getattr(table, "name", None) == AuditEvent.__tablename__:
        if orm_execute_state.is_update or not _is_purging():
            raise AuditEntryImmutable("audit entries cannot be changed or deleted")


# Every ORM session of the process (the app's, the CLI's, background threads').
event.listen(Session, "before_flush", _guard_flush)
event.listen(Session, "do_orm_execute", _guard_bulk)
