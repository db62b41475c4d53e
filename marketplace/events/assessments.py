"""Technology assessments (技术评估) by the expert pool, requested by financial institutions.

A member of a verified investor organisation requests an assessment of a published achievement; operators see
the queue and assign experts (conflict rule: never an expert from the achievement's own organisation); each
expert writes a score sheet (the default criteria) and a written assessment. The written assessments are
visible to the requester, the achievement's owner and operators only. Plain functions that flush, never commit.
"""

from flask_babel import gettext as _

from ..accounts.models import User
from ..extensions import db
from ..listings import visibility
from ..models_base import utcnow
from . import criteria, experts, vocab
from .models import Assessment, AssessmentRequest
from .services import EventError

OPEN_STATUSES = ("pending", "assigned")


def may_request(user):
    """Members of a verified investor organisation (financial institutions) may request assessments."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role in vocab.ASSESSMENT_REQUESTER_ROLES
        and user.in_verified_org
    )


def open_request_of(user, listing):
    return db.session.execute(
        db.select(AssessmentRequest).where(
            AssessmentRequest.listing_id == listing.id,
            AssessmentRequest.requester_id == user.id,
            AssessmentRequest.status.in_(OPEN_STATUSES),
        )
    ).scalar_one_or_none()


def request_assessment(user, listing, message):
    """A new request for a published achievement; one open request per requester and achievement."""
    if not may_request(user):
        raise EventError(_("只有已认证的投资机构成员可以申请技术评估。"))
    if listing.kind != "achievement" or not visibility.is_public(listing):
        raise EventError(_("只能申请评估已公开的科技成果。"))
    if open_request_of(user, listing) is not None:
        raise EventError(_("您已申请评估这项成果，请等待专家评估。"))
    item = AssessmentRequest(listing_id=listing.id, requester_id=user.id, message=message.strip(), status="pending")
    db.session.add(item)
    db.session.flush()
    return item


def can_read(user, item):
    """The requester, the achievement's owner and operators; nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_operator or user.id in (item.requester_id, item.listing.owner_id)


def assign(item, expert):
    """Assign an expert to the request, unless the achievement comes from the expert's own organisation."""
    if item.status == "completed":
        raise EventError(_("该评估已完成。"))
    if experts.conflicts_with(expert, item.listing):
        raise EventError(_("回避规则：专家不能评审本单位的成果。"))
    assessment, created = experts.assignment(Assessment, request_id=item.id, expert_id=expert.id)
    item.status = "assigned"
    db.session.flush()
    db.session.expire(item, ["assessments"])  # the row was inserted below the ORM
    return assessment, created


def submit(assessment, user, scores, text):
    """The assigned expert's score sheet and written assessment; the request is completed when all are in."""
    if assessment.expert.user_id != user.id:
        raise EventError(_("只有被指派的专家可以评估。"))
    item = assessment.request
    if experts.conflicts_with(assessment.expert, item.listing):
        raise EventError(_("回避规则：专家不能评审本单位的成果。"))
    if not (text or "").strip():
        raise EventError(_("请填写书面评估意见。"))
    assessment.scores = experts.checked_scores(scores, criteria.default_sheet())
    assessment.text = text.strip()
    first = assessment.submitted_at is None
    assessment.submitted_at = utcnow()
    db.session.flush()
    if all(a.submitted_at for a in item.assessments):
        item.status, item.completed_at = "completed", item.completed_at or utcnow()
    db.session.flush()
    return first


def queue(status=None):
    """Requests for operators: open ones first (oldest first), then completed ones (newest first)."""
    query = db.select(AssessmentRequest)
    if status in vocab.ASSESSMENT_STATUSES:
        query = query.where(AssessmentRequest.status == status)
    query = query.order_by(
        (AssessmentRequest.status == "completed"), AssessmentRequest.created_at, AssessmentRequest.id
    )
    return db.session.execute(query.limit(500)).scalars().all()


def requests_seen_by(user):
    """The user's own requests and those about the user's achievements, newest first."""
    from ..listings.models import Listing

    return (
        db.session.execute(
            db.select(AssessmentRequest)
            .join(Listing, Listing.id == AssessmentRequest.listing_id)
            .where(db.or_(AssessmentRequest.requester_id == user.id, Listing.owner_id == user.id))
            .order_by(AssessmentRequest.created_at.desc(), AssessmentRequest.id.desc())
            .limit(500)
        )
        .scalars()
        .all()
    )


def assessments_for_expert(expert):
    return (
        db.session.execute(
            db.select(Assessment)
            .where(Assessment.expert_id == expert.id)
            .order_by(Assessment.submitted_at.is_not(None), Assessment.assigned_at.desc())
        )
        .scalars()
        .all()
    )


def summary(item):
    """(submitted assessments, {code: mean}, weighted overall, the sheet) of a request."""
    sheet = criteria.default_sheet()
    done = [a for a in item.assessments if a.submitted_at]
    means, overall = criteria.averages([a.scores for a in done], sheet)
    return done, means, overall, sheet


def operators():
    return (
        db.session.execute(db.select(User).where(User.role == "operator", User.is_disabled.is_(False))).scalars().all()
    )
