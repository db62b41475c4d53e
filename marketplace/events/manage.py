"""Operators' side of events: create, edit, status changes, the check-in list (search, tick, CSV, scan)."""

import csv
import io
import logging

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..operators.decorators import operator_required
from . import bp, services, vocab
from .forms import EventForm
from .loaders import load_event, load_registration
from .models import Event
from .views import tell_promoted

log = logging.getLogger(__name__)


@bp.route("/manage")
@operator_required
def manage():
    """Every event, drafts included, newest first, with its registration counts."""
    status = request.args.get("status") if request.args.get("status") in vocab.EVENT_STATUSES else None
    query = db.select(Event).order_by(Event.starts_at.desc(), Event.id.desc())
    if status:
        query = query.where(Event.status == status)
    page = db.paginate(query, per_page=current_app.config["EVENTS_PER_PAGE"], error_out=False)
    return render_template("events/manage.html", page=page, status=status)


@bp.route("/new", methods=["GET", "POST"])
@operator_required
def create():
    """A new event, saved as a draft; the operator opens registration from its page."""
    form = EventForm()
    if not form.is_submitted():
        form.starts_at.data, form.ends_at.data, form.registration_deadline.data = services.default_times()
        form.capacity.data = 100
    if form.validate_on_submit():
        event = services.create_event(current_user, **form.values())
        db.session.commit()
        flash(_("活动草稿已保存。"), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@operator_required
def edit(event_id):
    """Edit an event; raising the capacity promotes people from the waiting list."""
    event = load_event(event_id)
    form = EventForm()
    if not form.is_submitted():
        form.load(event)
    if form.validate_on_submit():
        try:
            promoted = services.update_event(event.id, current_user, **form.values())
        except services.EventError as err:
            db.session.rollback()
            form.capacity.errors = [str(err)]
        else:
            db.session.commit()
            tell_promoted(event, promoted)
            flash(_("活动已保存。"), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=event)


@bp.route("/<int:event_id>/status/<action>", methods=["POST"])
@operator_required
def change_status(event_id, action):
    """Open, close, reopen, finish or archive the event (services.TRANSITIONS)."""
    event = load_event(event_id)
    if action not in services.TRANSITIONS:
        abort(404)
    try:
        services.transition(event.id, action, current_user)
    except services.EventError as err:
        db.session.rollback()
        flash(str(err), "danger")
    else:
        db.session.commit()
        flash(_("活动状态已更新为：%(status)s", status=vocab.EVENT_STATUSES[event.status]), "success")
    return redirect(url_for("events.detail", event_id=event.id))


# ---------------------------------------------------------------- check-in


@bp.route("/<int:event_id>/checkin")
@operator_required
def checkin(event_id):
    """The check-in list of the day: confirmed participants, searchable, printable, with a tick each."""
    event = load_event(event_id)
    q = request.args.get("q", "")[:100]
    regs = db.session.execute(services.checkin_query(event.id, q)).scalars().all()
    arrived = sum(1 for r in regs if r.checked_in_at)
    return render_template("events/checkin.html", event=event, regs=regs, q=q, arrived=arrived)


@bp.route("/<int:event_id>/checkin.csv")
@operator_required
def checkin_csv(event_id):
    """The check-in list as CSV (UTF-8 with BOM, so that Excel opens the Chinese text)."""
    event = load_event(event_id)
    regs = db.session.execute(services.checkin_query(event.id)).scalars().all()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("姓名"), _("单位"), _("角色"), _("邮箱"), _("电话"), _("签到时间")])
    for reg in regs:
        user = reg.user
        writer.writerow(
            [
                _csv_safe(user.name),
                _csv_safe(user.organisation.name),
                _role_label(user.role),
                _csv_safe(user.email),
                _csv_safe(user.phone or ""),
                services.local_naive(reg.checked_in_at).strftime("%Y-%m-%d %H:%M") if reg.checked_in_at else "",
            ]
        )
    data = io.BytesIO(out.getvalue().encode("utf-8"))
    return send_file(data, mimetype="text/csv", as_attachment=True, download_name=f"checkin-event-{event.id}.csv")


def _csv_safe(text):
    """Neutralise spreadsheet formulas in user-typed text (=, +, -, @ at the start)."""
    text = str(text or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _role_label(role):
    from .. import taxonomy

    return str(taxonomy.label(taxonomy.ROLES, role))


@bp.route("/<int:event_id>/checkin/<int:registration_id>", methods=["POST"])
@operator_required
def tick(event_id, registration_id):
    """Tick (or untick) one participant on the check-in list."""
    event = load_event(event_id)
    reg = load_registration(event, registration_id)
    try:
        services.set_checked_in(reg, request.form.get("checked_in", "1") == "1")
    except services.EventError as err:
        db.session.rollback()
        flash(str(err), "danger")
    else:
        db.session.commit()
        flash(
            _("%(name)s 已签到。", name=reg.user.name)
            if reg.checked_in_at
            else _("已撤销 %(name)s 的签到。", name=reg.user.name),
            "success",
        )
    return redirect(url_for("events.checkin", event_id=event.id, q=request.form.get("q") or None))


@bp.route("/<int:event_id>/scan", methods=["GET", "POST"])
@operator_required
def scan(event_id):
    """GET: the phone camera page. POST (JSON {"code": ...}): check in the badge read from the QR code."""
    event = load_event(event_id)
    if request.method == "GET":
        return render_template("events/scan.html", event=event)
    payload = services.parse_badge_payload((request.get_json(silent=True) or {}).get("code"))
    if payload is None or payload[0] != event.id:
        return jsonify(ok=False, reason=_("不是本活动的参会证二维码。")), 400
    reg = services.registration_by_badge(event.id, payload[1])
    if reg is None or reg.status != "confirmed":
        return jsonify(ok=False, reason=_("参会证无效或报名已取消。")), 404
    already = reg.checked_in_at is not None
    if not already:
        services.set_checked_in(reg, True)
        db.session.commit()
    return jsonify(
        ok=True,
        already=already,
        name=reg.user.name,
        organisation=reg.user.organisation.name,
        message=_("%(name)s 此前已签到。", name=reg.user.name)
        if already
        else _("%(name)s 签到成功。", name=reg.user.name),
    )
