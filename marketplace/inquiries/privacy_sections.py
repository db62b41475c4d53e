"""What the inquiries feature holds about a person, in their data download (privacy.export.register_section):
their inquiries (sent, received, brokered), the messages they wrote, their NDA signatures, their deals, the
follow-ups they wrote, their blocks and reports. No other person's contact details: those belong to the other
person, and the download must not become a way around the consent rule."""

from ..extensions import db
from ..privacy.export import register_section
from .models import DealFollowup, Inquiry, Message, NdaSignature, Report, UserBlock


def _role(inquiry, user):
    if inquiry.sender_id == user.id:
        return "sender"
    return "recipient" if inquiry.recipient_id == user.id else "broker"


def _mine(user):
    party = db.or_(Inquiry.sender_id == user.id, Inquiry.recipient_id == user.id, Inquiry.broker_id == user.id)
    return db.session.execute(db.select(Inquiry).where(party).order_by(Inquiry.id)).scalars().all()


def _inquiries(user):
    return [
        {
            "id": i.id,
            "my_role": _role(i, user),
            "listing": i.listing.title,
            "kind": i.kind,
            "origin": i.origin,
            "cooperation_mode": i.cooperation_mode,
            "budget_range": i.budget_range,
            "timeline": i.timeline,
            "message": i.message,
            "status": i.status,
            "decline_reason": i.decline_reason,
            "created_at": i.created_at,
            "decided_at": i.decided_at,
        }
        for i in _mine(user)
    ]


def _deals(user):
    return [
        {
            "inquiry_id": i.id,
            "my_role": _role(i, user),
            "listing": i.listing.title,
            "stage": i.stage,
            "stage_changed_at": i.stage_changed_at,
            "contract_type": i.contract_type,
            "amount_wan": None if i.amount_wan is None else str(i.amount_wan),  # exact, as text
            "signed_on": i.signed_on,
            "registration_number": i.registration_number,
            "registry": i.registry,
        }
        for i in _mine(user)
        if i.stage is not None
    ]


def _messages(user):
    rows = db.session.execute(db.select(Message).filter_by(sender_id=user.id).order_by(Message.id)).scalars()
    return [
        {
            "inquiry_id": m.inquiry_id,
            "body": m.body,
            "created_at": m.created_at,
            "read_at": m.read_at,
            "attachments": [a.original_name for a in m.attachments],
        }
        for m in rows
    ]


def _nda_signatures(user):
    rows = db.session.execute(db.select(NdaSignature).filter_by(user_id=user.id).order_by(NdaSignature.id)).scalars()
    return [
        {"listing_id": s.listing_id, "version": s.version, "signed_at": s.signed_at, "ip_address": s.ip_address}
        for s in rows
    ]


def _followups(user):
    rows = db.session.execute(db.select(DealFollowup).filter_by(author_id=user.id).order_by(DealFollowup.id))
    return [
        {
            "inquiry_id": f.inquiry_id,
            "happened_on": f.happened_on,
            "note": f.note,
            "next_step": f.next_step,
            "next_on": f.next_on,
        }
        for f in rows.scalars()
    ]


def _blocks_and_reports(user):
    blocks = db.session.execute(db.select(UserBlock).filter_by(blocker_id=user.id)).scalars()
    reports = db.session.execute(db.select(Report).filter_by(reporter_id=user.id)).scalars()
    return [{"type": "block", "user_id": b.blocked_id, "created_at": b.created_at} for b in blocks] + [
        {"type": "report", "target": r.target_type, "reason": r.reason, "status": r.status, "created_at": r.created_at}
        for r in reports
    ]


SECTIONS = {
    "inquiries": _inquiries,
    "inquiry_messages": _messages,
    "nda_signatures": _nda_signatures,
    "deals": _deals,
    "deal_followups": _followups,
    "blocks_and_reports": _blocks_and_reports,
}
for _key, _function in SECTIONS.items():
    register_section(_key, _function)
