"""The conversation of an accepted inquiry: messages with attachments, unread counts, read receipts, the inbox.

Plain functions that flush, never commit.
"""

from flask_babel import gettext as _
from sqlalchemy import and_, or_, union
from sqlalchemy.orm import selectinload

from .. import badges
from ..accounts.models import User
from ..extensions import db
from ..models_base import utcnow
from ..notifications import services as notifications
from .models import Inquiry, Message
from .services import InquiryError, store_files

INBOX_BOXES = ("all", "received", "sent")


def can_write(user, inquiry):
    return inquiry.status == "accepted" and (inquiry.is_party(user) or user.id == inquiry.broker_id)


def post_message(inquiry, sender, body, uploads=()):
    """Add a message (and its files) to the thread and tell the other side; returns (message, written paths)."""
    if not can_write(sender, inquiry):
        raise InquiryError(_("只有已接受的意向可以继续沟通。"))
    from .abuse import either_blocked

    if either_blocked(inquiry.sender_id, inquiry.recipient_id):
        raise InquiryError(_("一方已屏蔽另一方，不能再发送消息。"))
    message = Message(inquiry_id=inquiry.id, sender_id=sender.id, body=body)
    db.session.add(message)
    db.session.flush()
    written = store_files(inquiry, message, uploads, sender)
    inquiry.last_activity_at = message.created_at
    for user_id in {inquiry.sender_id, inquiry.recipient_id, inquiry.broker_id} - {sender.id, None}:
        if unread_in(inquiry, user_id, before=message.id) == 0:  # one alert until they read the thread
            notifications.notify(
                user_id,
                "message_received",
                {"title": inquiry.listing.title},
                endpoint="inquiries.detail",
                values={"inquiry_id": inquiry.id},
                listing=inquiry.listing,
            )
    db.session.flush()
    return message, written


def unread_in(inquiry, user_id, before=None):
    stmt = db.select(db.func.count(Message.id)).where(
        Message.inquiry_id == inquiry.id, Message.sender_id != user_id, Message.read_at.is_(None)
    )
    if before is not None:
        stmt = stmt.where(Message.id < before)
    return db.session.execute(stmt).scalar()


def messages_of(inquiry):
    return (
        db.session.execute(
            db.select(Message)
            .where(Message.inquiry_id == inquiry.id)
            .order_by(Message.id)
            .options(selectinload(Message.sender).selectinload(User.organisation), selectinload(Message.attachments))
        )
        .scalars()
        .all()
    )


def mark_read(inquiry, user):
    """The thread was shown to one of its parties: the other side's messages are read now (read receipts).
    Operators and the broker reading a thread do not mark it read for the parties."""
    if not inquiry.is_party(user):
        return 0
    return db.session.execute(
        db.update(Message)
        .where(Message.inquiry_id == inquiry.id, Message.sender_id != user.id, Message.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def _mine(user):
    return or_(Inquiry.sender_id == user.id, Inquiry.recipient_id == user.id, Inquiry.broker_id == user.id)


def inbox_query(user, box="all"):
    """The user's inquiries across listings, latest activity first."""
    where = {"received": Inquiry.recipient_id == user.id, "sent": Inquiry.sender_id == user.id}.get(box, _mine(user))
    return (
        db.select(Inquiry)
        .where(where)
        .order_by(Inquiry.last_activity_at.desc(), Inquiry.id.desc())
        .options(
            selectinload(Inquiry.listing),
            selectinload(Inquiry.sender).selectinload(User.organisation),
            selectinload(Inquiry.recipient).selectinload(User.organisation),
        )
    )


def unread_counts(user, inquiry_ids):
    """{inquiry id: unread messages from others} for these threads."""
    if not inquiry_ids:
        return {}
    rows = db.session.execute(
        db.select(Message.inquiry_id, db.func.count(Message.id))
        .where(Message.inquiry_id.in_(inquiry_ids), Message.sender_id != user.id, Message.read_at.is_(None))
        .group_by(Message.inquiry_id)
    ).all()
    return dict(rows)


@badges.counter("inbox")
def unread_total(user):
    """Unread messages plus inquiries waiting for the user's answer (the navigation badge): a scalar expression."""
    mine = union(
        db.select(Inquiry.id).where(Inquiry.sender_id == user.id),
        db.select(Inquiry.id).where(Inquiry.recipient_id == user.id),
    )  # two index look-ups, not a scan
    messages = (
        db.select(db.func.count(Message.id))
        .where(
            Message.inquiry_id.in_(db.select(mine.subquery().c.id)),
            Message.sender_id != user.id,
            Message.read_at.is_(None),
        )
        .scalar_subquery()
    )
    waiting = (
        db.select(db.func.count(Inquiry.id))
        .where(and_(Inquiry.recipient_id == user.id, Inquiry.status == "pending"))
        .scalar_subquery()
    )
    return messages + waiting
