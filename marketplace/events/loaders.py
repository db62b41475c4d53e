"""Load-or-abort helpers for every events route that takes an id (404 missing, 403 not allowed)."""

from flask import abort
from flask_login import current_user

from ..extensions import db
from . import services
from .models import Event, Registration


def load_event(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def load_visible_event(event_id):
    """Public events for everyone; drafts only for operators (404 for the others, as if it did not exist)."""
    event = load_event(event_id)
    if not services.is_public(event) and not getattr(current_user, "is_operator", False):
        abort(404)
    return event


def load_registration(event, registration_id):
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.event_id != event.id:
        abort(404)
    return reg


def load_own_confirmed_registration(event):
    """The current user's confirmed seat at the event (a badge, an agenda), else 403."""
    reg = services.registration_of(event.id, current_user.id)
    if reg is None or reg.status != "confirmed":
        abort(403)
    return reg


def load_presenter(event, presenter_id):
    from .models import Presenter

    presenter = db.session.get(Presenter, presenter_id)
    if presenter is None or presenter.event_id != event.id:
        abort(404)
    return presenter


def load_meeting(event, meeting_id, recipient_only=False):
    """A meeting request of the event that the current user is a party to (the recipient only, if asked)."""
    from .models import MeetingRequest

    meeting = db.session.get(MeetingRequest, meeting_id)
    if meeting is None or meeting.event_id != event.id:
        abort(404)
    parties = (meeting.recipient_id,) if recipient_only else (meeting.requester_id, meeting.recipient_id)
    if current_user.id not in parties:
        abort(403)
    return meeting


def load_posted_expert():
    """The expert named by the posted form's expert_id (400 without one, 404 when there is no such expert)."""
    from flask import request

    expert_id = request.form.get("expert_id", type=int)
    if expert_id is None:
        abort(400)
    return load_expert(expert_id)


def load_expert(expert_id):
    from .models import Expert

    expert = db.session.get(Expert, expert_id)
    if expert is None:
        abort(404)
    return expert


def _load_assignment(model, row_id):
    """An expert's assignment (a Review or an Assessment) of the current user: 404 missing, 403 for anybody else,
    operators included."""
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    if row.expert.user_id != current_user.id:
        abort(403)
    return row


def load_review(review_id):
    """A presenter to score, assigned to the current expert."""
    from .models import Review

    return _load_assignment(Review, review_id)


def load_assessment_request(request_id):
    """An assessment request the current user may read: requester, achievement owner, operators (else 403)."""
    from . import assessments
    from .models import AssessmentRequest

    item = db.session.get(AssessmentRequest, request_id)
    if item is None:
        abort(404)
    if not assessments.can_read(current_user, item):
        abort(403)
    return item


def load_assessment(assessment_id):
    """A technology assessment to write, assigned to the current expert."""
    from .models import Assessment

    return _load_assignment(Assessment, assessment_id)
