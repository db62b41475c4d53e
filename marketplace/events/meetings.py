"""1:1 meetings (对接洽谈) of an event: requests between confirmed participants, answers, the operator's settings,
and running the scheduler (events.scheduler) over the accepted requests.

Plain functions that flush and never commit.
"""

from datetime import timedelta

from flask_babel import gettext as _

from ..extensions import db
from ..models_base import utcnow
from . import scheduler
from .models import MeetingRequest, Registration
from .services import EventError, lock_event, registration_of

ACTIVE_EVENT_STATUSES = ("open", "closed")
MAX_SLOTS, MAX_TABLES, MAX_CAP = 48, 500, 48


def is_participant(event, user):
    reg = registration_of(event.id, user.id)
    return reg is not None and reg.status == "confirmed"


def participants(event, exclude_user_id=None):
    """Confirmed registrations of the event (the people one may ask for a meeting), by name."""
    from ..accounts.models import User

    query = (
        db.select(Registration)
        .join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id, Registration.status == "confirmed")
        .order_by(User.name)
    )
    if exclude_user_id is not None:
        query = query.where(Registration.user_id != exclude_user_id)
    return db.session.execute(query).scalars().all()


def _pair(event_id, a, b):
    return (
        db.session.execute(
            db.select(MeetingRequest).where(
                MeetingRequest.event_id == event_id,
                db.or_(
                    db.and_(MeetingRequest.requester_id == a, MeetingRequest.recipient_id == b),
                    db.and_(MeetingRequest.requester_id == b, MeetingRequest.recipient_id == a),
                ),
            )
        )
        .scalars()
        .all()
    )


def request_meeting(event, requester, recipient, message=""):
    """Ask another confirmed participant for a meeting; once per pair unless the last one was cancelled."""
    if event.status not in ACTIVE_EVENT_STATUSES:
        raise EventError(_("该活动不再接受洽谈预约。"))
    if recipient is None or recipient.id == requester.id:
        raise EventError(_("请选择另一位参会者。"))
    if not is_participant(event, requester) or not is_participant(event, recipient):
        raise EventError(_("双方都需要是本活动已确认的参会者。"))
    existing = _pair(event.id, requester.id, recipient.id)
    if any(m.status in ("pending", "accepted") for m in existing):
        raise EventError(_("你们之间已有洽谈预约。"))
    if any(m.status == "declined" for m in existing):
        raise EventError(_("对方已拒绝过与您洽谈。"))
    mine = next((m for m in existing if m.requester_id == requester.id), None)
    if mine is None:
        mine = MeetingRequest(event_id=event.id, requester_id=requester.id, recipient_id=recipient.id)
        db.session.add(mine)
    mine.status, mine.message, mine.slot, mine.table_no = "pending", (message or "")[:500], None, None
    mine.created_at, mine.responded_at = utcnow(), None
    db.session.flush()
    return mine


def respond(meeting, user, accept):
    """The recipient accepts or declines a pending request."""
    if meeting.recipient_id != user.id:
        raise EventError(_("只有被邀请方可以回复。"))
    if meeting.status != "pending":
        raise EventError(_("该预约已回复。"))
    meeting.status = "accepted" if accept else "declined"
    meeting.responded_at = utcnow()
    db.session.flush()
    return meeting


def cancel_meeting(meeting, user):
    """Either side cancels; a placed meeting frees its slot and table. True when it had been placed (both
    agendas changed)."""
    if user.id not in (meeting.requester_id, meeting.recipient_id):
        raise EventError(_("只有洽谈双方可以取消。"))
    if meeting.status in ("declined", "cancelled"):
        raise EventError(_("该预约已结束。"))
    placed = meeting.slot is not None
    meeting.status, meeting.slot, meeting.table_no = "cancelled", None, None
    db.session.flush()
    return placed


def set_unavailable(event, user, slots):
    """The slots in which the participant cannot meet."""
    reg = registration_of(event.id, user.id)
    if reg is None or reg.status != "confirmed":
        raise EventError(_("只有已确认的参会者可以设置时间。"))
    reg.unavailable_slots = sorted({int(s) for s in slots if 0 <= int(s) < event.slot_count})
    db.session.flush()
    return reg


def configure(event_id, meetings_start, slot_minutes, slot_count, tables, cap):
    """The operator's meeting settings: first slot (UTC), slot length, number of slots and tables, cap."""
    event = lock_event(event_id)
    event.meetings_start, event.slot_minutes, event.slot_count = meetings_start, slot_minutes, slot_count
    event.tables, event.meeting_cap = tables, cap
    db.session.flush()
    return event


def set_caps(event, caps):
    """Per-person meeting caps: {registration id: cap, or None for the event's cap}; other events' ids ignored."""
    regs = {r.id: r for r in participants(event)}
    for reg_id, cap in caps.items():
        if reg_id not in regs:
            continue
        if cap is not None and not 0 <= cap <= MAX_CAP:
            raise EventError(_("每人上限应在 0 到 48 之间。"))
        regs[reg_id].meeting_cap = cap
    db.session.flush()
    return regs


def slot_times(event):
    """[(start, end)] naive UTC of each meeting slot."""
    if event.meetings_start is None:
        return []
    step = timedelta(minutes=event.slot_minutes)
    return [(event.meetings_start + i * step, event.meetings_start + (i + 1) * step) for i in range(event.slot_count)]


def run_schedule(event_id):
    """Place the accepted requests; returns the ids of the people whose agenda changed (to be told)."""
    event = lock_event(event_id)
    if event.meetings_start is None or event.slot_count <= 0 or event.tables <= 0:
        raise EventError(_("请先设置洽谈时段和桌数。"))
    meetings = (
        db.session.execute(
            db.select(MeetingRequest).where(MeetingRequest.event_id == event.id, MeetingRequest.status == "accepted")
        )
        .scalars()
        .all()
    )
    people = participants(event)
    problem = scheduler.Problem(
        [scheduler.Request(m.id, m.requester_id, m.recipient_id, m.status) for m in meetings],
        slots=event.slot_count,
        tables=event.tables,
        cap=event.meeting_cap,
        unavailable={r.user_id: set(r.unavailable_slots or []) for r in people},
        caps={r.user_id: r.meeting_cap for r in people if r.meeting_cap is not None},
    )
    placed = scheduler.schedule(problem)
    changed = set()
    for m in meetings:
        slot, table = placed.get(m.id, (None, None))
        if (m.slot, m.table_no) != (slot, table):
            changed |= {m.requester_id, m.recipient_id}
        m.slot, m.table_no = slot, table
    event.scheduled_at = utcnow()
    db.session.flush()
    return changed, len(placed), scheduler.upper_bound(problem)


def meetings_of(event, user):
    """The user's requests at the event, newest first."""
    return (
        db.session.execute(
            db.select(MeetingRequest)
            .where(
                MeetingRequest.event_id == event.id,
                db.or_(MeetingRequest.requester_id == user.id, MeetingRequest.recipient_id == user.id),
            )
            .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        )
        .scalars()
        .all()
    )


def agenda_of(event, user):
    """[(meeting, start, end, other person)] of the user's placed meetings, in time order."""
    times = slot_times(event)
    out = []
    for m in meetings_of(event, user):
        if m.status == "accepted" and m.slot is not None and m.slot < len(times):
            other = m.recipient if m.requester_id == user.id else m.requester
            out.append((m, times[m.slot][0], times[m.slot][1], other))
    return sorted(out, key=lambda row: (row[1], row[0].id))


def schedule_table(event):
    """All accepted meetings of the event with their slot and table (None when not placed)."""
    return (
        db.session.execute(
            db.select(MeetingRequest)
            .where(MeetingRequest.event_id == event.id, MeetingRequest.status == "accepted")
            .order_by(MeetingRequest.slot.is_(None), MeetingRequest.slot, MeetingRequest.table_no, MeetingRequest.id)
        )
        .scalars()
        .all()
    )
