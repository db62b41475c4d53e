"""Comparing the index with the database (ids and updated_at of public listings) and repairing drift."""

from sqlalchemy import select

from ..extensions import db
from ..listings.models import Listing
from . import apply, rebuild
from .schema import stamp


def indexed_stamps(searcher):
    return {int(f["id"]): f.get("updated_at", "") for f in searcher.reader().all_stored_fields()}


def reconcile(store, repair=True):
    """Compare ids and updated_at of public listings with the index documents; repair drift when asked."""
    db_stamps = {
        row.id: stamp(row.updated_at)
        for row in db.session.execute(
            select(Listing.id, Listing.updated_at).where(Listing.id.in_(rebuild.public_listing_ids_query()))
        )
    }
    name = store.current_name()
    searcher = store.open(name).searcher()
    try:
        ix_stamps = indexed_stamps(searcher)
    finally:
        searcher.close()
    missing = sorted(set(db_stamps) - set(ix_stamps))
    extra = sorted(set(ix_stamps) - set(db_stamps))
    stale = sorted(i for i in set(db_stamps) & set(ix_stamps) if db_stamps[i] != ix_stamps[i])
    if repair and (missing or extra or stale):
        ids = missing + extra + stale
        with apply.writer_lock(store, timeout=60):
            writer = store.writer(name)
            try:
                for i in range(0, len(ids), apply.BATCH):
                    chunk = ids[i : i + apply.BATCH]
                    apply.write_listings(writer, chunk, apply.load_listings(chunk))
                apply.commit(writer)
            except BaseException:
                writer.cancel()
                raise
    return {"missing": missing, "extra": extra, "stale": stale}
