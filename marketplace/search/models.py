"""The durable change log that keeps the search index in step with the database."""
from ..extensions import db
from ..models_base import utcnow


class IndexChange(db.Model):
    """Written in the same transaction as the listing change; applied to the index after commit.

    Rows are never updated by the consumers: each index copy remembers the last change id it applied,
    so several hosts can each keep their own index in step from the same log.
    """

    __tablename__ = "index_changes"

    id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    listing_id = db.Column(db.Integer, nullable=False, index=True)  # no FK: deletes are logged too
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
