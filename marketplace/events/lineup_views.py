"""Operators curate the line-up (proposals from the match graph, agenda order, invitations); presenters answer."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..listings.models import Listing
from ..operators.decorators import operator_required
from . import bp, curation, lineup
from .loaders import load_event, load_presenter, load_visible_event
from .notify import commit_or_flash, notify


@bp.route("/<int:event_id>/lineup")
@operator_required
def lineup_page(event_id):
    """The agenda, the proposed presenters and the people to invite, each with reasons."""
    event = load_event(event_id)
    presenters = lineup.presenters_of(event.id)
    proposals = curation.propose_presenters(event, exclude=[p.listing_id for p in presenters])
    invitees = curation.propose_invitees(event)
    return render_template(
        "events/lineup.html",
        event=event,
        presenters=presenters,
        proposals=proposals,
        invitees=invitees,
        invitations=lineup.invitations_of(event.id),
        describe=curation.describe,
    )


@bp.route("/<int:event_id>/lineup/add", methods=["POST"])
@operator_required
def lineup_add(event_id):
    """Add one proposed achievement (listing_id) to the agenda, or all proposals (all=1)."""
    event = load_event(event_id)
    if request.form.get("all") == "1":
        commit_or_flash(lambda: lineup.accept_proposals(event.id), _("已采纳推荐的路演项目。"))
    else:
        listing = db.session.get(Listing, request.form.get("listing_id", type=int) or 0)
        if listing is None:
            abort(400)
        reasons = next((r for a, r in curation.propose_presenters(event) if a.id == listing.id), [])
        commit_or_flash(lambda: lineup.add_presenter(event.id, listing, reasons), _("已加入路演议程。"))
    return redirect(url_for("events.lineup_page", event_id=event.id))


@bp.route("/<int:event_id>/presenters/<int:presenter_id>/move/<any(up,down):direction>", methods=["POST"])
@operator_required
def presenter_move(event_id, presenter_id, direction):
    """Move a presenter one agenda slot up or down."""
    event = load_event(event_id)
    presenter = load_presenter(event, presenter_id)
    commit_or_flash(lambda: lineup.move_presenter(presenter, direction), _("议程顺序已调整。"))
    return redirect(url_for("events.lineup_page", event_id=event.id))


@bp.route("/<int:event_id>/presenters/<int:presenter_id>/remove", methods=["POST"])
@operator_required
def presenter_remove(event_id, presenter_id):
    """Take a presenter off the agenda."""
    event = load_event(event_id)
    presenter = load_presenter(event, presenter_id)
    commit_or_flash(lambda: lineup.remove_presenter(presenter), _("已移出路演议程。"))
    return redirect(url_for("events.lineup_page", event_id=event.id))


@bp.route("/<int:event_id>/presenters/invite", methods=["POST"])
@operator_required
def presenters_invite(event_id):
    """Invite every planned presenter; each owner gets an e-mail with a link to answer."""
    event = load_event(event_id)
    invited = commit_or_flash(lambda: lineup.invite_presenters(event.id), _("路演邀请已发出。")) or []
    for presenter in invited:
        notify(
            presenter.listing.owner,
            _("路演邀请：%(title)s", title=event.title),
            _("您的科技成果“%(listing)s”受邀参加路演，请在活动页面确认或婉拒。", listing=presenter.listing.title),
            "events.detail",
            event_id=event.id,
        )
    return redirect(url_for("events.lineup_page", event_id=event.id))


@bp.route("/<int:event_id>/invitations", methods=["POST"])
@operator_required
def invitations_send(event_id):
    """Invite the ticked proposed companies and investors to attend (e-mail with the event's link)."""
    event = load_event(event_id)
    user_ids = [int(v) for v in request.form.getlist("user_id") if v.isdigit()]
    if not user_ids:
        flash(_("请至少选择一位邀请对象。"), "warning")
        return redirect(url_for("events.lineup_page", event_id=event.id))
    created = commit_or_flash(lambda: lineup.send_invitations(event, user_ids), _("参会邀请已发出。")) or []
    for invitation in created:
        notify(
            invitation.user,
            _("参会邀请：%(title)s", title=event.title),
            _("根据您的技术需求，我们诚邀您参加本次活动，与匹配的成果方面对面洽谈。"),
            "events.detail",
            event_id=event.id,
        )
    return redirect(url_for("events.lineup_page", event_id=event.id))


@bp.route("/<int:event_id>/presenters/<int:presenter_id>/respond", methods=["POST"])
@login_required
def presenter_respond(event_id, presenter_id):
    """The achievement's owner confirms (confirm) or declines (decline) the invitation to present."""
    event = load_visible_event(event_id)
    presenter = load_presenter(event, presenter_id)
    if presenter.listing.owner_id != current_user.id:
        abort(403)
    answer = "confirm" if request.form.get("answer") == "confirm" else "decline"
    commit_or_flash(
        lambda: lineup.respond(presenter, current_user, answer),
        _("已确认参加路演。") if answer == "confirm" else _("已婉拒路演邀请。"),
    )
    return redirect(url_for("events.detail", event_id=event.id))
