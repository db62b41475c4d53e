"""Line-up services: presenters on the agenda (add, order, remove, invite, confirm/decline) and invitations.

Plain functions that flush and never commit; they return whom to tell, and the views notify after commit.
"""

from flask_babel import gettext as _

from ..extensions import db
from ..models_base import utcnow
from . import curation
from .models import Invitation, Presenter
from .services import EventError, lock_event

EDITABLE_STATUSES = ("draft", "open", "closed")


def presenters_of(event_id, include_declined=True):
    query = db.select(Presenter).where(Presenter.event_id == event_id).order_by(Presenter.position, Presenter.id)
    if not include_declined:
        query = query.where(Presenter.status != "declined")
    return db.session.execute(query).scalars().all()


def _check_editable(event):
    if event.status not in EDITABLE_STATUSES:
        raise EventError(_("活动已结束，不能再调整路演项目。"))


def add_presenter(event_id, listing, reasons=()):
    """Put a published achievement at the end of the agenda (once)."""
    event = lock_event(event_id)
    _check_editable(event)
    if listing.kind != "achievement" or listing.status != "published":
        raise EventError(_("只能安排已发布的科技成果路演。"))
    existing = db.session.execute(
        db.select(Presenter).where(Presenter.event_id == event.id, Presenter.listing_id == listing.id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    last = (
        db.session.execute(db.select(db.func.max(Presenter.position)).where(Presenter.event_id == event.id)).scalar()
        or 0
    )
    presenter = Presenter(event_id=event.id, listing_id=listing.id, position=last + 1, reasons=list(reasons))
    db.session.add(presenter)
    db.session.flush()
    return presenter


def accept_proposals(event_id):
    """Add every proposed presenter (the whole proposed line-up) to the agenda, in the proposed order."""
    from .models import Event

    event = db.session.get(Event, event_id)
    taken = [p.listing_id for p in presenters_of(event_id)]
    added = [
        add_presenter(event_id, ach, reasons) for ach, reasons in curation.propose_presenters(event, exclude=taken)
    ]
    return added


def move_presenter(presenter, direction):
    """Swap the presenter with its neighbour above (up) or below (down) on the agenda."""
    lock_event(presenter.event_id)
    order = presenters_of(presenter.event_id)
    i = order.index(presenter)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    for position, item in enumerate(order, start=1):
        item.position = position
    db.session.flush()


def remove_presenter(presenter):
    event = lock_event(presenter.event_id)
    _check_editable(event)
    db.session.delete(presenter)
    db.session.flush()


def invite_presenters(event_id, now=None):
    """Invite every planned presenter; returns them (their owners are told after commit)."""
    event = lock_event(event_id)
    _check_editable(event)
    invited = []
    for presenter in presenters_of(event.id):
        if presenter.status == "planned":
            presenter.status, presenter.invited_at = "invited", now or utcnow()
            invited.append(presenter)
    db.session.flush()
    return invited


def respond(presenter, user, answer, now=None):
    """The achievement's owner confirms or declines the invitation to present."""
    if presenter.listing.owner_id != user.id:
        raise EventError(_("只有成果发布者可以回复路演邀请。"))
    if presenter.status not in ("invited", "confirmed", "declined"):
        raise EventError(_("该路演邀请尚未发出。"))
    presenter.status = "confirmed" if answer == "confirm" else "declined"
    presenter.responded_at = now or utcnow()
    db.session.flush()
    return presenter


def send_invitations(event, user_ids):
    """Invite the proposed people whose ids are given; returns the new Invitation rows (told after commit)."""
    wanted = set(user_ids)
    created = []
    for user, reasons in curation.propose_invitees(event):
        if user.id in wanted:
            invitation = Invitation(event_id=event.id, user_id=user.id, reasons=reasons)
            db.session.add(invitation)
            created.append(invitation)
    db.session.flush()
    return created


def invitations_of(event_id):
    return (
        db.session.execute(
            db.select(Invitation).where(Invitation.event_id == event_id).order_by(Invitation.sent_at, Invitation.id)
        )
        .scalars()
        .all()
    )


def pending_invitations_for(event_id, user):
    """Presenter rows of the event whose achievement the user owns (to answer on the event page)."""
    from ..listings.models import Listing

    return (
        db.session.execute(
            db.select(Presenter)
            .join(Listing, Listing.id == Presenter.listing_id)
            .where(Presenter.event_id == event_id, Listing.owner_id == user.id, Presenter.status != "planned")
        )
        .scalars()
        .all()
    )
