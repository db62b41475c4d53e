"""Inquiries (合作意向 / 投资意向) between a sender and a listing's owner, their thread, attachments, the deal
pipeline's history, and NDA signatures."""

from ..extensions import db
from ..models_base import utcnow


class Inquiry(db.Model):
    """An expression of interest in a listing. Accepted, it carries a thread and a deal (`stage`)."""

    __tablename__ = "inquiries"

    id = db.Column(db.Integer, primary_key=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    sender_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    recipient_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)  # listing owner
    broker_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    kind = db.Column(db.String(20), nullable=False, default="cooperation")  # forms.INQUIRY_KINDS
    cooperation_mode = db.Column(db.String(20), nullable=False)  # taxonomy.COOPERATION_MODES
    budget_range = db.Column(db.String(20), nullable=False)  # forms.BUDGET_RANGES
    timeline = db.Column(db.String(20), nullable=False)  # forms.TIMELINES
    message = db.Column(db.Text, nullable=False)
    origin = db.Column(db.String(20), nullable=False, default="listing")  # listing | suggestion | search
    origin_listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="SET NULL"))
    status = db.Column(db.String(20), nullable=False, default="pending", index=True)  # pending accepted declined
    decline_reason = db.Column(db.String(500))
    decided_at = db.Column(db.DateTime)
    # a broker's introduction (origin "broker") opens only when both sides consented: brokers.consent
    sender_consented_at = db.Column(db.DateTime)
    recipient_consented_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    last_activity_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    # --- the deal (pipeline.STAGES), from acceptance on ---
    stage = db.Column(db.String(20), index=True)
    stage_changed_at = db.Column(db.DateTime)
    # first time the deal reached each step (pipeline.REACHED; kept by deals.move/correct): the funnel reads these
    agreed_at = db.Column(db.DateTime)
    signed_at = db.Column(db.DateTime)
    registered_at = db.Column(db.DateTime)
    contract_type = db.Column(db.String(20))  # pipeline.CONTRACT_TYPES
    amount_wan = db.Column(db.Numeric(14, 2))  # 万元, exact
    signed_on = db.Column(db.Date)
    registration_number = db.Column(db.String(60))
    registry = db.Column(db.String(120))

    listing = db.relationship("Listing", foreign_keys=[listing_id])
    origin_listing = db.relationship("Listing", foreign_keys=[origin_listing_id])
    sender = db.relationship("User", foreign_keys=[sender_id])
    recipient = db.relationship("User", foreign_keys=[recipient_id])
    broker = db.relationship("User", foreign_keys=[broker_id])
    attachments = db.relationship(
        "InquiryAttachment", back_populates="inquiry", cascade="all, delete-orphan", order_by="InquiryAttachment.id"
    )

    @property
    def is_introduction(self):
        return self.origin == "broker"

    def is_party(self, user):
        return getattr(user, "id", None) in (self.sender_id, self.recipient_id)

    def other_party(self, user):
        return self.recipient if user.id == self.sender_id else self.sender


class InquiryEvent(db.Model):
    """One step of an inquiry or its deal: who, when, from what to what, why (and corrections' old values)."""

    __tablename__ = "inquiry_events"

    id = db.Column(db.Integer, primary_key=True)
    inquiry_id = db.Column(db.Integer, db.ForeignKey("inquiries.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    action = db.Column(db.String(30), nullable=False)
    from_state = db.Column(db.String(20))
    to_state = db.Column(db.String(20))
    reason = db.Column(db.String(500))
    data = db.Column(db.JSON)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    actor = db.relationship("User")


class Message(db.Model):
    """One message of an accepted inquiry's thread; `read_at` is when the other party first saw it."""

    __tablename__ = "inquiry_messages"
    __table_args__ = (db.Index("ix_inquiry_messages_thread", "inquiry_id", "id"),)

    id = db.Column(db.Integer, primary_key=True)
    inquiry_id = db.Column(db.Integer, db.ForeignKey("inquiries.id", ondelete="CASCADE"), nullable=False)
    sender_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    read_at = db.Column(db.DateTime)
    hidden_at = db.Column(db.DateTime)  # hidden by an operator after a report

    sender = db.relationship("User")
    attachments = db.relationship("InquiryAttachment", back_populates="message", order_by="InquiryAttachment.id")


class InquiryAttachment(db.Model):
    """A file sent with an inquiry or a message; stored under a generated name (listings.attachments checks)."""

    __tablename__ = "inquiry_attachments"

    id = db.Column(db.Integer, primary_key=True)
    inquiry_id = db.Column(db.Integer, db.ForeignKey("inquiries.id", ondelete="CASCADE"), nullable=False, index=True)
    message_id = db.Column(db.Integer, db.ForeignKey("inquiry_messages.id", ondelete="CASCADE"), index=True)
    stored_name = db.Column(db.String(64), nullable=False, unique=True)
    original_name = db.Column(db.String(255), nullable=False)
    content_type = db.Column(db.String(50), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    inquiry = db.relationship("Inquiry", back_populates="attachments")
    message = db.relationship("Message", back_populates="attachments")


class NdaRequirement(db.Model):
    """The owner requires the platform's NDA before the detailed tier of this achievement opens."""

    __tablename__ = "listing_nda_requirements"

    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    set_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class NdaSignature(db.Model):
    """Who accepted which version of the standard NDA for which listing, and when."""

    __tablename__ = "nda_signatures"
    __table_args__ = (db.UniqueConstraint("listing_id", "user_id", "version", name="uq_nda_signatures"),)

    id = db.Column(db.Integer, primary_key=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    version = db.Column(db.String(20), nullable=False)
    signed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    ip_address = db.Column(db.String(45))

    user = db.relationship("User")


class UserBlock(db.Model):
    """`blocker` does not want to hear from `blocked`: no new inquiries on the blocker's listings, no messages."""

    __tablename__ = "user_blocks"
    __table_args__ = (db.UniqueConstraint("blocker_id", "blocked_id", name="uq_user_blocks"),)

    id = db.Column(db.Integer, primary_key=True)
    blocker_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    blocked_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Report(db.Model):
    """A user reports a listing or a message to operators, who act on it from a queue."""

    __tablename__ = "abuse_reports"

    id = db.Column(db.Integer, primary_key=True)
    reporter_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    target_type = db.Column(db.String(20), nullable=False)  # listing | message
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    message_id = db.Column(db.Integer, db.ForeignKey("inquiry_messages.id", ondelete="CASCADE"), index=True)
    reason = db.Column(db.String(500), nullable=False)
    status = db.Column(db.String(20), nullable=False, default="open", index=True)  # open | resolved
    resolution = db.Column(db.String(20))  # abuse.RESOLUTIONS
    note = db.Column(db.String(500))
    resolved_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    resolved_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    reporter = db.relationship("User", foreign_keys=[reporter_id])
    listing = db.relationship("Listing")
    message = db.relationship("Message")


class BoardPair(db.Model):
    """Operators' handling of one strong pair of the board (a need and an achievement): its broker and status."""

    __tablename__ = "broker_pairs"
    __table_args__ = (db.UniqueConstraint("need_id", "achievement_id", name="uq_broker_pairs"),)

    id = db.Column(db.Integer, primary_key=True)
    need_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    achievement_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False, default="open", index=True)  # pipeline.PAIR_STATUSES
    broker_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    inquiry_id = db.Column(db.Integer, db.ForeignKey("inquiries.id", ondelete="SET NULL"))
    updated_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    need = db.relationship("Listing", foreign_keys=[need_id])
    achievement = db.relationship("Listing", foreign_keys=[achievement_id])
    broker = db.relationship("User", foreign_keys=[broker_id])
    inquiry = db.relationship("Inquiry")


class DealFollowup(db.Model):
    """A broker's follow-up on an inquiry or its deal: when, what happened, the next step. Read by the same
    people as the inquiry (both parties, the broker, operators)."""

    __tablename__ = "deal_followups"

    id = db.Column(db.Integer, primary_key=True)
    inquiry_id = db.Column(db.Integer, db.ForeignKey("inquiries.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    happened_on = db.Column(db.Date, nullable=False)
    note = db.Column(db.Text, nullable=False)
    next_step = db.Column(db.String(300))
    next_on = db.Column(db.Date)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    author = db.relationship("User")


class ListingView(db.Model):
    """Views of a listing's page per day (each visitor once a day), for its owner's figures; written in batches
    by the listing-views worker (listing_views.py), never by the page request itself."""

    __tablename__ = "listing_views"

    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    day = db.Column(db.Date, primary_key=True)
    views = db.Column(db.Integer, nullable=False, default=0)
