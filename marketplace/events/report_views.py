"""Operators: outcomes of an event, the event report with charts, and the yearly plan."""

from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..operators.decorators import operator_required
from . import bp, lineup, report, services, vocab
from .loaders import load_event


def _amount(text):
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise services.EventError(_("金额请填写数字（万元）。")) from None
    if value < 0 or value > Decimal("9999999999"):
        raise services.EventError(_("金额请填写数字（万元）。"))
    return value


@bp.route("/<int:event_id>/report", methods=["GET", "POST"])
@operator_required
def event_report(event_id):
    """The event report (registrations by role and city, meetings, scores, outcomes) and the outcome form."""
    event = load_event(event_id)
    presenters = lineup.presenters_of(event.id, include_declined=False)
    inquiries = report.follow_up_inquiries(event)
    if request.method == "POST":
        presenter = next((p for p in presenters if p.id == request.form.get("presenter_id", type=int)), None)
        inquiry = next((i for i in inquiries if i.id == request.form.get("inquiry_id", type=int)), None)
        try:
            amount = _amount(request.form.get("amount"))
            report.record_outcome(
                event,
                current_user,
                request.form.get("kind", ""),
                amount,
                presenter,
                (request.form.get("note") or "")[:500],
                inquiry,
            )
        except services.EventError as err:
            db.session.rollback()
            flash(str(err), "danger")
        else:
            db.session.commit()
            flash(_("成果已登记。"), "success")
            return redirect(url_for("events.event_report", event_id=event.id))
    charts, summary = report.event_figures(event)
    return render_template(
        "events/report.html",
        event=event,
        charts=charts,
        summary=summary,
        presenters=presenters,
        inquiries=inquiries,
        outcomes=report.outcomes_of(event.id),
    )


@bp.route("/plan")
@operator_required
def yearly_plan():
    """Events per month by type against the target of 12 科技金融路演 a year."""
    year = request.args.get("year", type=int) or services.now_local().year
    if not 2000 <= year <= 2100:
        year = services.now_local().year
    rows = report.yearly_plan(year)
    chart = {
        "labels": [_("%(m)s月", m=m) for m in range(1, 13)],
        "names": [name for _c, name, *_r in rows],
        "stacked": [months for _c, _n, months, *_r in rows],
        "target": {"name": _("科技金融路演月均目标"), "value": vocab.YEARLY_TARGETS["roadshow"] / 12},
    }
    return render_template("events/plan.html", year=year, rows=rows, targets=vocab.YEARLY_TARGETS, chart=chart)
