"""Saved searches and follows: in-app notifications and emails, never twice for the same pair.

The updater finds the alerts of a batch of changes with `plan_alerts` while it computes the batch's lists,
without SQLite's write lock (matching every saved search against every new listing takes seconds after a bulk
import), and creates them with `store_alerts` in the short transaction that stores the lists; through
marketplace.notifications.notify with a dedupe key per (source, source id, listing), so a pair notifies once even
if a listing is published, withdrawn and published again. Emails go out after commit (`send_pending_emails`),
through marketplace.mail (SMTP, or the outbox folder in development and tests).
"""

import logging

from ..extensions import db
from ..listings import filters as filter_table
from ..listings.models import Listing
from ..listings.visibility import public_condition
from ..models_base import utcnow
from ..notifications import services as notifications
from ..upsert import insert_missing
from . import text as textmod
from .models import Follow, SavedSearch, Suggestion

log = logging.getLogger(__name__)

FOLLOW_TOP = 10  # a followed listing notifies when a new listing enters this many of its best suggestions


def clean_filters(args):
    """{URL argument: [codes]} of known filters with known codes (listings/filters.py), from request args or a dict."""
    return filter_table.read(args)


def search_matches(saved, listing):
    """Whether a published listing satisfies a saved search: every query word in its text, every filter met."""
    return _matches(_words(saved), saved.filters, listing, _text(listing))


def _words(saved):
    return textmod.normalize(saved.query).split()


def _text(listing):
    return textmod.normalize(" ".join([listing.title, listing.summary or "", " ".join(listing.tag_names)]))


def _matches(words, filters, listing, text):
    return all(word in text for word in words) and filter_table.matches(listing, filters or {})


def _add(user_id, source, source_id, listing):
    """One alert per (user, source, source id, listing); True when it was created."""
    if source == "follow":
        followed = db.session.get(Listing, source_id)
        kind, params = "match_follow", {"followed": followed.title if followed else "—", "title": listing.title}
    else:
        kind, params = "match_search", {"title": listing.title}
    note = notifications.notify(
        user_id,
        kind,
        params,
        endpoint="listings.detail",
        values={"kind": listing.kind, "listing_id": listing.id},
        listing=listing,
        dedupe=f"{source}:{source_id}:{listing.id}",
    )
    return note is not None


def notify_for(listing_ids):
    """Create the notifications that newly published listings trigger now; returns how many were created."""
    return store_alerts(plan_alerts(listing_ids))


def plan_alerts(listing_ids, lists=None):
    """The alerts that newly published listings trigger: [(user id, "search" | "follow", source id, listing id)].

    Reads only. `lists` ({listing id: results}) are lists about to be stored in the same transaction as the alerts:
    they count as stored when finding the followed listings whose top FOLLOW_TOP a new listing enters."""
    listings = (
        db.session.execute(db.select(Listing).where(Listing.id.in_(list(listing_ids)), public_condition()))
        .scalars()
        .all()
    )
    if not listings:
        return []
    searches = [(saved, _words(saved)) for saved in db.session.execute(db.select(SavedSearch)).scalars()]
    holders = _follow_holders([listing.id for listing in listings], lists or {})
    followers = {}
    if holders:
        followed = sorted({holder for ids in holders.values() for holder in ids})
        for follow in db.session.execute(db.select(Follow).where(Follow.listing_id.in_(followed))).scalars():
            followers.setdefault(follow.listing_id, []).append(follow.user_id)
    planned = []
    for listing in listings:
        text = _text(listing)
        for saved, words in searches:
            if saved.user_id != listing.owner_id and _matches(words, saved.filters, listing, text):
                planned.append((saved.user_id, "search", saved.id, listing.id))
        for holder in sorted(holders.get(listing.id, ())):
            for user_id in followers.get(holder, ()):
                if user_id != listing.owner_id:
                    planned.append((user_id, "follow", holder, listing.id))
    return planned


def _follow_holders(listing_ids, lists):
    """{listing id: the listings whose best FOLLOW_TOP suggestions hold it}, once `lists` are stored."""
    wanted = set(listing_ids)
    holders = {}
    stored = db.session.execute(
        db.select(Suggestion.listing_id, Suggestion.candidate_id).where(
            Suggestion.candidate_id.in_(listing_ids), Suggestion.rank <= FOLLOW_TOP
        )
    ).all()
    for holder, candidate in stored:
        if holder not in lists:  # its stored list is about to be replaced
            holders.setdefault(candidate, set()).add(holder)
    for holder, results in lists.items():
        for candidate, *_rest in (results or ())[:FOLLOW_TOP]:
            if candidate in wanted:
                holders.setdefault(candidate, set()).add(holder)
    return holders


def store_alerts(planned):
    """Create the planned alerts (a pair already notified is skipped); returns how many were created."""
    if not planned:
        return 0
    ids = {listing_id for *_rest, listing_id in planned}
    ids |= {source_id for _user, source, source_id, _listing in planned if source == "follow"}
    listings = {x.id: x for x in db.session.execute(db.select(Listing).where(Listing.id.in_(ids))).scalars()}
    created = 0
    for user_id, source, source_id, listing_id in planned:
        if listing_id in listings:
            created += _add(user_id, source, source_id, listings[listing_id])
    db.session.flush()
    return created


def send_pending_emails():
    """Email every notification not yet emailed (call after commit); returns how many were sent."""
    return notifications.send_pending_emails()


def toggle_follow(user, listing):
    """Follow or unfollow a listing's suggestions; returns True when now following.

    The follow is inserted with ON CONFLICT DO NOTHING: two concurrent clicks both end "following", never a 500."""
    query = db.select(Follow).filter_by(user_id=user.id, listing_id=listing.id)
    follow = db.session.execute(query).scalar_one_or_none()
    if follow is not None:
        db.session.delete(follow)
        db.session.flush()
        return False
    insert_missing(
        Follow, [{"user_id": user.id, "listing_id": listing.id, "created_at": utcnow()}], ["user_id", "listing_id"]
    )
    return True


def save_search(user, query, filters):
    saved = SavedSearch(user_id=user.id, query=query[:200], filters=filters)
    db.session.add(saved)
    db.session.flush()
    return saved


# listing action -> the notification its followers get (other people's listings: told when they change or go)
FOLLOWER_KINDS = {
    "revision_approved": "listing_changed",
    "withdraw": "listing_withdrawn",
    "expire": "listing_withdrawn",
    "takedown": "listing_withdrawn",
}


def notify_followers(listing, action):
    """Tell everyone who follows the listing (but its owner) that it changed or went offline."""
    kind = FOLLOWER_KINDS.get(action)
    if kind is None:
        return 0
    followers = (
        db.session.execute(
            db.select(Follow.user_id).where(Follow.listing_id == listing.id, Follow.user_id != listing.owner_id)
        )
        .scalars()
        .all()
    )
    for user_id in followers:
        notifications.about_listing(user_id, kind, listing)
    return len(followers)
