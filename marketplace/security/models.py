"""Counters of the embedded throttle store: one row per key, shared by every worker and host of the database."""

from ..extensions import db


class ThrottleCounter(db.Model):
    """Attempts counted under `key` until `expires_at` (Unix seconds); a lock is a counter with its own expiry."""

    __tablename__ = "throttle_counters"

    key = db.Column(db.String(200), primary_key=True)
    count = db.Column(db.Integer, nullable=False, default=0)
    expires_at = db.Column(db.Float, nullable=False, index=True)
