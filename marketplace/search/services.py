"""The search feature's interface for the rest of the application.

    search(q=..., filters=..., sort=..., page=...) -> SearchResult (hits with their Listing, total, facets)
    sync(progress=None) -> number of listings applied from the change log (used by the bulk importer)
    rebuild(progress=None), reconcile(repair=True), status()

Whoosh stays behind this module, engine.py and index.py.
"""

import logging

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..listings.models import Listing, ListingChange
from .apply import apply_pending, writer_lock
from .engine import SNIPPET_CHARS, SearchParams, execute, related_terms
from .engine import did_you_mean as near_spelling
from .index import IndexStore, LockTimeout
from .query import highlight
from .rebuild import build_into, create_index
from .rebuild import public_count as count_public
from .rebuild import rebuild as rebuild_index
from .reconcile import reconcile as reconcile_index
from .schema import is_public, public_text
from .status import status as index_status

log = logging.getLogger(__name__)

SYNC_ON_QUERY_LIMIT = 50  # a search applies at most this many pending changes itself; more is left to the thread


def get_store(app=None):
    """The IndexStore of the app's SEARCH_INDEX_DIR (one per process and directory)."""
    app = app or current_app._get_current_object()
    stores = app.extensions.setdefault("search_stores", {})
    root = app.config["SEARCH_INDEX_DIR"]
    store = stores.get(root)
    if store is None:
        store = stores[root] = IndexStore(root)
    return store


def ensure_index(store=None, progress=None, wait=60.0):
    """Build the index when there is none (first start, new host). Returns True if it exists afterwards.

    With wait=0 (a web request) nobody waits while another thread or process builds it: False then.
    """
    store = store or get_store()
    if store.exists():
        return True
    try:
        with writer_lock(store, timeout=wait):
            if store.exists():
                return True
            name = create_index(store)
            build_into(store, name, progress)
            apply_pending(store, name)
            store.swap(name)
            db.session.rollback()
            return True
    except LockTimeout:
        return store.exists()


def sync(progress=None, timeout=60.0, store=None):
    """Apply every pending change to the index now (waiting for the writer lock). Returns listings applied."""
    store = store or get_store()
    if not store.exists():
        ensure_index(store, progress=progress, wait=timeout)
        return 0
    with writer_lock(store, timeout=timeout):
        return apply_pending(store, store.current_name(), progress)


def try_sync(store=None, limit=None):
    """Apply pending changes if the writer lock is free right now; never waits, never raises LockTimeout."""
    store = store or get_store()
    try:
        with store.writer_lock(timeout=0):
            if not store.exists():
                return 0
            return apply_pending(store, store.current_name(), limit=limit)
    except LockTimeout:
        return 0


def _catch_up(store):
    """Before a search: apply a small backlog ourselves, so a user sees what they just published."""
    name = store.current_name()
    state = store.read_state(name)
    newest = db.session.execute(select(func.max(ListingChange.id))).scalar() or 0
    if newest <= state["watermark"] and not state.get("gaps"):
        return
    if newest - state["watermark"] <= SYNC_ON_QUERY_LIMIT:
        try_sync(store, limit=SYNC_ON_QUERY_LIMIT)


def search(q="", filters=None, sort="relevance", page=1, per_page=20):
    """Search public listings. Hits carry `.listing` (the current database row); non-public rows are dropped."""
    store = get_store()
    if not ensure_index(store, wait=0):
        raise LockTimeout("search index is being built")
    if current_app.config["SEARCH_SYNC_ON_QUERY"]:
        _catch_up(store)
    searcher = store.searcher()
    if searcher is None:  # the live directory went away under its name: build it again, as on a first start
        if not ensure_index(store, wait=0) or (searcher := store.searcher()) is None:
            raise LockTimeout("search index is being built")
    params = SearchParams(q=q or "", filters=filters or {}, sort=sort, page=page, per_page=per_page)
    result = execute(searcher, params, caches=store.caches())
    ids = [hit.listing_id for hit in result.hits]
    rows = {}
    if ids:
        rows = {row.id: row for row in db.session.execute(select(Listing).where(Listing.id.in_(ids))).scalars()}
    kept = []
    for hit in result.hits:
        listing = rows.get(hit.listing_id)
        if listing is not None and is_public(listing):  # the index may trail the database by a moment
            hit.listing = listing
            # shown as the database has it now (public fields only), marked with the query's words
            hit.title_html = highlight(listing.title, result.terms)
            hit.snippet_html = highlight(public_text(listing, normalized=False), result.terms, width=SNIPPET_CHARS)
            kept.append(hit)
    result.hits = kept
    return result


def warm(app=None):
    """Open the index and fill the search caches of this process before it takes traffic (no-op without an
    index). For a web worker's start-up."""
    return get_store(app).warm()


def rebuild(progress=None):
    """Build a new index from the database and swap it in (search keeps working meanwhile)."""
    return rebuild_index(get_store(), progress=progress)


def public_count():
    """Listings that belong in the index (published, not expired)."""
    return count_public()


def reconcile(repair=True):
    return reconcile_index(get_store(), repair=repair)


def status():
    return index_status(get_store())


def close(app=None):
    """Close this process's searchers (shutdown)."""
    for store in (app or current_app).extensions.get("search_stores", {}).values():
        store.close()


def empty_state_hints(q, filters):
    """What would help after a search found nothing: results per dropped filter, and terms that occur
    together with the query's words in the catalogue."""
    store = get_store()
    searcher, caches = store.searcher(), store.caches()
    drop = []
    for facet in filters:
        others = {f: codes for f, codes in filters.items() if f != facet}
        total = execute(searcher, SearchParams(q=q, filters=others, per_page=1), caches=caches).total
        drop.append((facet, total))
    everywhere = execute(searcher, SearchParams(q=q, per_page=1), caches=caches).total if len(filters) > 1 else None
    return {"drop": drop, "everywhere": everywhere, "terms": related_terms(searcher, q, caches=caches)}


def did_you_mean(q):
    """A near spelling of the query that finds listings having every word, or None."""
    store = get_store()
    searcher = store.searcher()
    suggestion = near_spelling(searcher, q)
    if suggestion and execute(searcher, SearchParams(q=suggestion, per_page=1), caches=store.caches()).full_total:
        return suggestion
    return None
