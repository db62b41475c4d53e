"""Event services: create and edit events, the status lifecycle, registration with a waiting list, check-in.

Plain functions that flush and never commit. Seats are counted in Event.seats_taken and changed only while the
event row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite takes the write lock at BEGIN IMMEDIATE), so
concurrent registrations can never exceed the capacity and a cancelled seat goes to exactly one waiting person.
"""

import logging
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..extensions import db
from ..models_base import utcnow
from . import vocab
from .models import Event, EventLog, Registration

log = logging.getLogger(__name__)

MARKET_TZ = ZoneInfo("Asia/Shanghai")

# action: (statuses it may start from, resulting status)
TRANSITIONS = {
    "open": ({"draft"}, "open"),
    "close": ({"open"}, "closed"),
    "reopen": ({"closed"}, "open"),
    "finish": ({"open", "closed"}, "finished"),
    "archive": ({"finished"}, "archived"),
}
EDITABLE_FIELDS = (
    "event_type",
    "title",
    "industries",
    "tags",
    "programme",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "replay_url",
    "capacity",
    "registration_deadline",
)


class EventError(Exception):
    """A change that is not allowed now; the message is shown to the user and nothing has changed."""


# ---------------------------------------------------------------- time


def to_utc(local_dt):
    """A naive Asia/Shanghai wall-clock time (as typed in a form) as naive UTC (as stored)."""
    return local_dt.replace(tzinfo=MARKET_TZ).astimezone(UTC).replace(tzinfo=None)


def to_local(utc_dt):
    """A stored naive UTC time as an aware Asia/Shanghai time."""
    return utc_dt.replace(tzinfo=UTC).astimezone(MARKET_TZ)


# ---------------------------------------------------------------- loading


def lock_event(event_id):
    """The event row, locked for the rest of the transaction and re-read from the database."""
    return db.session.execute(
        db.select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def is_public(event):
    return event.status in vocab.PUBLIC_STATUSES


def upcoming_events(now=None, limit=None):
    """Public events that have not ended yet, soonest first."""
    now = now or utcnow()
    query = (
        db.select(Event)
        .where(Event.status.in_(vocab.PUBLIC_STATUSES), Event.ends_at >= now)
        .order_by(Event.starts_at, Event.id)
    )
    if limit:
        query = query.limit(limit)
    return query


def past_events(now=None):
    now = now or utcnow()
    return (
        db.select(Event)
        .where(Event.status.in_(vocab.PUBLIC_STATUSES), Event.ends_at < now)
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )


# ---------------------------------------------------------------- create, edit, lifecycle


def record_log(event, actor, action, from_status, to_status):
    db.session.add(
        EventLog(
            event_id=event.id,
            actor_id=actor.id if actor else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
        )
    )


def create_event(actor, **values):
    """A new draft event from validated form values."""
    event = Event(
        created_by_id=actor.id, status="draft", seats_taken=0, **{k: values[k] for k in EDITABLE_FIELDS if k in values}
    )
    db.session.add(event)
    db.session.flush()
    record_log(event, actor, "create", None, "draft")
    return event


def update_event(event_id, actor, **values):
    """Apply edits; a larger capacity promotes waiting people at once. Returns the promoted registrations."""
    event = lock_event(event_id)
    if event.status == "archived":
        raise EventError(_("已归档的活动不能再修改。"))
    if values.get("capacity") is not None and values["capacity"] < event.seats_taken:
        raise EventError(_("容量不能小于已确认人数（%(n)s）。", n=event.seats_taken))
    for key in EDITABLE_FIELDS:
        if key in values:
            setattr(event, key, values[key])
    db.session.flush()
    return _fill_free_seats(event)


def transition(event_id, action, actor):
    """Move the event along TRANSITIONS, or raise EventError with the reason."""
    allowed_from, to_status = TRANSITIONS[action]
    event = lock_event(event_id)
    if event.status not in allowed_from:
        raise EventError(
            _("当前状态（%(status)s）下不能执行此操作。", status=vocab.EVENT_STATUSES.get(event.status, event.status))
        )
    from_status, event.status = event.status, to_status
    record_log(event, actor, action, from_status, to_status)
    db.session.flush()
    return event


def allowed_actions(event):
    return [action for action, (froms, _to) in TRANSITIONS.items() if event.status in froms]


# ---------------------------------------------------------------- registration


def registration_of(event_id, user_id):
    return db.session.execute(
        db.select(Registration).where(Registration.event_id == event_id, Registration.user_id == user_id)
    ).scalar_one_or_none()


def registration_open(event, now=None):
    return event.status == "open" and (now or utcnow()) <= event.registration_deadline


def can_register(user):
    return bool(getattr(user, "is_authenticated", False)) and user.role in vocab.REGISTRANT_ROLES


def register(event_id, user, now=None):
    """Give the user a seat, or a place on the waiting list when the event is full. Returns the registration."""
    now = now or utcnow()
    event = lock_event(event_id)
    if not can_register(user):
        raise EventError(_("只有企业、投资人、科研人员和技术专家可以报名。"))
    if not registration_open(event, now):
        raise EventError(_("该活动目前不接受报名。"))
    reg = registration_of(event.id, user.id)
    if reg is not None and reg.status != "cancelled":
        raise EventError(_("您已报名该活动。"))
    if reg is None:
        reg = Registration(event_id=event.id, user_id=user.id, badge_token=secrets.token_urlsafe(18))
        db.session.add(reg)
    reg.created_at, reg.cancelled_at, reg.checked_in_at = now, None, None
    if event.seats_taken < event.capacity:
        reg.status, reg.confirmed_at = "confirmed", now
        event.seats_taken += 1
    else:
        reg.status, reg.confirmed_at = "waitlisted", None
    db.session.flush()
    return reg


def cancel(event_id, user, now=None):
    """Cancel the user's registration; a freed seat goes to the first waiting person. Returns the promoted
    registrations (to be told after commit)."""
    now = now or utcnow()
    event = lock_event(event_id)
    reg = registration_of(event.id, user.id)
    if reg is None or reg.status == "cancelled":
        raise EventError(_("您没有有效的报名。"))
    if event.status not in ("open", "closed"):
        raise EventError(_("活动已结束，不能取消报名。"))
    was_confirmed = reg.status == "confirmed"
    reg.status, reg.cancelled_at = "cancelled", now
    if was_confirmed:
        event.seats_taken -= 1
    db.session.flush()
    return _fill_free_seats(event, now) if was_confirmed else []


def _fill_free_seats(event, now=None):
    """Promote waiting people, first come first served, while seats are free. The event row must be locked."""
    promoted = []
    free = event.capacity - event.seats_taken
    if free <= 0:
        return promoted
    waiting = (
        db.session.execute(
            db.select(Registration)
            .where(Registration.event_id == event.id, Registration.status == "waitlisted")
            .order_by(Registration.created_at, Registration.id)
            .limit(free)
        )
        .scalars()
        .all()
    )
    for reg in waiting:
        reg.status, reg.confirmed_at = "confirmed", now or utcnow()
        event.seats_taken += 1
        promoted.append(reg)
    db.session.flush()
    return promoted


def waiting_position(reg):
    """1-based place of a waiting registration in the queue."""
    return db.session.execute(
        db.select(db.func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == reg.event_id,
            Registration.status == "waitlisted",
            db.or_(
                Registration.created_at < reg.created_at,
                db.and_(Registration.created_at == reg.created_at, Registration.id <= reg.id),
            ),
        )
    ).scalar_one()


# ---------------------------------------------------------------- check-in


def checkin_query(event_id, q=""):
    """Confirmed registrations of the event for the check-in list, filtered by name, e-mail or organisation."""
    from ..accounts.models import Organisation, User

    query = (
        db.select(Registration)
        .join(User, Registration.user_id == User.id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(Registration.event_id == event_id, Registration.status == "confirmed")
        .order_by(User.name, Registration.id)
    )
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        query = query.where(db.or_(User.name.ilike(like), User.email.ilike(like), Organisation.name.ilike(like)))
    return query


def set_checked_in(reg, checked_in, now=None):
    """Tick or untick a confirmed registration on the check-in list."""
    if reg.status != "confirmed":
        raise EventError(_("只有已确认的报名可以签到。"))
    reg.checked_in_at = (now or utcnow()) if checked_in else None
    db.session.flush()
    return reg


def registration_by_badge(event_id, token):
    return db.session.execute(
        db.select(Registration).where(Registration.event_id == event_id, Registration.badge_token == token)
    ).scalar_one_or_none()


def badge_payload(reg):
    """What the badge's QR code holds: the event and the registration's secret token."""
    return f"JXTM-EVENT:{reg.event_id}:{reg.badge_token}"


def parse_badge_payload(text):
    """(event_id, token) from a scanned QR code, or None."""
    parts = (text or "").strip().split(":")
    if len(parts) != 3 or parts[0] != "JXTM-EVENT" or not parts[1].isdigit() or not parts[2]:
        return None
    return int(parts[1]), parts[2]


def default_times(now=None):
    """Suggested times for a new event form: in four weeks at 14:00 local, deadline three days before."""
    local = to_local(now or utcnow()) + timedelta(days=28)
    start = local.replace(hour=14, minute=0, second=0, microsecond=0).replace(tzinfo=None)
    return start, start + timedelta(hours=3), start - timedelta(days=3)


def local_naive(utc_dt):
    return to_local(utc_dt).replace(tzinfo=None) if utc_dt else None


def now_local():
    return datetime.now(MARKET_TZ)
