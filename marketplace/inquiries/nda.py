"""The platform's standard NDA (versioned): owners require it per achievement, requesters sign it before the
detailed tier opens; who signed which version and when is recorded and shown to the owner.

Plain functions that flush, never commit.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import audit
from ..extensions import db
from ..notifications import services as notifications
from .models import NdaRequirement, NdaSignature
from .services import InquiryError

NDA_VERSION = "2026.1"
NDA_TITLE = _l("江西省常设技术交易市场 标准保密协议")
NDA_CLAUSES = (
    _l(
        "一、保密信息：指本成果详细技术方案、工艺参数、实验数据、知识产权编号及附件等在平台上仅向签署人开放的全部内容。"
    ),
    _l("二、签署人仅为评估与成果发布方开展合作之目的使用保密信息，不得向任何第三方披露，不得用于申请专利或自行实施。"),
    _l(
        "三、签署人应以不低于保护自身保密信息的谨慎程度保护保密信息，仅向确有必要知悉且负有同等保密义务的本机构人员披露。"
    ),
    _l("四、已公开的、签署人事先合法知悉的或独立开发的信息不属于保密信息。"),
    _l("五、保密义务自签署之日起五年内有效；双方另行签订的技术合同有约定的，从其约定。"),
    _l("六、违反本协议给发布方造成损失的，签署人应依法承担赔偿责任。本协议适用中华人民共和国法律。"),
    _l("七、签署记录（签署人、机构、时间、协议版本）由平台保存，可作为签署的证明。"),
)


def is_required(listing):
    return db.session.get(NdaRequirement, listing.id) is not None


def signature(user, listing):
    """The user's signature of the current version for this listing, or None."""
    return db.session.execute(
        db.select(NdaSignature).filter_by(listing_id=listing.id, user_id=user.id, version=NDA_VERSION)
    ).scalar_one_or_none()


def satisfied(user, listing):
    """True when the listing needs no NDA or the user signed the current version."""
    return not is_required(listing) or (
        getattr(user, "is_authenticated", False) and signature(user, listing) is not None
    )


def set_required(listing, owner, required):
    """The owner switches the NDA requirement of an achievement on or off."""
    if owner.id != listing.owner_id or listing.kind != "achievement":
        raise InquiryError(_("只有成果的发布者可以设置保密协议。"))
    current = db.session.get(NdaRequirement, listing.id)
    if required and current is None:
        db.session.add(NdaRequirement(listing_id=listing.id, set_by_id=owner.id))
    elif not required and current is not None:
        db.session.delete(current)
    db.session.flush()


def sign(user, listing, ip_address=None):
    """Record the user's acceptance of the current NDA version (once) and tell the owner."""
    if not is_required(listing):
        raise InquiryError(_("该成果不需要签署保密协议。"))
    if user.id == listing.owner_id:
        raise InquiryError(_("发布者本人无需签署。"))
    existing = signature(user, listing)
    if existing is not None:
        return existing
    signed = NdaSignature(listing_id=listing.id, user_id=user.id, version=NDA_VERSION, ip_address=ip_address)
    db.session.add(signed)
    db.session.flush()
    audit.record("nda.sign", user=user, target=listing, version=NDA_VERSION)
    notifications.about_listing(listing.owner_id, "nda_signed", listing)
    return signed


def signatures_of(listing):
    return (
        db.session.execute(
            db.select(NdaSignature).filter_by(listing_id=listing.id).order_by(NdaSignature.signed_at.desc())
        )
        .scalars()
        .all()
    )


def masked_name(name):
    """王** for 王经理: the owner sees who signed without a contact detail (names open after consent)."""
    name = name or ""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else "—"
