"""Abuse control: users block users and report listings or messages; operators resolve reports from a queue
(hide the content, warn its author, disable the author's account, or dismiss the report).

Plain functions that flush, never commit.
"""

from collections import OrderedDict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models_base import utcnow
from ..notifications import services as notifications
from .models import Report, UserBlock
from .services import InquiryError, record

RESOLUTIONS = OrderedDict(
    hide=_l("隐藏内容"), warn=_l("警告发布者"), disable=_l("停用发布者账号"), dismiss=_l("不成立，驳回举报")
)


def is_blocked(blocker_id, blocked_id):
    return (
        db.session.execute(db.select(UserBlock.id).filter_by(blocker_id=blocker_id, blocked_id=blocked_id)).first()
        is not None
    )


def either_blocked(a_id, b_id):
    return is_blocked(a_id, b_id) or is_blocked(b_id, a_id)


def toggle_block(user, other):
    """Block (or unblock) another user; returns True when now blocked."""
    if user.id == other.id:
        raise InquiryError(_("不能屏蔽自己。"))
    block = db.session.execute(
        db.select(UserBlock).filter_by(blocker_id=user.id, blocked_id=other.id)
    ).scalar_one_or_none()
    if block is not None:
        db.session.delete(block)
        db.session.flush()
        return False
    db.session.add(UserBlock(blocker_id=user.id, blocked_id=other.id))
    db.session.flush()
    return True


def report(reporter, reason, listing=None, message=None):
    """File a report on a listing or a message; one open report per reporter and target."""
    reason = (reason or "").strip()
    if not reason:
        raise InquiryError(_("请说明举报的原因。"))
    target = "listing" if listing is not None else "message"
    existing = db.session.execute(
        db.select(Report.id).filter_by(
            reporter_id=reporter.id,
            status="open",
            listing_id=getattr(listing, "id", None),
            message_id=getattr(message, "id", None),
        )
    ).first()
    if existing is not None:
        raise InquiryError(_("您已举报过该内容，运营人员正在处理。"))
    item = Report(
        reporter_id=reporter.id,
        target_type=target,
        listing_id=getattr(listing, "id", None),
        message_id=getattr(message, "id", None),
        reason=reason[:500],
    )
    db.session.add(item)
    db.session.flush()
    return item


def author_of(item):
    return item.listing.owner if item.target_type == "listing" else item.message.sender


def resolve(item, operator, resolution, note=None):
    """Act on an open report. Exactly one operator's decision wins (guarded update on the status)."""
    if resolution not in RESOLUTIONS:
        raise InquiryError(_("请选择处理方式。"))
    done = db.session.execute(
        db.update(Report)
        .where(Report.id == item.id, Report.status == "open")
        .values(
            status="resolved",
            resolution=resolution,
            note=(note or None),
            resolved_by_id=operator.id,
            resolved_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InquiryError(_("该举报已处理。"))
    db.session.refresh(item)
    author = author_of(item)
    if resolution == "hide":
        _hide(item, operator, note)
    elif resolution == "warn":
        notifications.notify(author, "moderation_warning", {"reason": note or item.reason})
    elif resolution == "disable" and not author.is_operator:
        from ..accounts.services import disable_user

        disable_user(author, operator)
    db.session.flush()
    return item


def _hide(item, operator, note):
    if item.target_type == "message":
        item.message.hidden_at = utcnow()
        from .models import Inquiry

        record(db.session.get(Inquiry, item.message.inquiry_id), operator, "hide_message", reason=note)
    else:
        from ..listings.services import takedown_listing

        takedown_listing(item.listing, operator, note or item.reason)
