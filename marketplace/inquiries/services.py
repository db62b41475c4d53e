"""Inquiries: who may send one, the daily limit, sending, accepting or declining, contact details after consent.

Plain functions that flush, never commit. Every step writes an InquiryEvent through `record` in the same
transaction. Decisions are atomic UPDATEs guarded by the expected status, so two concurrent accepts (or an
accept and a decline) never both win.
"""

import logging
import os
import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from .. import audit
from ..accounts.models import User
from ..extensions import db
from ..listings.attachments import remove_files, upload_folder
from ..listings.visibility import is_public
from ..models_base import utcnow
from ..notifications import services as notifications
from .models import Inquiry, InquiryAttachment, InquiryEvent
from .pipeline import INQUIRY_TRANSITIONS

log = logging.getLogger(__name__)

REASON_MAX = 500
# listing kind -> roles that may send an inquiry on it (and the kind of inquiry each sends)
SENDER_ROLES = {
    "achievement": {"company": "cooperation", "investor": "investment"},
    "need": {"researcher": "cooperation"},
}


class InquiryError(Exception):
    """A step that is not possible now; the message is shown and nothing has changed."""


def record(inquiry, actor, action, from_state=None, to_state=None, reason=None, data=None):
    """Log one step of the inquiry or its deal (the one recording function)."""
    db.session.add(
        InquiryEvent(
            inquiry_id=inquiry.id,
            actor_id=getattr(actor, "id", None),
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=(reason or None) and reason[:REASON_MAX],
            data=data,
        )
    )
    db.session.flush()


def can_read(user, inquiry):
    """The two parties, the assigned broker and operators."""
    if not getattr(user, "is_authenticated", False):
        return False
    return inquiry.is_party(user) or user.id == inquiry.broker_id or user.is_operator


def send_blocker(user, listing):
    """Why this user cannot send an inquiry on this listing now, or None."""
    if not getattr(user, "is_authenticated", False):
        return _("请先登录。")
    if user.id == listing.owner_id:
        return _("不能对自己发布的条目发送意向。")
    if not is_public(listing):
        return _("该条目当前未公开，不能发送意向。")
    if user.role not in SENDER_ROLES[listing.kind]:
        return (
            _("只有企业用户和投资人可以对科技成果发送意向。")
            if listing.kind == "achievement"
            else _("只有科研人员可以对技术需求发送意向。")
        )
    if not user.in_verified_org:
        return _("您所在的机构通过实名认证后才能发送意向。")
    from .abuse import either_blocked

    if either_blocked(user.id, listing.owner_id):
        return _("您无法向该条目的发布者发送意向。")
    if open_inquiry(user, listing) is not None:
        return _("您已对该条目发送过意向，请在“我的洽谈”中查看。")
    return None


OPEN_STATUSES = ("pending", "accepted")  # an inquiry still open: the sender may not send another on that listing


def open_inquiry(user, listing):
    """The user's pending or accepted inquiry on this listing, or None."""
    return (
        db.session.execute(
            db.select(Inquiry).where(
                Inquiry.sender_id == user.id,
                Inquiry.listing_id == listing.id,
                Inquiry.status.in_(OPEN_STATUSES),
            )
        )
        .scalars()
        .first()
    )


def open_inquiry_ids(user):
    """{listing id: id of the user's pending or accepted inquiry on it} (the first one, as open_inquiry)."""
    rows = db.session.execute(
        db.select(Inquiry.listing_id, Inquiry.id)
        .where(Inquiry.sender_id == user.id, Inquiry.status.in_(OPEN_STATUSES))
        .order_by(Inquiry.id)
    )
    found = {}
    for listing_id, inquiry_id in rows:
        found.setdefault(listing_id, inquiry_id)
    return found


def sent_today(user):
    """How many inquiries the user sent in the last 24 hours."""
    since = utcnow() - timedelta(hours=24)
    return db.session.execute(
        db.select(db.func.count(Inquiry.id)).where(Inquiry.sender_id == user.id, Inquiry.created_at >= since)
    ).scalar()


def limit_reached(user):
    return sent_today(user) >= current_app.config["INQUIRY_DAILY_LIMIT"]


def limit_message():
    return _(
        "您在 24 小时内已发送 %(n)s 条意向，达到每日上限，请明天再发送。已填写的内容仍保留在下方。",
        n=current_app.config["INQUIRY_DAILY_LIMIT"],
    )


def send_inquiry(sender, listing, values, uploads=(), origin="listing", origin_listing=None):
    """Create a pending inquiry and tell the owner; returns (inquiry, written file paths)."""
    # Lock the sender's row so that concurrent sends count each other (the daily limit holds under load).
    db.session.execute(db.select(User.id).where(User.id == sender.id).with_for_update())
    blocker = send_blocker(sender, listing)
    if blocker:
        raise InquiryError(blocker)
    if limit_reached(sender):
        raise InquiryError(limit_message())
    inquiry = Inquiry(
        listing=listing,
        sender=sender,
        recipient_id=listing.owner_id,
        kind=SENDER_ROLES[listing.kind][sender.role],
        origin=origin,
        origin_listing_id=getattr(origin_listing, "id", None),
        **values,
    )
    db.session.add(inquiry)
    db.session.flush()
    written = store_files(inquiry, None, uploads, sender)
    record(inquiry, sender, "send", None, "pending")
    notifications.notify(
        listing.owner_id,
        "inquiry_received",
        {"title": listing.title},
        endpoint="inquiries.detail",
        values={"inquiry_id": inquiry.id},
        listing=listing,
    )
    return inquiry, written


def store_files(inquiry, message, uploads, user):
    """Write checked uploads (listings.attachments.check_upload) under generated names; returns the paths."""
    folder = upload_folder() if uploads else None
    written = []
    try:
        for upload in uploads:
            stored_name = uuid.uuid4().hex
            path = os.path.join(folder, stored_name)
            with open(path, "xb") as fh:
                fh.write(upload.data)
            written.append(path)
            db.session.add(
                InquiryAttachment(
                    inquiry=inquiry,
                    message=message,
                    stored_name=stored_name,
                    original_name=upload.original_name,
                    content_type=upload.content_type,
                    size=upload.size,
                    uploaded_by_id=user.id,
                )
            )
    except OSError:
        remove_files(written)
        raise
    db.session.flush()
    return written


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise InquiryError(_("请填写原因，对方会看到它。"))
    return reason[:REASON_MAX]


def decide(inquiry, actor, action, reason=None):
    """Accept or decline a pending inquiry (the recipient only). Exactly one concurrent decision wins.
    A broker's introduction is answered by each side (brokers.consent)."""
    if inquiry.is_introduction:
        from .brokers import consent

        return consent(inquiry, actor, action, reason)
    if actor.id != inquiry.recipient_id:
        raise InquiryError(_("只有条目的发布者可以答复意向。"))
    sources, to_status = INQUIRY_TRANSITIONS[action]
    if action == "decline":
        reason = _require_reason(reason)
    now = utcnow()
    values = {"status": to_status, "decided_at": now, "last_activity_at": now}
    if action == "accept":
        values.update(stage="negotiating", stage_changed_at=now)
    else:
        values["decline_reason"] = reason
    done = db.session.execute(
        db.update(Inquiry)
        .where(Inquiry.id == inquiry.id, Inquiry.status.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InquiryError(_("该意向已经答复过了。"))
    db.session.refresh(inquiry)
    record(inquiry, actor, action, "pending", to_status, reason)
    kind = "inquiry_accepted" if action == "accept" else "inquiry_declined"
    params = {"title": inquiry.listing.title, **({"reason": reason} if reason else {})}
    notifications.notify(
        inquiry.sender_id,
        kind,
        params,
        endpoint="inquiries.detail",
        values={"inquiry_id": inquiry.id},
        listing=inquiry.listing,
    )
    return inquiry


def contacts_visible(inquiry):
    """Contact details of both sides are shown to each other only after the owner accepted."""
    return inquiry.status == "accepted"


def contact_card(inquiry, side):
    """Name, phone, e-mail and organisation of one side ("sender" or "recipient"), for an accepted inquiry only."""
    if not contacts_visible(inquiry):
        return None
    user = inquiry.sender if side == "sender" else inquiry.recipient
    listing = inquiry.listing
    if side == "recipient" and (listing.contact_name or listing.contact_phone or listing.contact_email):
        name, phone, email = listing.contact_name, listing.contact_phone, listing.contact_email
    else:
        name, phone, email = user.name, user.phone, user.email
    return {
        "name": name or user.name,
        "phone": phone or "—",
        "email": email or user.email,
        "organisation": user.organisation.name,
    }


def events_of(inquiry):
    return (
        db.session.execute(
            db.select(InquiryEvent).where(InquiryEvent.inquiry_id == inquiry.id).order_by(InquiryEvent.id)
        )
        .scalars()
        .all()
    )  # labels only: no actor loaded


def grant_broker(user, operator):
    """Operators give a user the broker role (技术经纪人)."""
    if not getattr(operator, "is_operator", False) or user.is_operator or user.is_disabled:
        raise InquiryError(_("不能将该用户设为技术经纪人。"))
    previous, user.role = user.role, "broker"
    db.session.flush()
    audit.record("user.role_change", user=operator, target=user, before=previous, after="broker")


def assign_broker(inquiry, operator, broker):
    """Operators assign a broker to an inquiry: the broker then reads it, writes in its thread and moves its deal."""
    if not getattr(operator, "is_operator", False):
        raise InquiryError(_("只有运营人员可以指派技术经纪人。"))
    if broker is None or broker.role != "broker" or broker.is_disabled:
        raise InquiryError(_("请选择一位技术经纪人。"))
    previous = inquiry.broker_id
    inquiry.broker_id = broker.id
    db.session.flush()
    record(inquiry, operator, "assign_broker", reason=broker.name, data={"from": previous, "to": broker.id})
    notifications.notify(
        broker,
        "broker_assigned",
        {"title": inquiry.listing.title},
        endpoint="inquiries.detail",
        values={"inquiry_id": inquiry.id},
        listing=inquiry.listing,
    )
    return inquiry


def brokers():
    return (
        db.session.execute(
            db.select(User).where(User.role == "broker", User.is_disabled.is_(False)).order_by(User.name)
        )
        .scalars()
        .all()
    )
