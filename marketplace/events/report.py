"""After the event: outcomes the operator records, the event report's figures, and the yearly plan.

Plain functions that flush and never commit; the figures are lists of (label, value) for a chart and its table.
"""

from collections import Counter
from decimal import Decimal

from flask_babel import gettext as _

from .. import taxonomy
from ..extensions import db
from . import criteria, experts, lineup, vocab
from .models import Event, MeetingRequest, Outcome, Registration
from .services import EventError, to_local


def record_outcome(event, actor, kind, amount_wan=None, presenter=None, note="", inquiry=None):
    """A signed intent (amount in 万元), a follow-up inquiry or another result of the event; `inquiry`, one of
    follow_up_inquiries(event), links the outcome to the inquiry (and to its achievement's presenter)."""
    if event.status not in ("open", "closed", "finished", "archived"):
        raise EventError(_("活动发布后才能登记成果。"))
    if kind not in vocab.OUTCOME_KINDS:
        raise EventError(_("请选择成果类型。"))
    if presenter is not None and presenter.event_id != event.id:
        raise EventError(_("请选择本活动的路演项目。"))
    if inquiry is not None:
        by_listing = {p.listing_id: p for p in lineup.presenters_of(event.id, include_declined=False)}
        if inquiry.listing_id not in by_listing or (
            presenter is not None and presenter.listing_id != inquiry.listing_id
        ):
            raise EventError(_("关联的洽谈应是针对本活动路演项目的合作意向。"))
        presenter = by_listing[inquiry.listing_id]
    outcome = Outcome(
        event_id=event.id,
        kind=kind,
        amount_wan=amount_wan,
        presenter=presenter,
        note=note or "",
        inquiry=inquiry,
        created_by_id=actor.id,
    )
    db.session.add(outcome)
    db.session.flush()
    return outcome


def outcomes_of(event_id):
    return (
        db.session.execute(
            db.select(Outcome).where(Outcome.event_id == event_id).order_by(Outcome.created_at, Outcome.id)
        )
        .scalars()
        .all()
    )


def follow_up_inquiries(event):
    """Inquiries about the event's presenters sent by its confirmed participants, newest first: the follow-ups
    an outcome can be linked to."""
    from ..inquiries.models import Inquiry

    listing_ids = [p.listing_id for p in lineup.presenters_of(event.id, include_declined=False)]
    participants = db.select(Registration.user_id).where(
        Registration.event_id == event.id, Registration.status == "confirmed"
    )
    return (
        db.session.execute(
            db.select(Inquiry)
            .where(Inquiry.listing_id.in_(listing_ids), Inquiry.sender_id.in_(participants))
            .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
            .limit(200)
        )
        .scalars()
        .all()
    )


def event_figures(event):
    """Everything the event report shows: each entry is (chart id, title, [(label, value)])."""
    regs = (
        db.session.execute(
            db.select(Registration).where(Registration.event_id == event.id, Registration.status == "confirmed")
        )
        .scalars()
        .all()
    )
    by_role = Counter(str(taxonomy.label(taxonomy.ROLES, r.user.role)) for r in regs)
    by_city = Counter(str(taxonomy.label(taxonomy.REGIONS, r.user.organisation.region)) for r in regs)
    arrived = sum(1 for r in regs if r.checked_in_at)
    meetings = db.session.execute(
        db.select(MeetingRequest.status, MeetingRequest.slot).where(MeetingRequest.event_id == event.id)
    ).all()
    meeting_rows = [
        (_("已预约"), len(meetings)),
        (_("已接受"), sum(1 for status, _slot in meetings if status == "accepted")),
        (_("已排定"), sum(1 for status, slot in meetings if status == "accepted" and slot is not None)),
    ]
    scores = []
    sheet = criteria.sheet_of(event.id)
    for presenter in lineup.presenters_of(event.id, include_declined=False):
        _means, overall = experts.averages(experts.reviews_of_presenter(presenter.id), sheet)
        if overall is not None:
            scores.append((presenter.listing.title, overall))
    outcomes = outcomes_of(event.id)
    by_kind = [(str(label), sum(1 for o in outcomes if o.kind == code)) for code, label in vocab.OUTCOME_KINDS.items()]
    total = sum((o.amount_wan or Decimal(0)) for o in outcomes)
    charts = [
        ("roles", _("报名（按角色）"), sorted(by_role.items(), key=lambda x: -x[1])),
        ("cities", _("报名（按城市）"), sorted(by_city.items(), key=lambda x: -x[1])),
        ("meetings", _("一对一洽谈"), meeting_rows),
        ("scores", _("专家评分（加权综合）"), scores),
        ("outcomes", _("活动成果"), by_kind),
    ]
    summary = dict(registered=len(regs), arrived=arrived, intents_wan=float(total))
    return charts, summary


def yearly_plan(year):
    """Events per month by type in `year` (public and draft ones alike) against the yearly targets."""
    events = db.session.execute(db.select(Event).where(Event.status != "archived")).scalars().all()
    counts = {code: [0] * 12 for code in vocab.EVENT_TYPES}
    for event in events:
        local = to_local(event.starts_at)
        if local.year == year:
            counts[event.event_type][local.month - 1] += 1
    rows = [
        (code, str(label), counts[code], sum(counts[code]), vocab.YEARLY_TARGETS.get(code))
        for code, label in vocab.EVENT_TYPES.items()
    ]
    return rows
