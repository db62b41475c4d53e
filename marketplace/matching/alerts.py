"""Saved searches and follows: in-app notifications and emails, never twice for the same pair.

`notify_for(listing_ids)` runs in the updater's transaction after the suggestions are refreshed; through
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
    if not filter_table.matches(listing, saved.filters or {}):
        return False
    text = textmod.normalize(" ".join([listing.title, listing.summary or "", " ".join(listing.tag_names)]))
    return all(word in text for word in textmod.normalize(saved.query).split())


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
    """Create the notifications that newly published listings trigger; returns how many were created."""
    created = 0
    listings = (
        db.session.execute(db.select(Listing).where(Listing.id.in_(list(listing_ids)), public_condition()))
        .scalars()
        .all()
    )
    if not listings:
        return 0
    searches = db.session.execute(db.select(SavedSearch)).scalars().all()
    for listing in listings:
        for saved in searches:
            if saved.user_id != listing.owner_id and search_matches(saved, listing):
                created += _add(saved.user_id, "search", saved.id, listing)
        holders = (
            db.session.execute(
                db.select(Suggestion.listing_id).where(
                    Suggestion.candidate_id == listing.id, Suggestion.rank <= FOLLOW_TOP
                )
            )
            .scalars()
            .all()
        )
        if holders:
            for follow in db.session.execute(db.select(Follow).where(Follow.listing_id.in_(holders))).scalars():
                if follow.user_id != listing.owner_id:
                    created += _add(follow.user_id, "follow", follow.listing_id, listing)
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
