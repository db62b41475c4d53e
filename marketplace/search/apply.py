"""Keeping the index in step with the database: apply the change log, rebuild, reconcile, report status.

The database is the source of truth. Every listing change writes a ListingChange row in its own transaction.
The applier reads changes above this index copy's watermark, loads the *current* rows of those listings,
upserts or deletes their documents, commits the Whoosh writer and only then advances the watermark (kept in
the index directory, so each host's copy follows the log on its own). A crash anywhere loses nothing: the
unapplied changes are still above the watermark.

Ids can commit out of order on PostgreSQL (a transaction holding id 41 may commit after one holding 42), so
ids skipped below the newest seen id are remembered as gaps and looked at again until GAP_TTL passes.
"""

import contextlib
import logging
import os
import re
import threading
import time

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import taxonomy
from ..extensions import db
from ..listings import visibility
from ..listings.models import Listing, ListingChange, Tag
from ..models_base import utcnow
from .analysis import DOMAIN_TERMS, SYNONYMS, clean_terms, dictionary_digest
from .schema import document, is_public, stamp

log = logging.getLogger(__name__)

BATCH = 500  # listings per Whoosh commit when applying changes
BULK_THRESHOLD = 5000  # pending changes from which they are applied in one bulk commit (after an import)
GAP_TTL = 120.0  # seconds an unseen id below the watermark is still waited for
GAP_WINDOW = 2000  # ids below a rebuild's snapshot that are checked for transactions still in flight


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


@contextlib.contextmanager
def writer_lock(store, timeout=30.0):
    """The index writer lock, taken without holding a database transaction when we may wait for it."""
    if timeout:
        end_read_transaction()
    with store.writer_lock(timeout=timeout):
        yield


# ---------------------------------------------------------------- dictionary

_msgid = taxonomy.msgid


def _label_terms():
    out = []
    for vocabulary in (
        taxonomy.INDUSTRIES,
        taxonomy.SOURCE_PROGRAMMES,
        taxonomy.COOPERATION_MODES,
        taxonomy.MATURITIES,
        taxonomy.IP_TYPES,
    ):
        for _code, label in taxonomy.choices(vocabulary):
            out.extend(p for p in re.split(r"[\s()（）、,，与及含]+", _msgid(label)) if p)
    return out


def dictionary_terms():
    """The domain dictionary: shipped terms, taxonomy labels and every tag in use."""
    tags = db.session.execute(select(Tag.name)).scalars().all()
    return clean_terms(list(DOMAIN_TERMS) + _label_terms() + SYNONYMS.chinese_terms() + list(tags))


def current_digest():
    return dictionary_digest(dictionary_terms())


# ---------------------------------------------------------------- change log


def _pending_condition(state):
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
    return db.session.execute(select(func.count()).select_from(ListingChange).where(_pending_condition(state))).scalar()


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
            .where(_pending_condition(state))
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
            writer.commit()
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
        select(ListingChange.id, ListingChange.listing_id).where(_pending_condition(state)).order_by(ListingChange.id)
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
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    store.write_state(name, _advance(state, [r.id for r in rows], time.time()))
    return len(listing_ids)


# ---------------------------------------------------------------- rebuild / reconcile / status


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
    state = _advance(state, recent, now)
    state["watermark"] = top
    return state


def public_listing_ids_query():
    return select(Listing.id).where(visibility.public_condition())


def public_count():
    return db.session.execute(select(func.count()).select_from(public_listing_ids_query().subquery())).scalar()


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


def build_into(store, name, progress=None, batch=1000):
    """Index every public listing into the (new, not live) index `name`; returns the number indexed."""
    ids = db.session.execute(public_listing_ids_query().order_by(Listing.id)).scalars().all()
    procs = build_procs(len(ids))
    if procs > 1:  # forked indexers must find the segmenter ready (no lock held by another thread at fork)
        store.open(name).schema["body"].analyzer.words("预热")
        store.open(name).schema["sub"].analyzer.words("预热")
    writer = store.writer(name, bulk=True, procs=procs)
    count = 0
    try:
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            held = {key[1][0] for key in db.session.identity_map.keys() if key[0] is Listing}
            rows = load_listings(chunk)
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


def base_digest():
    """Digest of the shipped part of the dictionary (terms list, taxonomy labels): a deploy changes it."""
    return dictionary_digest(clean_terms(list(DOMAIN_TERMS) + _label_terms() + SYNONYMS.chinese_terms()))


def create_index(store):
    """A new index (not live yet) with the current dictionary; its watermark is the log's newest id, read
    before any listing is, so every later change is applied on top of the build."""
    now = time.time()
    terms = dictionary_terms()
    name = store.create(terms)
    state = _snapshot_state(now)
    state.update(digest=dictionary_digest(terms), base_digest=base_digest(), built_at=now)
    store.write_state(name, state)
    return name


def _rebuild(store, progress):
    name = create_index(store)
    try:
        count = build_into(store, name, progress)
        with writer_lock(store, timeout=120):
            apply_pending(store, name)
            store.swap(name)
    except BaseException:
        store.discard(name)
        raise
    log.info("search index rebuilt: %s documents in %s", count, name)
    return count


def indexed_stamps(searcher):
    return {int(f["id"]): f.get("updated_at", "") for f in searcher.reader().all_stored_fields()}


def reconcile(store, repair=True):
    """Compare ids and updated_at of public listings with the index documents; repair drift when asked."""
    db_stamps = {
        row.id: stamp(row.updated_at)
        for row in db.session.execute(
            select(Listing.id, Listing.updated_at).where(Listing.id.in_(public_listing_ids_query()))
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
        with writer_lock(store, timeout=60):
            writer = store.writer(name)
            try:
                for i in range(0, len(ids), BATCH):
                    chunk = ids[i : i + BATCH]
                    write_listings(writer, chunk, load_listings(chunk))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
    return {"missing": missing, "extra": extra, "stale": stale}


def status(store):
    """Numbers for `flask search status`."""
    name = store.current_name()
    state = store.read_state(name) if name else {"watermark": 0, "gaps": []}
    published = public_count()
    docs = 0
    if name and store.exists():
        with store.open(name).searcher() as searcher:
            docs = searcher.doc_count()
    pending = pending_count(state)
    oldest = db.session.execute(select(func.min(ListingChange.created_at)).where(_pending_condition(state))).scalar()
    lag = (utcnow() - oldest).total_seconds() if oldest else 0.0
    return {
        "index": name,
        "published": published,
        "documents": docs,
        "pending": pending,
        "lag_seconds": lag,
        "watermark": state.get("watermark", 0),
        "gaps": len(state.get("gaps") or []),
        "dictionary_current": state.get("digest") == current_digest(),
    }
