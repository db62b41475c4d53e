"""Brokers (技术经纪人) on the operators' board of strong pairs: assign, mark contacted, not a fit, introduce.

An introduction is an inquiry on the achievement with the broker as initiator (origin "broker"): the need's owner
is its sender, the achievement's owner its recipient, and it opens (contact details, thread, deal) only when both
sides consented (`consent`). Plain functions that flush, never commit; a pair's status and a consent change by
atomic UPDATEs guarded by the state the actor saw, so two concurrent actions never both win.
"""

from flask_babel import gettext as _

from ..extensions import db
from ..listings.models import Listing
from ..listings.visibility import is_public
from ..models_base import utcnow
from ..notifications import services as notifications
from ..upsert import insert_missing
from .abuse import either_blocked
from .models import BoardPair, Inquiry
from .pipeline import PAIR_STATUSES, PAIR_TRANSITIONS
from .services import REASON_MAX, InquiryError, open_inquiry, record, store_files

BROKER_ACTIONS = {"contacted", "introduce", "not_fit"}  # what the pair's broker may do; operators do all


def pair_for(need, achievement, lock=False):
    """The board row of this pair, created "open" on first use (ON CONFLICT DO NOTHING: no race)."""
    insert_missing(
        BoardPair,
        [{"need_id": need.id, "achievement_id": achievement.id, "status": "open", "updated_at": utcnow()}],
        ["need_id", "achievement_id"],
    )
    stmt = db.select(BoardPair).filter_by(need_id=need.id, achievement_id=achievement.id)
    pair = db.session.execute(stmt.with_for_update() if lock else stmt).scalar_one()
    db.session.refresh(pair)
    return pair


def pair_or_new(need, achievement):
    """The board row of this pair, or an unsaved "open" one (for pages that only read)."""
    pair = db.session.execute(
        db.select(BoardPair).filter_by(need_id=need.id, achievement_id=achievement.id)
    ).scalar_one_or_none()
    return pair or BoardPair(
        need_id=need.id, achievement_id=achievement.id, need=need, achievement=achievement, status="open"
    )


def may_act(user, pair, action):
    if getattr(user, "is_operator", False):
        return True
    return action in BROKER_ACTIONS and pair.broker_id is not None and pair.broker_id == getattr(user, "id", None)


def _check_broker(broker):
    if broker is None or broker.role != "broker" or broker.is_disabled:
        raise InquiryError(_("请选择一位技术经纪人。"))
    return broker


def act(pair, actor, action, seen_status, broker=None):
    """Move a pair one step (assign, contacted, not_fit, reopen). `seen_status` is what the actor's page showed."""
    if action not in PAIR_TRANSITIONS or action == "introduce":
        raise InquiryError(_("未知的操作。"))
    if not may_act(actor, pair, action):
        raise InquiryError(_("只有运营人员和该配对的技术经纪人可以处理它。"))
    values = {"updated_at": utcnow(), "updated_by_id": actor.id}
    if action == "assign":
        values["broker_id"] = _check_broker(broker).id
    _move(pair, action, seen_status, values)
    if action == "assign":
        notifications.notify(
            broker,
            "broker_pair_assigned",
            {"need": pair.need.title, "title": pair.achievement.title},
            endpoint="inquiries.broker_desk",
            listing=pair.achievement,
        )
    return pair


def _move(pair, action, seen_status, values):
    sources, to_status = PAIR_TRANSITIONS[action]
    if seen_status not in sources:
        raise InquiryError(_("当前状态（%(s)s）不能执行此操作。", s=PAIR_STATUSES.get(seen_status, seen_status)))
    if to_status is None:
        to_status = "assigned" if seen_status == "open" else seen_status
    done = db.session.execute(
        db.update(BoardPair)
        .where(BoardPair.id == pair.id, BoardPair.status == seen_status)
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InquiryError(_("该配对已被他人处理，请刷新页面后再试。"))
    db.session.refresh(pair)


def introduction_blocker(pair):
    """Why this pair cannot be introduced now, or None."""
    need, achievement = pair.need, pair.achievement
    if pair.broker_id is None:
        return _("请先为该配对指派技术经纪人。")
    if not (is_public(need) and is_public(achievement)):
        return _("该配对的条目当前未公开，不能引荐。")
    if need.owner_id == achievement.owner_id or either_blocked(need.owner_id, achievement.owner_id):
        return _("不能为这两方引荐。")
    if open_inquiry(need.owner, achievement) is not None:
        return _("双方已有进行中的洽谈。")
    return None


def introduce(pair, actor, seen_status, values, uploads=()):
    """The broker (or an operator) introduces the two sides: a pending introduction both must consent to.
    Returns (inquiry, written file paths)."""
    if not may_act(actor, pair, "introduce"):
        raise InquiryError(_("只有运营人员和该配对的技术经纪人可以处理它。"))
    blocker = introduction_blocker(pair)
    if blocker:
        raise InquiryError(blocker)
    _move(pair, "introduce", seen_status, {"updated_at": utcnow(), "updated_by_id": actor.id})
    need, achievement = pair.need, pair.achievement
    inquiry = Inquiry(
        listing=achievement,
        sender_id=need.owner_id,
        recipient_id=achievement.owner_id,
        broker_id=pair.broker_id,
        kind="cooperation",
        origin="broker",
        origin_listing_id=need.id,
        **values,
    )
    db.session.add(inquiry)
    db.session.flush()
    pair.inquiry_id = inquiry.id
    written = store_files(inquiry, None, uploads, actor)
    record(inquiry, actor, "introduce", None, "pending")
    for user_id in (need.owner_id, achievement.owner_id):
        notifications.notify(
            user_id,
            "introduction_received",
            {"title": achievement.title, "need": need.title},
            endpoint="inquiries.detail",
            values={"inquiry_id": inquiry.id},
            listing=achievement,
        )
    return inquiry, written


def _tell(inquiry, kind, params, skip=None):
    for user_id in {inquiry.sender_id, inquiry.recipient_id, inquiry.broker_id} - {skip, None}:
        notifications.notify(
            user_id,
            kind,
            params,
            endpoint="inquiries.detail",
            values={"inquiry_id": inquiry.id},
            listing=inquiry.listing,
        )


def has_consented(inquiry, user):
    column = "sender_consented_at" if user.id == inquiry.sender_id else "recipient_consented_at"
    return getattr(inquiry, column) is not None


def consent(inquiry, user, action, reason=None):
    """One side of an introduction accepts or declines. Contact details open only when both accepted; a decline
    closes it (the others see the reason)."""
    if not (inquiry.is_introduction and inquiry.is_party(user)):
        raise InquiryError(_("只有被引荐的双方可以答复引荐。"))
    now = utcnow()
    if action == "decline":
        reason = (reason or "").strip()[:REASON_MAX]
        if not reason:
            raise InquiryError(_("请填写原因，对方会看到它。"))
        values = {"status": "declined", "decline_reason": reason, "decided_at": now, "last_activity_at": now}
        _update(inquiry, values)
        record(inquiry, user, "decline", "pending", "declined", reason)
        _tell(inquiry, "introduction_declined", {"title": inquiry.listing.title, "reason": reason}, skip=user.id)
        return inquiry
    column = Inquiry.sender_consented_at if user.id == inquiry.sender_id else Inquiry.recipient_consented_at
    _update(inquiry, {column.key: now, "last_activity_at": now}, column.is_(None))
    record(inquiry, user, "consent", "pending", "pending")
    opened = db.session.execute(
        db.update(Inquiry)
        .where(
            Inquiry.id == inquiry.id,
            Inquiry.status == "pending",
            Inquiry.sender_consented_at.is_not(None),
            Inquiry.recipient_consented_at.is_not(None),
        )
        .values(status="accepted", decided_at=now, stage="negotiating", stage_changed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(inquiry)
    if opened:
        record(inquiry, user, "accept", "pending", "accepted")
        _tell(inquiry, "introduction_accepted", {"title": inquiry.listing.title})
    else:
        _tell(inquiry, "introduction_consent", {"title": inquiry.listing.title}, skip=user.id)
    return inquiry


def _update(inquiry, values, *conditions):
    done = db.session.execute(
        db.update(Inquiry)
        .where(Inquiry.id == inquiry.id, Inquiry.status == "pending", *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InquiryError(_("您已经答复过该引荐了。"))
    db.session.refresh(inquiry)


def load_pair_listings(need_id, achievement_id):
    """(need, achievement) of a board pair, or None when the ids do not name a need and an achievement."""
    need, achievement = db.session.get(Listing, need_id), db.session.get(Listing, achievement_id)
    if need is None or achievement is None or need.kind != "need" or achievement.kind != "achievement":
        return None
    return need, achievement
