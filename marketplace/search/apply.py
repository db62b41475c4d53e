"""Applying the change log to an index copy: the writer lock, pending changes, watermark and gaps, writing documents.

The database is the source of truth. Every listing change writes a ListingChange row in its own transaction.
apply_pending reads changes above this index copy's watermark, loads the *current* rows of those listings,
upserts or deletes their documents, commits the Whoosh writer and only then advances the watermark (kept in
the index directory, so each host's copy follows the log on its own). A crash anywhere loses nothing: the
unapplied changes are still above the watermark.

Ids can commit out of order on PostgreSQL (a transaction holding id 41 may commit after one holding 42), so
ids skipped below the newest seen id are remembered as gaps and looked at again until GAP_TTL passes.

Building a new copy is rebuild.py, comparing the index with the database reconcile.py, the figures of
`flask search status` status.py, the dictionary and its digests dictionary.py.
"""

import contextlib
import logging
import os
import threading
import time

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import pagecache
from ..extensions import db
from ..listings.models import Listing, ListingChange
from .schema import document, is_public

log = logging.getLogger(__name__)

BATCH = 500  # listings per Whoosh commit when applying changes
BULK_THRESHOLD = 5000  # pending changes from which they are applied in one bulk commit (after an import)
GAP_TTL = 120.0  # seconds an unseen id below the watermark is still waited for


# ---------------------------------------------------------------- locking


def end_read_transaction():
    """End the session's (read-only) transaction before waiting for the index writer lock.

    Waiting for the writer lock while holding a database transaction can deadlock on SQLite, where every
    transaction takes the write lock up front (BEGIN IMMEDIATE) and the lock holder needs it to read the log.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("commit or roll back before updating the search index")
    session.rollback()


def commit(writer):
    """Commit a Whoosh writer; the pages stored by pagecache.py may now show other results."""
    writer.commit()
    pagecache.bump()


@contextlib.contextmanager
def writer_lock(store, timeout=30.0):
    """The index writer lock, taken without holding a database transaction when we may wait for it."""
    if timeout:
        end_read_transaction()
    with store.writer_lock(timeout=timeout):
        yield


# ---------------------------------------------------------------- change log


def pending_condition(state):
    cond = ListingChange.id > state["watermark"]
    gaps = state.get("gaps") or []
    if gaps:
        cond = or_(cond, *[ListingChange.id.between(lo, hi) for lo, hi, _t in gaps])
    return cond


def _advance(state, seen_ids, now):
    """New watermark and gaps after the changes `seen_ids` (sorted) were applied."""
    gaps = []
    seen = set(seen_ids)
    for lo, hi, first in state.get("gaps") or []:
        if now - first > GAP_TTL:
            continue
        start = lo
        for x in sorted(i for i in seen if lo <= i <= hi):
            if start <= x - 1:
                gaps.append([start, x - 1, first])
            start = x + 1
        if start <= hi:
            gaps.append([start, hi, first])
    watermark = state["watermark"]
    above = [i for i in seen_ids if i > watermark]
    for x in above:
        if x > watermark + 1:
            gaps.append([watermark + 1, x - 1, now])
        watermark = x
    return dict(state, watermark=watermark, gaps=gaps[-200:])


def pending_count(state):
    return db.session.execute(select(func.count()).select_from(ListingChange).where(pending_condition(state))).scalar()


def load_listings(ids):
    rows = (
        db.session.execute(
            select(Listing)
            .where(Listing.id.in_(list(ids)))
            .options(selectinload(Listing.tags), selectinload(Listing.organisation))
        )
        .scalars()
        .all()
    )
    return {row.id: row for row in rows}


def write_listings(writer, ids, rows, today=None):
    """Upsert public listings among `ids`, delete the others; returns the number of documents written."""
    written = 0
    fields = set(writer.schema.names())  # an index built before a field was added (until the rebuild)
    for listing_id in ids:
        listing = rows.get(listing_id)
        if listing is not None and is_public(listing, today):
            writer.update_document(**{k: v for k, v in document(listing).items() if k in fields})
            written += 1
        else:
            writer.delete_by_term("id", str(listing_id))
    return written


def apply_pending(store, name, progress=None, limit=None):
    """Apply changes above the watermark of index `name`; returns listings applied.

    The caller holds the writer lock and has no unflushed changes: each batch ends the session's transaction
    (rollback) so the next one sees newer commits and SQLite's write lock is released.
    """
    if limit is None and pending_count(store.read_state(name)) >= BULK_THRESHOLD:
        return _apply_bulk(store, name, progress)
    applied = 0
    while True:
        state = store.read_state(name)
        rows = db.session.execute(
            select(ListingChange.id, ListingChange.listing_id)
            .where(pending_condition(state))
            .order_by(ListingChange.id)
            .limit(BATCH * 4)
        ).all()
        if not rows:
            if state.get("gaps"):  # let expired gaps go
                store.write_state(name, _advance(state, [], time.time()))
            db.session.rollback()
            return applied
        listing_ids = sorted({r.listing_id for r in rows})
        listings = load_listings(listing_ids)
        writer = store.writer(name)
        try:
            write_listings(writer, listing_ids, listings)
            commit(writer)
        except BaseException:
            writer.cancel()
            raise
        store.write_state(name, _advance(state, [r.id for r in rows], time.time()))
        db.session.rollback()  # end the read transaction; the next batch sees newer commits
        applied += len(listing_ids)
        if progress:
            progress(len(listing_ids))
        if len(rows) < BATCH * 4 or (limit and applied >= limit):
            return applied


def _apply_bulk(store, name, progress=None, batch=1000):
    """apply_pending for many changes (after a bulk import): every pending listing written once, by one bulk
    writer (forked indexing processes where build_procs allows), one Whoosh commit, then the watermark.

    A listing is written at most once per writer (documents added by a writer cannot be deleted by it), so
    the log is read first and de-duplicated; changes committed meanwhile stay above the watermark.
    """
    state = store.read_state(name)
    rows = db.session.execute(
        select(ListingChange.id, ListingChange.listing_id).where(pending_condition(state)).order_by(ListingChange.id)
    ).all()
    listing_ids = sorted({r.listing_id for r in rows})
    db.session.rollback()
    procs = build_procs(len(listing_ids))
    if procs > 1:  # forked indexers must find the segmenter ready (no lock held by another thread at fork)
        store.open(name).schema["body"].analyzer.words("预热")
    writer = store.writer(name, bulk=True, procs=procs)
    try:
        for i in range(0, len(listing_ids), batch):
            chunk = listing_ids[i : i + batch]
            write_listings(writer, chunk, load_listings(chunk))
            db.session.rollback()  # no transaction (SQLite write lock) held while indexing
            if progress:
                progress(len(chunk))
        commit(writer)
    except BaseException:
        writer.cancel()
        raise
    store.write_state(name, _advance(state, [r.id for r in rows], time.time()))
    return len(listing_ids)


def build_procs(count):
    """Indexing processes for a build of `count` listings (SEARCH_BUILD_PROCS).

    Forking pays off only for big builds, never in tests, and only from a single-threaded process (the
    `flask search rebuild` command): a fork while another thread holds a lock (logging, the segmenter) could
    leave the child waiting forever, so the web workers' background builds index in-process.
    """
    app = current_app
    default = 1 if app.testing else min(4, os.cpu_count() or 1)
    procs = int(app.config["SEARCH_BUILD_PROCS"] or default)
    return procs if count >= 2000 and threading.active_count() == 1 else 1
