"""Recording the change log (models.ListingChange): the one way every writer says "this listing changed"."""

from ..extensions import db
from ..models_base import utcnow
from .models import ListingChange


def record_changes(listing_ids, insert_rows=None, now=None):
    """Log that these listings changed (content, status or deletion), in the current transaction.

    Search and matching apply the log after commit. `insert_rows(table, rows)` lets the bulk importer write the
    rows with its COPY writer (transfer/writer.py); by default one executemany.
    """
    now = now or utcnow()
    rows = [{"listing_id": listing_id, "created_at": now} for listing_id in dict.fromkeys(listing_ids)]
    if not rows:
        return
    if insert_rows is not None:
        insert_rows(ListingChange.__table__, rows)
    else:
        db.session.execute(db.insert(ListingChange), rows)


def record_change(listing_id):
    """Log one listing's change (see record_changes)."""
    record_changes([listing_id])
