"""Roadshow events (科技金融路演, 成果发布会, 供需对接会): the event, its log, registrations, presenters,
invitations, 1:1 meeting requests, expert reviews and outcomes."""

from sqlalchemy.orm import declared_attr

from ..extensions import db
from ..models_base import utcnow


class Event(db.Model):
    """One offline or online event run by the operators; times are naive UTC, shown in Asia/Shanghai."""

    __tablename__ = "events"

    id = db.Column(db.Integer, primary_key=True)
    event_type = db.Column(db.String(20), nullable=False, index=True)  # vocab.EVENT_TYPES
    title = db.Column(db.String(200), nullable=False)
    industries = db.Column(db.String(300), nullable=False, default="")  # comma-joined taxonomy.INDUSTRIES codes
    tags = db.Column(db.String(300), nullable=False, default="")  # comma-joined theme keywords
    programme = db.Column(db.Text, nullable=False, default="")  # 活动议程 / description
    starts_at = db.Column(db.DateTime, nullable=False, index=True)
    ends_at = db.Column(db.DateTime, nullable=False)
    venue = db.Column(db.String(200), nullable=False, default="")
    online_url = db.Column(db.String(300), nullable=False, default="")  # live stream
    replay_url = db.Column(db.String(300), nullable=False, default="")  # after the event
    capacity = db.Column(db.Integer, nullable=False)
    registration_deadline = db.Column(db.DateTime, nullable=False)
    status = db.Column(db.String(20), nullable=False, default="draft", index=True)  # services.TRANSITIONS
    # Confirmed seats, changed only while the event row is locked (services.register / cancel).
    seats_taken = db.Column(db.Integer, nullable=False, default=0)
    # 1:1 meetings: slot_count slots of slot_minutes from meetings_start, at `tables` tables, `cap` per person.
    meetings_start = db.Column(db.DateTime)
    slot_minutes = db.Column(db.Integer, nullable=False, default=20)
    slot_count = db.Column(db.Integer, nullable=False, default=0)
    tables = db.Column(db.Integer, nullable=False, default=0)
    meeting_cap = db.Column(db.Integer, nullable=False, default=4)
    scheduled_at = db.Column(db.DateTime)  # last scheduler run
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    created_by = db.relationship("User")

    @property
    def industry_codes(self):
        return [c for c in (self.industries or "").split(",") if c]

    @property
    def tag_names(self):
        return [t for t in (self.tags or "").split(",") if t]

    def __repr__(self):
        return f"<Event {self.id} {self.status} {self.title[:20]}>"


class EventLog(db.Model):
    """One status change of an event: who, when, from, to."""

    __tablename__ = "event_logs"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.Integer, db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    action = db.Column(db.String(30), nullable=False)
    from_status = db.Column(db.String(20))
    to_status = db.Column(db.String(20), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Registration(db.Model):
    """A person's seat (confirmed), place in the waiting list (waitlisted) or cancelled registration."""

    __tablename__ = "event_registrations"
    __table_args__ = (db.UniqueConstraint("event_id", "user_id", name="uq_event_registrations_person"),)

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.Integer, db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False, index=True)  # confirmed | waitlisted | cancelled
    badge_token = db.Column(db.String(40), nullable=False, unique=True)  # in the badge's QR code
    unavailable_slots = db.Column(db.JSON, nullable=False, default=list)  # meeting slot numbers
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)  # waiting-list order (then id)
    confirmed_at = db.Column(db.DateTime)
    cancelled_at = db.Column(db.DateTime)
    checked_in_at = db.Column(db.DateTime)
    meeting_cap = db.Column(db.Integer)  # this person's own 1:1 meeting cap; None: the event's meeting_cap

    event = db.relationship("Event")
    user = db.relationship("User")


class Presenter(db.Model):
    """An achievement on an event's agenda (position = agenda slot), invited, confirmed or declined."""

    __tablename__ = "event_presenters"
    __table_args__ = (db.UniqueConstraint("event_id", "listing_id", name="uq_event_presenters_listing"),)

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.Integer, db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)
    status = db.Column(db.String(20), nullable=False, default="planned")  # planned|invited|confirmed|declined
    reasons = db.Column(db.JSON, nullable=False, default=list)  # why it was proposed
    invited_at = db.Column(db.DateTime)
    responded_at = db.Column(db.DateTime)

    event = db.relationship("Event")
    listing = db.relationship("Listing")


class Invitation(db.Model):
    """A company or investor invited to attend because their needs match the presenters."""

    __tablename__ = "event_invitations"
    __table_args__ = (db.UniqueConstraint("event_id", "user_id", name="uq_event_invitations_person"),)

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.Integer, db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    reasons = db.Column(db.JSON, nullable=False, default=list)
    sent_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")


class MeetingRequest(db.Model):
    """A 1:1 meeting (对接洽谈) asked by one participant of another; the scheduler gives it a slot and a table."""

    __tablename__ = "event_meetings"
    __table_args__ = (db.UniqueConstraint("event_id", "requester_id", "recipient_id", name="uq_event_meetings_pair"),)

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.Integer, db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    requester_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    recipient_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    status = db.Column(db.String(20), nullable=False, default="pending")  # pending|accepted|declined|cancelled
    message = db.Column(db.String(500), nullable=False, default="")
    slot = db.Column(db.Integer)  # placed by the scheduler (0-based), None when not placed
    table_no = db.Column(db.Integer)  # 1-based
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    responded_at = db.Column(db.DateTime)

    event = db.relationship("Event")
    requester = db.relationship("User", foreign_keys=[requester_id])
    recipient = db.relationship("User", foreign_keys=[recipient_id])


class Expert(db.Model):
    """A member of the technical expert pool (技术专家库): a user with the expert role and a profile."""

    __tablename__ = "experts"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    title = db.Column(db.String(60), nullable=False, default="")  # 职称, e.g. 教授 / 高级工程师
    fields = db.Column(db.String(200), nullable=False, default="")  # 专业领域, free text
    industries = db.Column(db.String(300), nullable=False, default="")  # comma-joined INDUSTRIES codes
    profile = db.Column(db.Text, nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User")

    @property
    def industry_codes(self):
        return [c for c in (self.industries or "").split(",") if c]


class ExpertSheet:
    """What every expert assignment has: the expert, the score sheet (criterion code -> 1..10, criteria.py),
    when it was assigned and when the sheet was submitted."""

    expert_id = db.Column(db.Integer, db.ForeignKey("experts.id", ondelete="CASCADE"), nullable=False, index=True)
    scores = db.Column(db.JSON, nullable=False, default=dict)
    assigned_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    submitted_at = db.Column(db.DateTime)

    @declared_attr
    def expert(cls):
        return db.relationship("Expert")


class Review(ExpertSheet, db.Model):
    """An expert assigned to a presenter, and the score sheet (the event's criteria) once submitted."""

    __tablename__ = "event_reviews"
    __table_args__ = (db.UniqueConstraint("presenter_id", "expert_id", name="uq_event_reviews_pair"),)

    id = db.Column(db.Integer, primary_key=True)
    presenter_id = db.Column(
        db.Integer, db.ForeignKey("event_presenters.id", ondelete="CASCADE"), nullable=False, index=True
    )
    comments = db.Column(db.Text, nullable=False, default="")

    presenter = db.relationship("Presenter")


class Outcome(db.Model):
    """What an event led to: a signed intent (with an amount), a follow-up inquiry, or another result."""

    __tablename__ = "event_outcomes"

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.Integer, db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False)  # vocab.OUTCOME_KINDS
    presenter_id = db.Column(db.Integer, db.ForeignKey("event_presenters.id", ondelete="SET NULL"))
    amount_wan = db.Column(db.Numeric(12, 2))
    note = db.Column(db.String(500), nullable=False, default="")
    inquiry_id = db.Column(db.Integer, db.ForeignKey("inquiries.id", ondelete="SET NULL"))  # the follow-up inquiry
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    presenter = db.relationship("Presenter")
    inquiry = db.relationship("Inquiry")


class Criterion(db.Model):
    """One line of an event's score sheet (name, weight, order); an event without rows uses vocab.SCORE_CRITERIA.

    Sheets store scores by `code`, which never changes: renaming or re-weighting a line keeps every score valid."""

    __tablename__ = "event_criteria"
    __table_args__ = (db.UniqueConstraint("event_id", "code", name="uq_event_criteria_code"),)

    id = db.Column(db.Integer, primary_key=True)
    event_id = db.Column(db.Integer, db.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True)
    code = db.Column(db.String(30), nullable=False)
    name = db.Column(db.String(60), nullable=False)
    weight = db.Column(db.Integer, nullable=False, default=20)  # relative weight (the sheet's weights need not add up)
    position = db.Column(db.Integer, nullable=False, default=0)


class AssessmentRequest(db.Model):
    """A financial institution (investor organisation) asks the expert pool to assess a published achievement."""

    __tablename__ = "expert_assessment_requests"

    id = db.Column(db.Integer, primary_key=True)
    listing_id = db.Column(db.Integer, db.ForeignKey("listings.id", ondelete="CASCADE"), nullable=False, index=True)
    requester_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    message = db.Column(db.Text, nullable=False, default="")  # what the institution wants to know
    status = db.Column(db.String(20), nullable=False, default="pending", index=True)  # vocab.ASSESSMENT_STATUSES
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    completed_at = db.Column(db.DateTime)

    listing = db.relationship("Listing")
    requester = db.relationship("User")


class Assessment(ExpertSheet, db.Model):
    """An expert assigned to an assessment request, and the written assessment (score sheet + text) once done."""

    __tablename__ = "expert_assessments"
    __table_args__ = (db.UniqueConstraint("request_id", "expert_id", name="uq_expert_assessments_pair"),)

    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(
        db.Integer, db.ForeignKey("expert_assessment_requests.id", ondelete="CASCADE"), nullable=False, index=True
    )
    text = db.Column(db.Text, nullable=False, default="")  # the written assessment

    request = db.relationship("AssessmentRequest", backref=db.backref("assessments", order_by="Assessment.id"))


# Covering indexes for the line-up proposal (events.curation) on other features' tables: theme achievements are
# found without reading listing rows, a keyword's listings without scanning listing_tags, and the suggestions
# received by thousands of achievements without reading their factor JSON (bench/lineup_bench.py).
def _curation_indexes():
    from ..listings.models import Listing, listing_tags
    from ..matching.models import Suggestion

    listings, suggestions = Listing.__table__, Suggestion.__table__
    return (
        db.Index(
            "ix_events_listings_theme", listings.c.kind, listings.c.industry, listings.c.status, listings.c.valid_until
        ),
        db.Index("ix_events_listing_tags_tag", listing_tags.c.tag_id, listing_tags.c.listing_id),
        db.Index(
            "ix_events_suggestions_candidate", suggestions.c.candidate_id, suggestions.c.listing_id, suggestions.c.score
        ),
    )


CURATION_INDEXES = _curation_indexes()
