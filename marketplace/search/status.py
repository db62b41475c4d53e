"""The figures of `flask search status`: live copy, documents, pending changes, lag, dictionary."""

from sqlalchemy import func, select

from ..extensions import db
from ..listings.models import ListingChange
from ..models_base import utcnow
from . import apply, dictionary, rebuild


def status(store):
    """Numbers for `flask search status`."""
    name = store.current_name()
    state = store.read_state(name) if name else {"watermark": 0, "gaps": []}
    published = rebuild.public_count()
    docs = 0
    if name and store.exists():
        with store.open(name).searcher() as searcher:
            docs = searcher.doc_count()
    pending = apply.pending_count(state)
    oldest = db.session.execute(
        select(func.min(ListingChange.created_at)).where(apply.pending_condition(state))
    ).scalar()
    lag = (utcnow() - oldest).total_seconds() if oldest else 0.0
    return {
        "index": name,
        "published": published,
        "documents": docs,
        "pending": pending,
        "lag_seconds": lag,
        "watermark": state.get("watermark", 0),
        "gaps": len(state.get("gaps") or []),
        "dictionary_current": state.get("digest") == dictionary.current_digest(),
    }
