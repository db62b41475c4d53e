"""Saved searches and follows: in-app notifications and emails, never twice for the same pair.

`notify_for(listing_ids)` runs in the updater's transaction after the suggestions are refreshed; the unique
constraint on (user, source, source id, listing) makes a pair notify once even if a listing is published,
withdrawn and published again. Emails go out after commit (`send_pending_emails`), through marketplace.mail
(SMTP, or the outbox folder in development and tests).
"""
import logging

from flask_babel import gettext as _

from ..extensions import db
from ..listings import filters as filter_table
from ..listings.models import Listing
from ..listings.visibility import public_condition
from ..models_base import utcnow
from ..upsert import insert_missing
from . import text as textmod
from .models import Follow, Notification, SavedSearch, Suggestion

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


def _add(user_id, source, source_id, listing_id):
    """Once per pair, also when two workers notify at the same moment (ON CONFLICT DO NOTHING)."""
    row = {"user_id": user_id, "source": source, "source_id": source_id, "listing_id": listing_id,
           "created_at": utcnow()}
    return insert_missing(Notification, [row], ["user_id", "source", "source_id", "listing_id"]) == 1


def notify_for(listing_ids):
    """Create the notifications that newly published listings trigger; returns how many were created."""
    created = 0
    listings = db.session.execute(db.select(Listing).where(Listing.id.in_(list(listing_ids)),
                                                           public_condition())).scalars().all()
    if not listings:
        return 0
    searches = db.session.execute(db.select(SavedSearch)).scalars().all()
    for listing in listings:
        for saved in searches:
            if saved.user_id != listing.owner_id and search_matches(saved, listing):
                created += _add(saved.user_id, "search", saved.id, listing.id)
        holders = db.session.execute(
            db.select(Suggestion.listing_id).where(Suggestion.candidate_id == listing.id,
                                                   Suggestion.rank <= FOLLOW_TOP)).scalars().all()
        if holders:
            for follow in db.session.execute(db.select(Follow).where(Follow.listing_id.in_(holders))).scalars():
                if follow.user_id != listing.owner_id:
                    created += _add(follow.user_id, "follow", follow.listing_id, listing.id)
    db.session.flush()
    return created


def describe(notification):
    """The one-line Chinese text of a notification."""
    if notification.source == "follow":
        followed = db.session.get(Listing, notification.source_id)
        return _("您关注的「%(followed)s」有新的匹配：%(title)s", followed=followed.title if followed else "—",
                 title=notification.listing.title)
    return _("您保存的搜索有新的结果：%(title)s", title=notification.listing.title)


def send_pending_emails():
    """Email every notification not yet emailed (call after commit); returns how many were sent."""
    from ..mail import send_mail
    from ..urls import external_url

    pending = db.session.execute(
        db.select(Notification).where(Notification.emailed_at.is_(None)).order_by(Notification.id).limit(200)
    ).scalars().all()
    sent = 0
    for n in pending:
        link = external_url("listings.detail", kind=n.listing.kind, listing_id=n.listing_id)
        body = describe(n) + "\n\n" + link + "\n\n" + _("可在“匹配推荐 > 通知”中管理关注与保存的搜索。")
        if send_mail(n.user.email, _("江西技术交易市场：新的匹配"), body):
            n.emailed_at = utcnow()
            sent += 1
    db.session.flush()
    return sent


def unread_count(user):
    return db.session.execute(db.select(db.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar()


def toggle_follow(user, listing):
    """Follow or unfollow a listing's suggestions; returns True when now following.

    The follow is inserted with ON CONFLICT DO NOTHING: two concurrent clicks both end "following", never a 500."""
    query = db.select(Follow).filter_by(user_id=user.id, listing_id=listing.id)
    follow = db.session.execute(query).scalar_one_or_none()
    if follow is not None:
        db.session.delete(follow)
        db.session.flush()
        return False
    insert_missing(Follow, [{"user_id": user.id, "listing_id": listing.id, "created_at": utcnow()}],
                   ["user_id", "listing_id"])
    return True


def save_search(user, query, filters):
    saved = SavedSearch(user_id=user.id, query=query[:200], filters=filters)
    db.session.add(saved)
    db.session.flush()
    return saved


def mark_all_read(user):
    db.session.execute(db.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))
