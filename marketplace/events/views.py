"""Public event pages and the participants' side: list, detail, register, cancel, badge, my events."""

import logging

import segno
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..extensions import db
from ..operators.decorators import roles_required
from . import bp, criteria, services, vocab
from .loaders import load_own_confirmed_registration, load_visible_event
from .models import Event, Registration
from .notify import notify

log = logging.getLogger(__name__)


@bp.route("/")
def index():
    """Upcoming events (soonest first) or past ones (latest first), paginated."""
    when = "past" if request.args.get("when") == "past" else "upcoming"
    query = services.past_events() if when == "past" else services.upcoming_events()
    page = db.paginate(query, per_page=current_app.config["EVENTS_PER_PAGE"], error_out=False)
    return render_template("events/index.html", page=page, when=when)


@bp.route("/<int:event_id>")
def detail(event_id):
    """An event's page: theme, time, place, agenda, registration state of the current user."""
    event = load_visible_event(event_id)
    reg = services.registration_of(event.id, current_user.id) if current_user.is_authenticated else None
    position = services.waiting_position(reg) if reg is not None and reg.status == "waitlisted" else None
    return render_template(
        "events/detail.html",
        event=event,
        reg=reg,
        position=position,
        can_register=services.can_register(current_user),
        registration_open=services.registration_open(event),
        presenters=_agenda(event),
        my_presentations=_my_presentations(event),
    )


def _my_presentations(event):
    from .lineup import pending_invitations_for

    return pending_invitations_for(event.id, current_user) if current_user.is_authenticated else []


def _agenda(event):
    from .models import Presenter

    return (
        db.session.execute(
            db.select(Presenter)
            .where(Presenter.event_id == event.id, Presenter.status != "declined")
            .order_by(Presenter.position, Presenter.id)
        )
        .scalars()
        .all()
    )


@bp.route("/<int:event_id>/register", methods=["POST"])
@roles_required(*vocab.REGISTRANT_ROLES)
def register(event_id):
    """Take a seat, or a place on the waiting list when the event is full."""
    event = load_visible_event(event_id)
    try:
        reg = services.register(event.id, current_user)
    except services.EventError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return redirect(url_for("events.detail", event_id=event_id))
    db.session.commit()
    if reg.status == "confirmed":
        flash(_("报名成功，您的参会证已生成。"), "success")
    else:
        flash(_("活动已满，您已进入候补名单；有空位时将自动递补并通知您。"), "info")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@login_required
def cancel(event_id):
    """Cancel one's registration; the freed seat goes to the first person waiting, who is told by e-mail."""
    event = load_visible_event(event_id)
    try:
        promoted = services.cancel(event.id, current_user)
    except services.EventError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return redirect(url_for("events.detail", event_id=event_id))
    db.session.commit()
    tell_promoted(event, promoted)
    flash(_("已取消报名。"), "success")
    return redirect(url_for("events.detail", event_id=event_id))


def tell_promoted(event, promoted):
    """After commit: tell each promoted person that they have a seat now."""
    for reg in promoted:
        notify(
            reg.user,
            _("候补转正：%(title)s", title=event.title),
            _("活动有空位，您已从候补名单转为正式参会。"),
            "events.detail",
            event_id=event.id,
        )


@bp.route("/<int:event_id>/badge")
@login_required
def badge(event_id):
    """The participant's badge with a QR code that the check-in desk scans (printable)."""
    event = load_visible_event(event_id)
    reg = load_own_confirmed_registration(event)
    qr = segno.make(services.badge_payload(reg), error="m")
    svg = Markup(qr.svg_inline(scale=6, title=_("签到二维码")))
    return render_template("events/badge.html", event=event, reg=reg, qr_svg=svg)


@bp.route("/mine")
@login_required
def mine():
    """The events the current user registered for (confirmed and waiting first, then cancelled)."""
    regs = (
        db.session.execute(
            db.select(Registration)
            .join(Event)
            .where(Registration.user_id == current_user.id)
            .order_by(Event.starts_at.desc())
        )
        .scalars()
        .all()
    )
    return render_template("events/mine.html", regs=regs)


@bp.record_once
def _template_globals(state):
    """Vocabulary and allowed actions for the events' templates and macros (imported without context)."""
    state.app.jinja_env.globals.update(
        event_vocab=vocab,
        event_actions=services.allowed_actions,
        presenter_scores=_presenter_scores,
        weighted_score=criteria.weighted,
        may_open_inquiry=_may_open_inquiry,
    )


def _may_open_inquiry(listing):
    """A participant who may send an inquiry about a presenter's achievement (companies and investors)."""
    from ..inquiries.services import SENDER_ROLES

    return (
        current_user.is_authenticated
        and current_user.id != listing.owner_id
        and current_user.role in SENDER_ROLES[listing.kind]
    )


def _presenter_scores(presenter):
    """(submitted sheets, mean per criterion, weighted overall mean, the event's criteria) of a presenter, for
    those allowed to see them."""
    from . import experts

    if not experts.can_see_scores(current_user, presenter):
        return [], {}, None, []
    reviews = experts.reviews_of_presenter(presenter.id, submitted_only=True)
    sheet = criteria.sheet_of(presenter.event_id)
    means, overall = experts.averages(reviews, sheet)
    return reviews, means, overall, sheet
