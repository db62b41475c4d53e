"""Consents to the privacy policy and deleted accounts."""

from ..extensions import db
from ..models_base import utcnow


class PolicyConsent(db.Model):
    """A user accepted a version of the privacy policy (at registration, or again after a new version)."""

    __tablename__ = "privacy_consents"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    policy_version = db.Column(db.String(20), nullable=False)
    accepted_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class AccountDeletion(db.Model):
    """The account was deleted at the user's request: its personal data was erased (the row stays anonymous
    so that the organisation's listings keep an owner)."""

    __tablename__ = "privacy_account_deletions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    deleted_at = db.Column(db.DateTime, nullable=False, default=utcnow)
