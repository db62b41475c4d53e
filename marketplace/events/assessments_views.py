"""Technology assessments: financial institutions request them, operators assign experts, experts write them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..listings.access import load_visible_listing
from ..operators.decorators import operator_required
from . import assessments, bp, experts
from .forms import AssessmentRequestForm, sheet_form
from .loaders import load_assessment, load_assessment_request, load_posted_expert
from .notify import commit_or_flash, notify
from .services import EventError


@bp.route("/assessments/request/<int:listing_id>", methods=["GET", "POST"])
@login_required
def assessment_new(listing_id):
    """A member of a verified investor organisation asks the expert pool to assess a published achievement."""
    listing = load_visible_listing(listing_id, kind="achievement")
    if not assessments.may_request(current_user):
        abort(403)
    form = AssessmentRequestForm()
    if form.validate_on_submit():
        try:
            item = assessments.request_assessment(current_user, listing, form.message.data)
        except EventError as err:
            db.session.rollback()
            form.message.errors = [str(err)]
        else:
            db.session.commit()
            for operator in assessments.operators():
                notify(
                    operator,
                    _("技术评估申请：%(title)s", title=listing.title),
                    _("%(org)s 申请专家评估这项成果，请指派专家。", org=current_user.organisation.name),
                    "events.assessment_detail",
                    request_id=item.id,
                )
            flash(_("评估申请已提交，运营人员将指派专家。"), "success")
            return redirect(url_for("events.assessment_detail", request_id=item.id))
    return render_template("events/assessment_new.html", listing=listing, form=form)


@bp.route("/assessments")
@login_required
def assessments_mine():
    """The user's own assessment requests and those about the user's achievements."""
    return render_template("events/assessments_mine.html", items=assessments.requests_seen_by(current_user))


@bp.route("/assessments/queue")
@operator_required
def assessments_queue():
    """Operators: the queue of assessment requests, open ones first."""
    status = request.args.get("status", "")
    return render_template("events/assessments_queue.html", items=assessments.queue(status), status=status)


@bp.route("/assessments/<int:request_id>")
@login_required
def assessment_detail(request_id):
    """The request and its written assessments (requester, achievement owner and operators only)."""
    item = load_assessment_request(request_id)
    done, means, overall, sheet = assessments.summary(item)
    choices = []
    if current_user.is_operator and item.status != "completed":
        assigned = {a.expert_id for a in item.assessments}
        choices = [(e, experts.conflicts_with(e, item.listing)) for e in experts.all_experts() if e.id not in assigned]
    return render_template(
        "events/assessment.html", item=item, done=done, means=means, overall=overall, sheet=sheet, choices=choices
    )


@bp.route("/assessments/<int:request_id>/assign", methods=["POST"])
@operator_required
def assessment_assign(request_id):
    """Assign an expert (never one from the achievement's own organisation); expert and requester are told."""
    item = load_assessment_request(request_id)
    expert = load_posted_expert()
    done = commit_or_flash(lambda: assessments.assign(item, expert), _("已指派专家 %(name)s。", name=expert.user.name))
    if done and done[1]:  # newly assigned
        title = item.listing.title
        notify(
            expert.user,
            _("技术评估任务：%(title)s", title=title),
            _("%(org)s 申请评估这项成果，请填写评分表和书面评估意见。", org=item.requester.organisation.name),
            "events.assessment_sheet",
            assessment_id=done[0].id,
        )
        notify(
            item.requester,
            _("技术评估已指派专家：%(title)s", title=title),
            _("运营人员已为您的评估申请指派专家，评估完成后会通知您。"),
            "events.assessment_detail",
            request_id=item.id,
        )
    return redirect(url_for("events.assessment_detail", request_id=item.id))


@bp.route("/assessments/sheet/<int:assessment_id>", methods=["GET", "POST"])
@login_required
def assessment_sheet(assessment_id):
    """The assigned expert writes the assessment: the score sheet and the written text."""
    assessment = load_assessment(assessment_id)
    sheet = assessments.summary(assessment.request)[3]
    form = sheet_form(sheet, assessment, assessment.text, text_label=_("书面评估意见"))
    if form.validate_on_submit():
        scores = form.scores()
        try:
            first = assessments.submit(assessment, current_user, scores, form.comments.data)
        except EventError as err:
            db.session.rollback()
            flash(str(err), "danger")
        else:
            db.session.commit()
            _tell_readers(assessment.request, first)
            flash(_("评估已提交。"), "success")
            return redirect(url_for("events.my_reviews"))
    return render_template("events/assessment_sheet.html", assessment=assessment, form=form, sheet=sheet)


def _tell_readers(item, first):
    """The requester and the achievement's owner learn that an assessment was written (or revised)."""
    subject = _("专家技术评估：%(title)s", title=item.listing.title)
    text = _("专家已提交书面评估。") if first else _("专家修改了书面评估。")
    if item.status == "completed":
        text = _("全部专家已提交书面评估，评估已完成。")
    for user in {item.requester, item.listing.owner}:
        notify(user, subject, text, "events.assessment_detail", request_id=item.id)


@bp.record_once
def _template_globals(state):
    state.app.jinja_env.globals.update(may_request_assessment=assessments.may_request)
