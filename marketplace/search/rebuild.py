"""Building a new index copy beside the live one, catching it up with the change log and swapping it in."""

import logging
import time

from sqlalchemy import func, select

from .. import pagecache
from ..extensions import db
from ..listings import visibility
from ..listings.models import Listing, ListingChange
from . import apply, dictionary
from .analysis import dictionary_digest
from .schema import document, is_public

log = logging.getLogger(__name__)

GAP_WINDOW = 2000  # ids below a rebuild's snapshot that are checked for transactions still in flight


def _snapshot_state(now):
    """Watermark for a fresh build: the newest change id, with recent missing ids kept as gaps."""
    top = db.session.execute(select(func.max(ListingChange.id))).scalar() or 0
    recent = (
        db.session.execute(
            select(ListingChange.id).where(ListingChange.id > top - GAP_WINDOW).order_by(ListingChange.id)
        )
        .scalars()
        .all()
    )
    state = {"watermark": max(0, top - GAP_WINDOW), "gaps": []}
    state = apply._advance(state, recent, now)
    state["watermark"] = top
    return state


def public_listing_ids_query():
    return select(Listing.id).where(visibility.public_condition())


def public_count():
    return db.session.execute(select(func.count()).select_from(public_listing_ids_query().subquery())).scalar()


def build_into(store, name, progress=None, batch=1000):
    """Index every public listing into the (new, not live) index `name`; returns the number indexed."""
    ids = db.session.execute(public_listing_ids_query().order_by(Listing.id)).scalars().all()
    procs = apply.build_procs(len(ids))
    if procs > 1:  # forked indexers must find the segmenter ready (no lock held by another thread at fork)
        store.open(name).schema["body"].analyzer.words("预热")
        store.open(name).schema["sub"].analyzer.words("预热")
    writer = store.writer(name, bulk=True, procs=procs)
    count = 0
    try:
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            held = {key[1][0] for key in db.session.identity_map.keys() if key[0] is Listing}
            rows = apply.load_listings(chunk)
            for listing_id in chunk:
                listing = rows.get(listing_id)
                if listing is not None and is_public(listing):
                    writer.add_document(**document(listing))
                    count += 1
            for listing_id, row in rows.items():  # bounded memory, but never detach the caller's objects
                if listing_id not in held:
                    db.session.expunge(row)
            if progress:
                progress(len(chunk))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return count


def rebuild(store, progress=None, wait=600.0):
    """Build a new index beside the live one, catch it up with the log and swap it in. Search keeps working.

    One rebuild at a time across processes; with wait=0 a rebuild already running elsewhere raises LockTimeout.
    """
    with store.build_lock(timeout=wait):
        return _rebuild(store, progress)


def create_index(store):
    """A new index (not live yet) with the current dictionary; its watermark is the log's newest id, read
    before any listing is, so every later change is applied on top of the build."""
    now = time.time()
    terms = dictionary.dictionary_terms()
    name = store.create(terms)
    state = _snapshot_state(now)
    state.update(digest=dictionary_digest(terms), base_digest=dictionary.base_digest(), built_at=now)
    store.write_state(name, state)
    return name


def _rebuild(store, progress):
    name = create_index(store)
    try:
        count = build_into(store, name, progress)
        with apply.writer_lock(store, timeout=120):
            apply.apply_pending(store, name)
            store.swap(name)
        pagecache.bump()
    except BaseException:
        store.discard(name)
        raise
    log.info("search index rebuilt: %s documents in %s", count, name)
    return count
