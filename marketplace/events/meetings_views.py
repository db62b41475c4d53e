"""1:1 meetings: participants request, answer and see their agenda (.ics); operators set slots and schedule."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..extensions import db
from ..operators.decorators import operator_required
from ..urls import external_url
from . import bp, ics, meetings, services
from .forms import MeetingSettingsForm
from .loaders import load_event, load_meeting, load_own_confirmed_registration, load_visible_event
from .notify import commit_or_flash, notify


def _back(event):
    return redirect(url_for("events.meetings_page", event_id=event.id))


@bp.route("/<int:event_id>/meetings")
@login_required
def meetings_page(event_id):
    """The participant's 1:1 meetings: agenda, requests both ways, whom to ask, unavailable slots."""
    event = load_visible_event(event_id)
    reg = load_own_confirmed_registration(event)
    q = request.args.get("q", "").strip()[:60]
    others = meetings.participants(event, exclude_user_id=current_user.id)
    if q:
        others = [r for r in others if q.lower() in r.user.name.lower() or q in r.user.organisation.name]
    presenting = {p.listing.owner_id for p in _presenters(event)}
    return render_template(
        "events/meetings.html",
        event=event,
        reg=reg,
        others=others,
        q=q,
        presenting=presenting,
        requests=meetings.meetings_of(event, current_user),
        agenda=meetings.agenda_of(event, current_user),
        slots=meetings.slot_times(event),
        active=event.status in meetings.ACTIVE_EVENT_STATUSES,
    )


def _presenters(event):
    from .lineup import presenters_of

    return presenters_of(event.id, include_declined=False)


@bp.route("/<int:event_id>/meetings/request", methods=["POST"])
@login_required
def meeting_request(event_id):
    """Ask another confirmed participant for a meeting; they are told by e-mail."""
    event = load_visible_event(event_id)
    load_own_confirmed_registration(event)
    recipient = db.session.get(User, request.form.get("recipient_id", type=int) or 0)
    made = commit_or_flash(
        lambda: meetings.request_meeting(event, current_user, recipient, request.form.get("message", "")),
        _("洽谈预约已发出，等待对方回复。"),
    )
    if made:
        notify(
            recipient,
            _("洽谈预约：%(title)s", title=event.title),
            _(
                "%(name)s（%(org)s）希望与您在活动中一对一洽谈。",
                name=current_user.name,
                org=current_user.organisation.name,
            ),
            "events.meetings_page",
            event_id=event.id,
        )
    return _back(event)


@bp.route("/<int:event_id>/meetings/<int:meeting_id>/respond", methods=["POST"])
@login_required
def meeting_respond(event_id, meeting_id):
    """The recipient accepts (answer=accept) or declines the request."""
    event = load_visible_event(event_id)
    meeting = load_meeting(event, meeting_id, recipient_only=True)
    accept = request.form.get("answer") == "accept"
    if commit_or_flash(
        lambda: meetings.respond(meeting, current_user, accept),
        _("已接受洽谈预约。") if accept else _("已拒绝洽谈预约。"),
    ):
        notify(
            meeting.requester,
            _("洽谈预约有回复：%(title)s", title=event.title),
            _("%(name)s 已接受您的洽谈预约。", name=current_user.name)
            if accept
            else _("%(name)s 婉拒了您的洽谈预约。", name=current_user.name),
            "events.meetings_page",
            event_id=event.id,
        )
    return _back(event)


@bp.route("/<int:event_id>/meetings/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def meeting_cancel(event_id, meeting_id):
    """Either side cancels the meeting."""
    event = load_visible_event(event_id)
    meeting = load_meeting(event, meeting_id)
    if commit_or_flash(lambda: meetings.cancel_meeting(meeting, current_user), _("洽谈预约已取消。")):
        for user in (meeting.requester, meeting.recipient):  # a placed meeting left both agendas
            _agenda_changed(event, user)
    return _back(event)


def _agenda_changed(event, user):
    """Tell `user` that their agenda changed; the e-mail carries the new .ics."""
    notify(
        user,
        _("洽谈日程已更新：%(title)s", title=event.title),
        _("您的一对一洽谈日程有变化，附件是最新的日历文件（.ics），也可在日程页查看。"),
        "events.meetings_page",
        kind="event_agenda",
        event_id=event.id,
    )


@bp.route("/<int:event_id>/meetings/availability", methods=["POST"])
@login_required
def meeting_availability(event_id):
    """The slots the participant cannot meet in (ticked boxes)."""
    event = load_visible_event(event_id)
    load_own_confirmed_registration(event)
    slots = [int(v) for v in request.form.getlist("unavailable") if v.isdigit()]
    commit_or_flash(lambda: meetings.set_unavailable(event, current_user, slots), _("不可洽谈时段已保存。"))
    return _back(event)


@bp.route("/<int:event_id>/agenda.ics")
@login_required
def agenda_ics(event_id):
    """The participant's agenda as an iCalendar file (Asia/Shanghai time zone)."""
    event = load_visible_event(event_id)
    load_own_confirmed_registration(event)
    body = ics.agenda_ics(
        event, meetings.agenda_of(event, current_user), external_url("events.detail", event_id=event.id)
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}-agenda.ics"'},
    )


@bp.route("/<int:event_id>/meetings/setup", methods=["GET", "POST"])
@operator_required
def meetings_setup(event_id):
    """Operators set the slots, tables and per-person cap, and see the schedule."""
    event = load_event(event_id)
    form = MeetingSettingsForm()
    if not form.is_submitted() and event.meetings_start is not None:
        form.meetings_start.data = services.local_naive(event.meetings_start)
        for name in ("slot_minutes", "slot_count", "tables", "meeting_cap"):
            getattr(form, name).data = getattr(event, name)
    elif not form.is_submitted():
        form.meetings_start.data = services.local_naive(event.starts_at)
    if form.validate_on_submit():
        meetings.configure(
            event.id,
            services.to_utc(form.meetings_start.data),
            form.slot_minutes.data,
            form.slot_count.data,
            form.tables.data,
            form.meeting_cap.data,
        )
        db.session.commit()
        flash(_("洽谈设置已保存。"), "success")
        return redirect(url_for("events.meetings_setup", event_id=event.id))
    return render_template(
        "events/meetings_setup.html",
        event=event,
        form=form,
        schedule=meetings.schedule_table(event),
        slots=meetings.slot_times(event),
        people=meetings.participants(event),
    )


@bp.route("/<int:event_id>/meetings/caps", methods=["POST"])
@operator_required
def meetings_caps(event_id):
    """Per-person meeting caps (cap_<registration id>; empty: the event's cap)."""
    event = load_event(event_id)
    caps = {}
    for key, value in request.form.items():
        reg_id = key.removeprefix("cap_")
        if key.startswith("cap_") and reg_id.isdigit():
            value = value.strip()
            if value and not value.isdigit():
                flash(_("每人上限请填写整数。"), "danger")
                return redirect(url_for("events.meetings_setup", event_id=event.id))
            caps[int(reg_id)] = int(value) if value else None
    commit_or_flash(lambda: meetings.set_caps(event, caps), _("每人洽谈上限已保存。"))
    return redirect(url_for("events.meetings_setup", event_id=event.id))


@bp.route("/<int:event_id>/meetings/schedule", methods=["POST"])
@operator_required
def meetings_schedule(event_id):
    """Run the scheduler; everyone whose agenda changed gets an e-mail with the link to it (and its .ics)."""
    event = load_event(event_id)
    result = commit_or_flash(lambda: meetings.run_schedule(event.id), _("排程已完成。"))
    if result:
        changed, placed, bound = result
        flash(_("已安排 %(placed)s 场洽谈（上限 %(bound)s）。", placed=placed, bound=bound), "info")
        for user in db.session.execute(db.select(User).where(User.id.in_(changed))).scalars():
            _agenda_changed(event, user)
    return redirect(url_for("events.meetings_setup", event_id=event.id))
