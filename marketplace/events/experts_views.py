"""The expert pool: operators keep experts and assign them to presenters; experts fill in score sheets."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.services import make_reset_token
from ..extensions import db
from ..operators.decorators import operator_required, roles_required
from . import assessments, bp, criteria, experts, lineup
from .forms import ExpertForm, sheet_form
from .loaders import load_event, load_expert, load_posted_expert, load_presenter, load_review
from .notify import commit_or_flash, notify, send_link_mail
from .services import EventError


@bp.route("/experts")
@operator_required
def experts_list():
    """The expert pool (技术专家库)."""
    return render_template("events/experts.html", experts=experts.all_experts())


@bp.route("/experts/new", methods=["GET", "POST"])
@operator_required
def expert_create():
    """Add an expert; they get an e-mail with a link to set their password and sign in."""
    form = ExpertForm()
    if form.validate_on_submit():
        try:
            expert = experts.create_expert(
                form.name.data.strip(),
                form.email.data.strip(),
                form.organisation_obj,
                form.title.data or "",
                form.fields.data or "",
                form.industries.data or [],
                form.profile.data or "",
            )
        except EventError as err:
            db.session.rollback()
            form.email.errors = [str(err)]
        else:
            db.session.commit()
            send_link_mail(
                expert.user,
                _("邀请您加入技术专家库"),
                _("运营人员已将您加入江西省常设技术交易市场的技术专家库。请通过以下链接设置密码并登录。"),
                "accounts.reset_with_token",
                token=make_reset_token(expert.user),
            )
            flash(_("专家已加入专家库，邀请邮件已发出。"), "success")
            return redirect(url_for("events.experts_list"))
    return render_template("events/expert_form.html", form=form, expert=None)


@bp.route("/experts/<int:expert_id>/edit", methods=["GET", "POST"])
@operator_required
def expert_edit(expert_id):
    """Edit an expert's profile (the e-mail and organisation stay as registered)."""
    expert = load_expert(expert_id)
    form = ExpertForm()
    if not form.is_submitted():
        form.name.data, form.email.data = expert.user.name, expert.user.email
        form.organisation.data = expert.user.organisation.name
        form.title.data, form.fields.data, form.profile.data = expert.title, expert.fields, expert.profile
        form.industries.data = expert.industry_codes
    form.email.data, form.organisation.data = expert.user.email, expert.user.organisation.name
    if form.validate_on_submit():
        experts.update_expert(
            expert,
            form.name.data.strip(),
            form.title.data or "",
            form.fields.data or "",
            form.industries.data or [],
            form.profile.data or "",
        )
        db.session.commit()
        flash(_("专家信息已保存。"), "success")
        return redirect(url_for("events.experts_list"))
    return render_template("events/expert_form.html", form=form, expert=expert)


@bp.route("/<int:event_id>/reviews")
@operator_required
def reviews_page(event_id):
    """Presenters with their assigned experts, average scores and the sheets; assign more experts."""
    event = load_event(event_id)
    rows = []
    pool = experts.all_experts()
    sheet = criteria.sheet_of(event.id)
    for presenter in lineup.presenters_of(event.id, include_declined=False):
        reviews = experts.reviews_of_presenter(presenter.id)
        means, overall = experts.averages(reviews, sheet)
        assigned = {r.expert_id for r in reviews}
        choices = [(e, experts.has_conflict(e, presenter)) for e in pool if e.id not in assigned]
        rows.append((presenter, reviews, means, overall, choices))
    return render_template("events/reviews.html", event=event, rows=rows, sheet=sheet)


@bp.route("/<int:event_id>/criteria", methods=["GET", "POST"])
@operator_required
def criteria_edit(event_id):
    """The event's score sheet: criteria with name, weight and order (submitted scores stay valid)."""
    event = load_event(event_id)
    sheet = criteria.sheet_of(event.id)
    if request.method == "POST":
        lines = _sheet_lines(request.form)
        try:
            criteria.save_sheet(event, lines)
        except EventError as err:
            db.session.rollback()
            flash(str(err), "danger")
            sheet = [criteria.Line(code, name, weight) for code, name, weight, _p in lines]
        else:
            db.session.commit()
            flash(_("评分表已保存。"), "success")
            return redirect(url_for("events.reviews_page", event_id=event.id))
    return render_template("events/criteria.html", event=event, sheet=sheet, blanks=2)


def _int_or_none(text):
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _sheet_lines(form):
    """[(code, name, weight, position)] from the criteria form's parallel lists, without the removed lines."""
    removed = set(form.getlist("remove"))
    rows = zip(
        form.getlist("code"), form.getlist("name"), form.getlist("weight"), form.getlist("position"), strict=False
    )
    return [
        (code[:30], name.strip()[:80], _int_or_none(weight), _int_or_none(position))
        for code, name, weight, position in rows
        if not (code and code in removed) and (name.strip() or code)
    ]


@bp.route("/<int:event_id>/presenters/<int:presenter_id>/assign", methods=["POST"])
@operator_required
def expert_assign(event_id, presenter_id):
    """Assign an expert to a presenter (never one from the presenter's own organisation)."""
    event = load_event(event_id)
    presenter = load_presenter(event, presenter_id)
    expert = load_posted_expert()
    done = commit_or_flash(lambda: experts.assign(expert, presenter), _("已指派专家 %(name)s。", name=expert.user.name))
    if done and done[1]:  # newly assigned
        notify(
            expert.user,
            _("评审任务：%(title)s", title=event.title),
            _("请为路演项目“%(listing)s”评分。", listing=presenter.listing.title),
            "events.review_sheet",
            review_id=done[0].id,
        )
    return redirect(url_for("events.reviews_page", event_id=event.id))


@bp.route("/reviews/mine")
@roles_required("expert")
def my_reviews():
    """The expert's assignments (presenters to score, technology assessments to write), those still to do first."""
    expert = experts.expert_of(current_user)
    if expert is None:
        abort(403)
    return render_template(
        "events/my_reviews.html",
        reviews=experts.reviews_for_expert(expert),
        assessments=assessments.assessments_for_expert(expert),
    )


@bp.route("/reviews/<int:review_id>", methods=["GET", "POST"])
@login_required
def review_sheet(review_id):
    """The score sheet of one assignment, for the assigned expert."""
    review = load_review(review_id)
    sheet = criteria.sheet_of(review.presenter.event_id)
    form = sheet_form(sheet, review, review.comments)
    if form.validate_on_submit():
        scores = form.scores()
        try:
            experts.submit_scores(review, current_user, scores, form.comments.data)
        except EventError as err:
            db.session.rollback()
            flash(str(err), "danger")
        else:
            db.session.commit()
            flash(_("评分已提交。"), "success")
            return redirect(url_for("events.my_reviews"))
    return render_template("events/review_sheet.html", review=review, form=form, sheet=sheet)
