"""In-process pools of published listings for the ranker, kept in step with the ListingChange log.

Each app keeps one pool per kind and database in `app.extensions["matching_pools"]` (a `PoolCache`, created
on first use), so a new app (each test builds one) starts without pools. A pool is built once from the
database, then every read first applies the ListingChange rows written since (a listing published, changed,
withdrawn or deleted), so a pool is never staler than the last committed change.
"""

import logging
import threading

from flask import current_app

from ..extensions import db
from ..listings.models import Listing, ListingChange, Tag, listing_tags
from ..listings.visibility import public_condition
from . import text as textmod
from .features import Doc
from .models import MatchProfile
from .postings import Pool

log = logging.getLogger(__name__)


def listing_doc(listing, profile=None):
    """The ranker's view of a listing. The category is the CSL category when imported with one, else the industry."""
    industry = listing.industry if listing.industry and listing.industry != "other" else None
    tags = list(listing.tag_names)
    return Doc(
        id=listing.id,
        kind=listing.kind,
        title=listing.title or "",
        body=" ".join(x for x in (listing.summary, listing.indicators if listing.kind == "need" else "") if x),
        tags=tuple(tags),
        category=(profile.category if profile is not None and profile.category else industry),
        field=profile.discipline if profile is not None else None,
        region=listing.region,
        maturity=listing.maturity,
        min_maturity=listing.min_maturity,
        cooperation_mask=listing.cooperation_mask or 0,
        price_wan=float(listing.price_wan) if listing.price_wan is not None else None,
        price_negotiable=bool(listing.price_negotiable),
        published_at=listing.published_at,
        owner_id=listing.owner_id,
        organisation_id=listing.organisation_id,
    )


def load_docs(ids=None, kind=None, published_only=True):
    """Docs of listings (by id or kind), with their match profiles, in a few queries."""
    query = db.select(Listing)
    if ids is not None:
        query = query.where(Listing.id.in_(list(ids)))
    if kind is not None:
        query = query.where(Listing.kind == kind)
    if published_only:
        query = query.where(public_condition())
    listings = db.session.execute(query).scalars().all()
    if not listings:
        return []
    profiles = {}
    id_list = [x.id for x in listings]
    for start in range(0, len(id_list), 5000):
        chunk = id_list[start : start + 5000]
        for p in db.session.execute(db.select(MatchProfile).where(MatchProfile.listing_id.in_(chunk))).scalars():
            profiles[p.listing_id] = p
    return [listing_doc(x, profiles.get(x.id)) for x in listings]


class Pools:
    """The achievement pool and the need pool of one database, with the last ListingChange id applied."""

    def __init__(self):
        self.by_kind = {"achievement": Pool(), "need": Pool()}
        self.last_change = 0
        self.computed = {}  # listing id -> last_change when this process stored its list (services.compute_lists)

    def build(self, chunk=5000):
        """Build from the published listings, a chunk at a time: the loaded rows of one chunk are released before
        the next (the session's identity map holds them weakly), so 100k listings never sit in memory at once."""
        self.last_change = db.session.execute(db.select(db.func.max(ListingChange.id))).scalar() or 0
        ids = db.session.execute(db.select(Listing.id).where(public_condition()).order_by(Listing.id)).scalars().all()
        tag_names = db.session.execute(
            db.select(Tag.name)
            .join(listing_tags, listing_tags.c.tag_id == Tag.id)
            .where(listing_tags.c.listing_id.in_(db.select(Listing.id).where(public_condition())))
            .distinct()
        ).scalars()
        textmod.use_vocabulary([*textmod.domain_terms(), *tag_names])  # before any text is segmented
        for start in range(0, len(ids), chunk):
            for doc in load_docs(ids[start : start + chunk]):
                self.by_kind[doc.kind].add(doc)
        log.info(
            "matching pools built: %d achievements, %d needs",
            len(self.by_kind["achievement"]),
            len(self.by_kind["need"]),
        )

    def sync(self):
        """Apply the change log since the last sync; returns the ids of the listings that changed."""
        rows = db.session.execute(
            db.select(ListingChange.id, ListingChange.listing_id)
            .where(ListingChange.id > self.last_change)
            .order_by(ListingChange.id)
        ).all()
        if not rows:
            return set()
        changed = {r.listing_id for r in rows}
        self.apply(changed)
        self.last_change = rows[-1].id
        return changed

    def apply(self, ids):
        ids = set(ids)
        for pool in self.by_kind.values():
            for i in ids:
                pool.remove(i)
        docs = load_docs(ids)
        textmod.add_terms(t for d in docs for t in d.tags)
        for doc in docs:
            self.by_kind[doc.kind].add(doc)

    def other_side(self, kind):
        return self.by_kind["need" if kind == "achievement" else "achievement"]


class PoolCache:
    """One app's pools, by database URL, behind one lock (the request threads and the refresher share them)."""

    def __init__(self):
        self.by_url = {}
        self.lock = threading.RLock()


def _app_cache():
    """The current app's PoolCache (dict.setdefault is atomic: two threads get the same one)."""
    return current_app.extensions.setdefault("matching_pools", PoolCache())


def get_pools():
    """This app's pools for the current database, built on first use and synced on every call."""
    key = str(db.engine.url)
    cache = _app_cache()
    with cache.lock:
        pools = cache.by_url.get(key)
        if pools is None:
            pools = Pools()
            pools.build()
            cache.by_url[key] = pools
        else:
            pools.sync()
        return pools


def peek():
    """This app's pools if already built (never builds them: that takes minutes at 100k listings)."""
    cache = _app_cache()
    with cache.lock:
        return cache.by_url.get(str(db.engine.url))


def reset():
    """Forget this app's pools (after bulk changes that bypass the change log)."""
    cache = _app_cache()
    with cache.lock:
        cache.by_url.clear()
