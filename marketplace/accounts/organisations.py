"""Organisations: members' edits, verification requests, and operators' verification decisions.

Plain functions that flush, never commit.
"""

import logging

from ..extensions import db
from ..models_base import utcnow
from ..notifications import services as notifications

log = logging.getLogger(__name__)

# Changing any of these on a verified organisation means an operator has to verify it again.
IDENTITY_FIELDS = ("name", "org_type", "region", "credit_code")
EDITABLE_FIELDS = IDENTITY_FIELDS + ("description", "website")


def update_organisation(org, qualifications=None, **fields):
    """Apply a member's edits; returns True when the change took away the organisation's verified status."""
    identity_changed = any(
        key in fields and (fields[key] or None) != (getattr(org, key) or None) for key in IDENTITY_FIELDS
    )
    for key in EDITABLE_FIELDS:
        if key in fields:
            setattr(org, key, fields[key])
    if qualifications is not None:
        org.qualification_codes = qualifications if org.org_type == "enterprise" else []
    lost_verification = identity_changed and org.is_verified
    if lost_verification:
        _clear_verification(org)
        org.verification_status = "unverified"
        log.info("organisation %s edited: verification reset", org.id)
    db.session.flush()
    return lost_verification


def can_request_verification(org):
    return org.verification_status in ("unverified", "rejected")


def request_verification(org):
    """Put the organisation in the operators' queue; the last rejection note stays visible to them."""
    if not can_request_verification(org):
        raise ValueError(f"cannot request verification in status {org.verification_status}")
    org.verification_status = "pending"
    db.session.flush()


def verify_organisation(org, operator):
    org.verification_status = "verified"
    org.verification_note = None
    org.verified_at = utcnow()
    org.verified_by_id = operator.id
    db.session.flush()
    notifications.about_organisation(org, "org_verified")
    log.info("organisation %s verified by %s", org.id, operator.id)


def reject_organisation(org, operator, reason):
    """Refuse (or withdraw) verification; the reason is shown to the organisation's members."""
    _clear_verification(org)
    org.verification_status = "rejected"
    org.verification_note = reason
    db.session.flush()
    notifications.about_organisation(org, "org_rejected", reason=reason)
    log.info("organisation %s rejected by %s", org.id, operator.id)


def _clear_verification(org):
    org.verified_at = None
    org.verified_by_id = None
