"""A broker's follow-up log on an inquiry or its deal: date, note, next step.

Written by the inquiry's broker and operators; read by everyone who reads the inquiry (both parties, the broker,
operators), so the two sides see what the broker did and plans. Plain functions that flush.
"""

from flask_babel import gettext as _

from ..extensions import db
from .brokers import _tell
from .models import DealFollowup
from .services import InquiryError


def can_write(user, inquiry):
    return getattr(user, "is_operator", False) or (
        inquiry.broker_id is not None and getattr(user, "id", None) == inquiry.broker_id
    )


def add(inquiry, author, happened_on, note, next_step=None, next_on=None):
    """Log one follow-up and tell the others."""
    if not can_write(author, inquiry):
        raise InquiryError(_("只有该洽谈的技术经纪人和运营人员可以记录跟进。"))
    item = DealFollowup(
        inquiry_id=inquiry.id,
        author_id=author.id,
        happened_on=happened_on,
        note=note,
        next_step=next_step or None,
        next_on=next_on,
    )
    db.session.add(item)
    db.session.flush()
    _tell(inquiry, "deal_followup", {"title": inquiry.listing.title}, skip=author.id)
    return item


def of(inquiry):
    return (
        db.session.execute(
            db.select(DealFollowup)
            .where(DealFollowup.inquiry_id == inquiry.id)
            .order_by(DealFollowup.happened_on.desc(), DealFollowup.id.desc())
        )
        .scalars()
        .all()
    )
