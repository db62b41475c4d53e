"""Matching services: compute, store and serve suggestions; dismissals; key-term suggestions.

Plain functions that flush and never commit. Suggestions are precomputed per listing (SUGGESTIONS_KEPT of
them, so that dismissals leave enough to show) and refreshed from the ListingChange log by `process_changes`,
which the background updater (matching.background) calls a few times a second.
"""

import logging
from dataclasses import dataclass

from ..extensions import db
from ..listings.models import Listing, ListingChange
from ..listings.visibility import public_condition
from ..models_base import utcnow
from ..upsert import upsert
from . import alerts, features, pools, ranker, suggest
from . import text as textmod
from .models import DISMISS_REASONS, Dismissal, MatchProfile, MatchState, Suggestion

log = logging.getLogger(__name__)

SUGGESTIONS_KEPT = 20
STORE_CHUNK = 500  # listing ids per DELETE ... IN (...) when lists are stored
REVERSE_REFRESH = 10  # the best counterparts of a changed listing whose own lists are recomputed too
STATE_NAME = "suggestions"
# How a dismissal reason demotes similar candidates later (value added to the score): models.DISMISS_REASONS.
DISMISSAL_PENALTY = {code: penalty for code, (_label, penalty) in DISMISS_REASONS.items() if penalty is not None}


# ---------------------------------------------------------------- computing


def _dismissal_context(owner_id):
    """The owner's dismissed candidates (as docs) with their reasons, and the pairs never to show again."""
    rows = db.session.execute(db.select(Dismissal).where(Dismissal.user_id == owner_id)).scalars().all()
    pairs = {(d.listing_id, d.candidate_id) for d in rows}
    docs = {d.id: d for d in pools.load_docs({r.candidate_id for r in rows}, published_only=False)} if rows else {}
    return pairs, [(docs[r.candidate_id], r.reason) for r in rows if r.candidate_id in docs]


def _dismissal_item(cand, dismissed):
    """A malus when the candidate resembles one the owner dismissed (same kind of reason, similar content)."""
    worst = None
    cand_tags = set(cand.tags)
    for doc, reason in dismissed:
        if doc.id == cand.id or reason not in DISMISSAL_PENALTY:
            continue
        similar = len(cand_tags & set(doc.tags)) >= 2 or (cand.field and cand.field == doc.field)
        if reason == "maturity":
            similar = similar and cand.maturity is not None and cand.maturity == doc.maturity
        elif reason == "price":
            similar = (
                similar and cand.price_wan is not None and doc.price_wan is not None and cand.price_wan >= doc.price_wan
            )
        if similar and (worst is None or DISMISSAL_PENALTY[reason] < worst[0]):
            worst = (DISMISSAL_PENALTY[reason], reason)
    if worst is None:
        return None
    return {"code": "dismissal", "value": worst[0], "key": "dismissal_similar", "params": {"reason": worst[1]}}


def compute(doc, all_pools, limit=SUGGESTIONS_KEPT, max_terms=ranker.RETRIEVAL_TERMS, threshold=True, owners=None):
    """Ranked suggestions for a listing doc: [(candidate_id, score, factor items)], dismissals applied.

    `owners` (owner id -> dismissal context) lets a batch read each owner's dismissals once."""
    pool = all_pools.other_side(doc.kind)
    owners = {} if owners is None else owners
    if doc.owner_id is not None and doc.owner_id not in owners:
        owners[doc.owner_id] = _dismissal_context(doc.owner_id)
    pairs, dismissed = owners[doc.owner_id] if doc.owner_id is not None else (set(), [])
    exclude = {c for (lst, c) in pairs if lst == doc.id}
    return suggest.suggestions(
        doc,
        pool,
        limit,
        exclude=exclude,
        max_terms=max_terms,
        threshold=threshold,
        malus=(lambda cand: _dismissal_item(cand, dismissed)) if dismissed else None,
    )


def query_docs(listing_ids, all_pools):
    """{id: Doc} of the given listings that are in the pools, with their full text read from the database.

    The pools keep only the terms of a listing (its body is dropped to save memory), so a listing that asks for
    suggestions is always read again here: the live updater, `flask match refresh` and `flask match run` all
    rank a listing on the same title, text, tags and profile.
    """
    wanted = [i for i in dict.fromkeys(listing_ids) if any(i in p.profiles for p in all_pools.by_kind.values())]
    docs = {}
    for start in range(0, len(wanted), 500):
        docs.update((d.id, d) for d in pools.load_docs(wanted[start : start + 500]))
    return docs


def rankings(listing_ids, all_pools, limit=SUGGESTIONS_KEPT):
    """(listing id, results or None when it is not published) for each listing: the one ranking code path."""
    ids = list(dict.fromkeys(listing_ids))
    owners = {}  # each owner's dismissals, read once per call
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        docs = query_docs(chunk, all_pools)
        for listing_id in chunk:
            doc = docs.get(listing_id)
            yield listing_id, (compute(doc, all_pools, limit=limit, owners=owners) if doc is not None else None)


def _store_many(lists, now):
    """Store computed lists {listing id: results, or None when it is not published any more (it then leaves every
    list)} with a few set-based statements: the updater runs this inside SQLite's write lock, where each statement
    also waits for its turn at the GIL (the index updater shares the process), so their number, not their rows,
    sets how long every other writer waits."""
    ids = list(lists)
    gone = {listing_id for listing_id, results in lists.items() if results is None}
    for start in range(0, len(ids), STORE_CHUNK):
        db.session.execute(db.delete(Suggestion).where(Suggestion.listing_id.in_(ids[start : start + STORE_CHUNK])))
    gone_ids = sorted(gone)
    for start in range(0, len(gone_ids), STORE_CHUNK):
        chunk = gone_ids[start : start + STORE_CHUNK]
        db.session.execute(db.delete(Suggestion).where(Suggestion.candidate_id.in_(chunk)))
    rows = [
        {
            "listing_id": listing_id,
            "candidate_id": cid,
            "rank": n + 1,
            "score": score,
            "factors": items,
            "percent": percent,
            "computed_at": now,
        }
        for listing_id, results in lists.items()
        if results
        for n, (cid, score, items, percent) in enumerate(results)
        if cid not in gone
    ]
    for start in range(0, len(rows), STORE_CHUNK * 10):  # multi-row INSERTs, no ORM objects
        db.session.execute(db.insert(Suggestion), rows[start : start + STORE_CHUNK * 10])


def _holders(listing_ids):
    """Listings whose stored lists hold any of these listings (they may have to drop or re-rank them)."""
    ids = list(listing_ids)
    out = []
    for start in range(0, len(ids), 500):
        out.extend(
            db.session.execute(
                db.select(Suggestion.listing_id).where(Suggestion.candidate_id.in_(ids[start : start + 500]))
            ).scalars()
        )
    return out


def compute_lists(listing_ids, all_pools, upto=None, pending=()):
    """{listing id: results or None}: the lists of changed listings, then those of their best counterparts and of
    the listings whose lists held them (the reverse side). Reads only: the caller stores them.

    A counterpart's list is recomputed from its own point of view (scores are relative to the query), so the
    changed listing enters, moves in or leaves it exactly as a full recomputation would place it. It is skipped
    when it will be recomputed anyway (`pending`: changed later in the log) or when this process computed it
    from pools that already held change `upto` (a bulk import would otherwise recompute the same counterparts
    once per batch).
    """
    lists = dict(rankings(listing_ids, all_pools))
    reverse = [r[0] for results in lists.values() for r in (results or [])[:REVERSE_REFRESH]]
    reverse.extend(_holders(lists))
    seen = all_pools.computed
    todo = [
        c
        for c in dict.fromkeys(reverse)
        if c not in lists and c not in pending and (upto is None or seen.get(c, 0) < upto)
    ]
    lists.update(rankings(todo, all_pools))
    return lists


def store_lists(lists, all_pools=None, position=0):
    """Store computed lists (flushes); remembers the change-log position of the pools they were computed from
    (see compute_lists)."""
    _store_many(lists, utcnow())
    if all_pools is not None:
        for listing_id in lists:
            all_pools.computed[listing_id] = position
    db.session.flush()


def refresh_listings(listing_ids, all_pools=None):
    """Recompute the lists of changed listings and of their reverse side; returns the ids recomputed."""
    all_pools = all_pools or pools.get_pools()
    position = all_pools.last_change
    lists = compute_lists(listing_ids, all_pools)
    store_lists(lists, all_pools, position)
    return set(lists)


def refresh_listing(listing_id, all_pools=None):
    """Recompute one listing's suggestions (and the reverse side); returns its stored results."""
    refresh_listings([listing_id], all_pools)
    return suggestions_for(db.session.get(Listing, listing_id), limit=SUGGESTIONS_KEPT)


@dataclass
class Plan:
    """A batch of the change log and the lists it requires, computed before anything is written."""

    start: int  # the consumer position the batch was read at
    last: int  # the last change id of the batch
    ids: list  # the listings that changed
    lists: dict  # listing id -> results (None: not published any more)
    position: int  # the change-log position of the pools the lists were computed from
    alerts: list  # the alerts the batch triggers (alerts.plan_alerts), created when the batch is claimed


def _state():
    state = db.session.get(MatchState, STATE_NAME)
    return state.last_change_id if state is not None else 0


def plan_changes(batch=200):
    """Read a batch of the change log and compute the lists it requires; None when nothing is pending.

    Only reads (the background updater runs it without SQLite's write lock); `apply_plan` writes.
    """
    start = _state()
    rows = db.session.execute(
        db.select(ListingChange.id, ListingChange.listing_id)
        .where(ListingChange.id > start)
        .order_by(ListingChange.id)
        .limit(batch)
    ).all()
    if not rows:
        return None
    all_pools = pools.get_pools()  # synced to the end of the log
    ids = list(dict.fromkeys(r.listing_id for r in rows))
    later = db.session.execute(
        db.select(ListingChange.listing_id).where(ListingChange.id > rows[-1].id).distinct()
    ).scalars()
    position = all_pools.last_change
    lists = compute_lists(ids, all_pools, upto=rows[-1].id, pending=set(later))
    return Plan(start, rows[-1].id, ids, lists, position, alerts.plan_alerts(ids, lists))


def apply_plan(plan):
    """Claim the plan's batch with a compare-and-set on MatchState and store its lists and alerts (flushes);
    returns how many changed listings it applied (0 when another worker applied the batch first). Several workers may
    plan the same batch; only one claims it, so a change is applied (and alerts sent) once."""
    if plan is None:
        return 0
    state = db.session.get(MatchState, STATE_NAME)
    if state is None:
        db.session.add(MatchState(name=STATE_NAME, last_change_id=0))
        db.session.flush()
    claimed = db.session.execute(
        db.update(MatchState)
        .where(MatchState.name == STATE_NAME, MatchState.last_change_id == plan.start)
        .values(last_change_id=plan.last, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return 0
    store_lists(plan.lists, pools.peek(), plan.position)
    alerts.store_alerts(plan.alerts)
    return len(plan.ids)


def process_changes(batch=200):
    """Apply the ListingChange log to the stored suggestions in the caller's transaction; returns how many
    changed listings were applied. The caller commits."""
    return apply_plan(plan_changes(batch))


def refresh_batches(batch=100):
    """Recompute every published listing's suggestions (after a bulk import or a ranker change), a batch at a
    time: yields (done, total) after each flushed batch, so that the caller commits in short transactions and the
    site keeps writing in between."""
    all_pools = pools.get_pools()
    ids = [i for pool in all_pools.by_kind.values() for i in pool.profiles]
    now = utcnow()
    for start in range(0, len(ids), batch):
        _store_many(dict(rankings(ids[start : start + batch], all_pools)), now)
        db.session.flush()
        yield min(start + batch, len(ids)), len(ids)


def refresh_all(progress=None):
    """Recompute every published listing's suggestions in the caller's transaction; returns how many."""
    total = 0
    for done, total in refresh_batches():
        if progress:
            progress(done, total)
    return total


# ---------------------------------------------------------------- serving

MAX_PAGE = 10000  # a page number past this is treated as this (never an overflow in the database)


def _shown(query, user, listing_id_column):
    """Only published candidates, without the pairs the user dismissed."""
    query = query.where(Listing.status == "published")
    if user is not None:
        dismissed = db.select(Dismissal.candidate_id).where(
            Dismissal.user_id == user.id, Dismissal.listing_id == listing_id_column
        )
        query = query.where(Suggestion.candidate_id.not_in(dismissed))
    return query


def suggestions_for(listing, user=None, limit=10):
    """Stored suggestions of a listing, best first, without pairs the user dismissed or unpublished candidates."""
    query = (
        db.select(Suggestion)
        .join(Suggestion.candidate)
        .options(db.contains_eager(Suggestion.candidate))
        .where(Suggestion.listing_id == listing.id, public_condition())
        .order_by(Suggestion.score.desc(), Suggestion.candidate_id)
        .limit(limit)
    )
    return db.session.execute(_shown(query, user, listing.id)).scalars().all()


def improvement_hints(listing):
    """What would help a listing that has no suggestion above the threshold: tags, an industry, a fuller text."""
    from flask_babel import gettext as _

    hints = []
    if len(listing.tags) < 3:
        hints.append(
            _(
                "补充 3–5 个关键词标签（具体的技术名称，如“石墨烯”“NB-IoT”）："
                "对方的标签出现在您的描述中是最强的匹配依据。"
            )
        )
    if not listing.industry or listing.industry == "other":
        hints.append(_("选择所属行业领域：同一行业的条目优先推荐。"))
    if len(listing.summary or "") < 80:
        hints.append(_("把描述写得更具体：写明技术名称、材料、指标和应用场景，避免只用“系统”“制备”这类通用词。"))
    return hints or [_("在描述中使用对方可能使用的具体技术词；有新的相关条目发布时，这里会自动出现推荐。")]


def suggestions_for_user(user, page=1, per_page=10, per_listing=5):
    """One page of the user's published listings: (pagination, [(listing, its top suggestions, how many in all)])."""
    listings = (
        db.select(Listing)
        .where(Listing.owner_id == user.id, public_condition())
        .order_by(Listing.published_at.desc(), Listing.id.desc())
    )
    paged = db.paginate(listings, page=min(max(page, 1), MAX_PAGE), per_page=per_page, error_out=False)
    ids = [x.id for x in paged.items]
    counts = (
        dict(
            db.session.execute(
                _shown(
                    db.select(Suggestion.listing_id, db.func.count())
                    .join(Suggestion.candidate)
                    .where(Suggestion.listing_id.in_(ids), public_condition())
                    .group_by(Suggestion.listing_id),
                    user,
                    Suggestion.listing_id,
                )
            ).all()
        )
        if ids
        else {}
    )
    tops = top_suggestions(ids, user, limit=per_listing)
    return paged, [(x, tops[x.id], counts.get(x.id, 0)) for x in paged.items]


def top_suggestions(listing_ids, user=None, limit=5):
    """{listing id: its first `limit` suggestions as suggestions_for() lists them} for many listings in one query
    (a page of /matches/ made one query per listing, and one more per relationship of the candidates)."""
    if not listing_ids:
        return {}
    order = db.func.row_number().over(
        partition_by=Suggestion.listing_id, order_by=(Suggestion.score.desc(), Suggestion.candidate_id)
    )
    ranked = _shown(
        db.select(Suggestion.id, order.label("place"))
        .join(Suggestion.candidate)
        .where(Suggestion.listing_id.in_(listing_ids), public_condition()),
        user,
        Suggestion.listing_id,
    ).subquery()
    query = (
        db.select(Suggestion)
        .join(ranked, ranked.c.id == Suggestion.id)
        .join(Suggestion.candidate)
        .options(db.contains_eager(Suggestion.candidate))
        .where(ranked.c.place <= limit)
        .order_by(Suggestion.listing_id, ranked.c.place)
    )
    tops = {listing_id: [] for listing_id in listing_ids}
    for suggestion in db.session.execute(query).scalars():
        tops[suggestion.listing_id].append(suggestion)
    return tops


def strongest_pairs_query(per_listing=5):
    """(select of Suggestion, need alias, achievement alias): each published need's top suggestions (published,
    nobody dismissed them), strongest first. The board adds its filters to it."""
    need = db.aliased(Listing)
    cand = db.aliased(Listing)
    forward = db.and_(Dismissal.listing_id == Suggestion.listing_id, Dismissal.candidate_id == Suggestion.candidate_id)
    backward = db.and_(Dismissal.listing_id == Suggestion.candidate_id, Dismissal.candidate_id == Suggestion.listing_id)
    dismissed = db.select(Dismissal.id).where(db.or_(forward, backward))
    query = (
        db.select(Suggestion)
        .join(need, need.id == Suggestion.listing_id)
        .join(cand, cand.id == Suggestion.candidate_id)
        .where(
            need.kind == "need",
            public_condition(listing=need),
            public_condition(listing=cand),
            ~dismissed.exists(),
            Suggestion.rank <= per_listing,
        )
        .order_by(Suggestion.score.desc(), Suggestion.id)
    )
    return query, need, cand


def strongest_pairs(page=1, per_page=30, per_listing=5):
    """Operators' board, one page of strongest_pairs_query."""
    query, _need, _cand = strongest_pairs_query(per_listing)
    return db.paginate(query, page=min(max(page, 1), MAX_PAGE), per_page=per_page, error_out=False)


def dismissal_summary():
    """Dismissal counts by reason, most frequent first: [(reason, count)]."""
    rows = db.session.execute(
        db.select(Dismissal.reason, db.func.count()).group_by(Dismissal.reason).order_by(db.func.count().desc())
    ).all()
    return [(r[0], r[1]) for r in rows]


def dismiss(user, listing, candidate_id, reason, note=None):
    """Record that `user` does not want `candidate_id` suggested for `listing`; idempotent."""
    keys = {"user_id": user.id, "listing_id": listing.id, "candidate_id": candidate_id}
    upsert(Dismissal, {**keys, "reason": reason, "note": note, "created_at": utcnow()}, list(keys), ["reason", "note"])
    dismissal = db.session.execute(db.select(Dismissal).filter_by(**keys)).scalar_one()
    db.session.refresh(dismissal)  # the identity map may hold the row as it was before the upsert
    return dismissal


# ---------------------------------------------------------------- key terms


def suggest_tags(text, limit=8):
    """Key terms of a text being written (specific words by the market's statistics) plus taxonomy terms in it."""
    from .. import taxonomy

    norm = textmod.normalize(text)
    if not norm:
        return {"key_terms": [], "taxonomy": []}
    built = pools.peek()
    # Specificity from the market's statistics when this process has them; else every word weighs the same.
    stats = built.by_kind["achievement"].stats if built is not None else features.Stats()
    doc = features.Doc(id=None, kind="need", title="", body=text)
    textmod.add_terms(textmod.domain_terms())
    known = [t for t in textmod.domain_terms() if textmod.normalize(t) in norm]
    terms = list(dict.fromkeys(known + features.key_terms(features.profile(doc), stats, limit=limit)))[:limit]
    found = []
    for vocabulary in (taxonomy.INDUSTRIES,):
        for code, label in vocabulary.items():
            chinese = taxonomy.msgid(label)  # match on the Chinese label; show the user's language
            parts = [
                p
                for p in chinese.replace("（", "、")
                .replace("）", "")
                .replace("与", "、")
                .replace("及", "、")
                .replace("含", "")
                .split("、")
                if len(p) >= 2
            ]
            if any(p.lower() in norm for p in parts):
                found.append({"code": code, "label": str(label)})
    return {"key_terms": terms, "taxonomy": found}


def set_profile(listing_id, discipline=None, category=None):
    """Record a listing's discipline/category for the matcher (bulk imports that carry the CSL field/category).

    Call in the importing transaction, before the listing's ListingChange is applied.
    """
    profile = db.session.get(MatchProfile, listing_id) or MatchProfile(listing_id=listing_id)
    profile.discipline = (discipline or "")[:60] or None
    profile.category = (category or "")[:30] or None
    db.session.add(profile)
    db.session.flush()
    return profile
