"""The technical expert pool (技术专家库): experts kept by operators, assigned to presenters, scoring them.

Conflict rule: an expert never reviews a presenter whose achievement belongs to the expert's own organisation.
Scores are seen by operators and by the scored presenter's owner only. Plain functions that flush, never commit.
"""

import secrets

from flask_babel import gettext as _

from ..accounts.models import User
from ..accounts.services import create_user, find_user_by_email
from ..extensions import db
from ..models_base import utcnow
from ..upsert import insert_missing
from . import criteria, vocab
from .models import Expert, Presenter, Review
from .services import EventError


def create_expert(name, email, organisation, title="", fields="", industries=(), profile=""):
    """A new expert account (role expert, random password: they set their own through the invitation link)."""
    if find_user_by_email(email) is not None:
        raise EventError(_("该邮箱已注册。"))
    user = create_user(
        email=email, password=secrets.token_urlsafe(24), name=name, role="expert", organisation=organisation
    )
    expert = Expert(user=user, title=title, fields=fields, industries=",".join(industries), profile=profile)
    db.session.add(expert)
    db.session.flush()
    return expert


def update_expert(expert, name, title, fields, industries, profile):
    expert.user.name = name
    expert.title, expert.fields, expert.industries, expert.profile = title, fields, ",".join(industries), profile
    db.session.flush()
    return expert


def expert_of(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(db.select(Expert).where(Expert.user_id == user.id)).scalar_one_or_none()


def conflicts_with(expert, listing):
    """The conflict rule: True when the achievement comes from the expert's own organisation."""
    return expert.user.organisation_id == listing.organisation_id


def has_conflict(expert, presenter):
    """True when the presenter's achievement comes from the expert's own organisation."""
    return conflicts_with(expert, presenter.listing)


def assign(expert, presenter):
    """Assign the expert to score the presenter, unless it is their own organisation's achievement."""
    if has_conflict(expert, presenter):
        raise EventError(_("回避规则：专家不能评审本单位的成果。"))
    return assignment(Review, presenter_id=presenter.id, expert_id=expert.id)


def assignment(model, **keys):
    """(the expert's assignment — a Review or an Assessment — with these unique keys, created now?). Two operators
    assigning the same expert at once both succeed and make one row (INSERT ... ON CONFLICT DO NOTHING)."""
    query = db.select(model).filter_by(**keys)
    existing = db.session.execute(query).scalar_one_or_none()
    if existing is not None:
        return existing, False
    insert_missing(model, [{**keys, "scores": {}, "assigned_at": utcnow()}], list(keys))
    return db.session.execute(query).scalar_one(), True


def checked_scores(scores, sheet):
    """{code: int} when every criterion of the sheet has a 1–10 score, else EventError."""
    if set(scores) != {line.code for line in sheet} or not all(
        v is not None and vocab.SCORE_MIN <= int(v) <= vocab.SCORE_MAX for v in scores.values()
    ):
        raise EventError(_("请为每一项打分（1–10 分）。"))
    return {k: int(v) for k, v in scores.items()}


def submit_scores(review, user, scores, comments):
    """The assigned expert fills in the event's sheet (every criterion 1–10) and comments; may revise it later."""
    if review.expert.user_id != user.id:
        raise EventError(_("只有被指派的专家可以评分。"))
    if has_conflict(review.expert, review.presenter):
        raise EventError(_("回避规则：专家不能评审本单位的成果。"))
    review.scores = checked_scores(scores, criteria.sheet_of(review.presenter.event_id))
    review.comments = comments or ""
    review.submitted_at = utcnow()
    db.session.flush()
    return review


def reviews_of_presenter(presenter_id, submitted_only=False):
    query = db.select(Review).where(Review.presenter_id == presenter_id).order_by(Review.id)
    if submitted_only:
        query = query.where(Review.submitted_at.is_not(None))
    return db.session.execute(query).scalars().all()


def can_see_scores(user, presenter):
    """Operators and the owner of the scored achievement; nobody else (other presenters included)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_operator or presenter.listing.owner_id == user.id


def averages(reviews, sheet):
    """{criterion: mean} over the submitted sheets, and their weighted overall mean (None without any)."""
    return criteria.averages([r.scores for r in reviews if r.submitted_at], sheet)


def reviews_for_expert(expert):
    return (
        db.session.execute(
            db.select(Review)
            .join(Presenter)
            .where(Review.expert_id == expert.id)
            .order_by(Review.submitted_at.is_not(None), Review.assigned_at.desc())
        )
        .scalars()
        .all()
    )


def all_experts():
    return db.session.execute(db.select(Expert).join(User).order_by(User.name)).scalars().all()
