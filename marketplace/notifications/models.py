"""Notifications and each user's notification settings."""

from ..extensions import db
from ..models_base import utcnow

EMAIL_MODES = ("instant", "digest", "off")


class Notification(db.Model):
    """One in-app alert. `kind` names its text (kinds.KINDS); `params` fill the text; the link is an endpoint
    with its values. `dedupe_key` makes an alert unique per user (e.g. a saved search and a listing)."""

    __tablename__ = "notifications"
    __table_args__ = (db.UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_dedupe"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(40), nullable=False)
    params = db.Column(db.JSON, nullable=False, default=dict)
    endpoint = db.Column(db.String(80))
    endpoint_values = db.Column(db.JSON, nullable=False, default=dict)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    dedupe_key = db.Column(db.String(120))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    read_at = db.Column(db.DateTime)
    emailed_at = db.Column(db.DateTime)  # also set when the e-mail was not wanted (off, kind disabled)

    user = db.relationship("User")
    listing = db.relationship("Listing")


class NotificationSetting(db.Model):
    """A user's choices: kinds switched off, and how e-mails go out (at once, a daily digest, never)."""

    __tablename__ = "notification_settings"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    disabled_kinds = db.Column(db.JSON, nullable=False, default=list)
    email_mode = db.Column(db.String(10), nullable=False, default="instant")  # EMAIL_MODES
    digest_sent_at = db.Column(db.DateTime)
