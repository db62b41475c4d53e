"""Record that a listing's indexed form may have changed. Call inside the transaction that changes it."""
from ..extensions import db
from .models import IndexChange


def record_change(listing_id):
    """Add a change record to the current session (flushed with it, committed with it)."""
    db.session.add(IndexChange(listing_id=listing_id))


def record_changes(listing_ids):
    db.session.add_all(IndexChange(listing_id=i) for i in set(listing_ids))
