"""Views of brokers (技术经纪人): operators give the role and assign a broker to an inquiry or a board pair; the
pair's broker (or an operator) marks it contacted or not a fit and introduces the two sides; the broker's desk
(我的撮合); follow-ups on an inquiry."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..accounts.validation import safe_next_url
from ..extensions import db
from ..listings.attachments import remove_files
from ..operators.decorators import operator_required, roles_required
from . import board, bp, brokers, followups, services
from .forms import FollowupForm, InquiryForm
from .models import BoardPair
from .pipeline import PAIR_ACTION_LABELS, PAIR_STATUSES, STAGES, allowed_pair_actions
from .views import load_inquiry, render_detail


@bp.app_context_processor
def _broker_helpers():
    return {
        "allowed_pair_actions": allowed_pair_actions,
        "pair_action_labels": PAIR_ACTION_LABELS,
        "pair_statuses": PAIR_STATUSES,
    }


def _safe_next(default):
    return safe_next_url(request.form.get("next")) or default


@bp.route("/ops/brokers/<int:user_id>", methods=["POST"])
@operator_required
def grant_broker(user_id):
    """Give a user the broker role."""
    user = db.session.get(User, user_id) or abort(404)
    try:
        services.grant_broker(user, current_user)
        db.session.commit()
    except services.InquiryError as err:
        db.session.rollback()
        flash(str(err), "warning")
    else:
        flash(_("已将 %(email)s 设为技术经纪人。", email=user.email), "success")
    return redirect(_safe_next(url_for("operators.users")))


@bp.route("/inquiries/<int:inquiry_id>/broker", methods=["POST"])
@operator_required
def assign_broker(inquiry_id):
    """Assign (or change) the broker of an inquiry."""
    inquiry = load_inquiry(inquiry_id)
    broker = db.session.get(User, request.form.get("broker_id", type=int) or 0)
    try:
        services.assign_broker(inquiry, current_user, broker)
        db.session.commit()
    except services.InquiryError as err:
        db.session.rollback()
        flash(str(err), "warning")
    else:
        flash(_("已指派技术经纪人，对方会收到通知。"), "success")
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))


def load_pair(need_id, achievement_id, action=None):
    """The board pair of a need and an achievement: 404 when the ids do not name one; 403 for anyone but operators
    and the pair's broker. Operators create its row on their first action."""
    listings = brokers.load_pair_listings(need_id, achievement_id)
    if listings is None:
        abort(404)
    if current_user.is_operator:
        if request.method == "POST":
            return brokers.pair_for(*listings, lock=True)
        return brokers.pair_or_new(*listings)  # a GET writes nothing
    pair = db.session.execute(
        db.select(BoardPair).filter_by(need_id=need_id, achievement_id=achievement_id)
    ).scalar_one_or_none()
    if pair is None or not brokers.may_act(current_user, pair, action or "contacted"):
        abort(403)
    return pair


@bp.route("/broker/pairs/<int:need_id>/<int:achievement_id>", methods=["POST"])
@login_required
def pair_action(need_id, achievement_id):
    """Assign a broker (operators), mark contacted, not a fit, or reopen a strong pair."""
    action = request.form.get("action")
    pair = load_pair(need_id, achievement_id, action)
    if action not in ("assign", "contacted", "not_fit", "reopen"):
        abort(400)
    broker = db.session.get(User, request.form.get("broker_id", type=int) or 0) if action == "assign" else None
    try:
        brokers.act(pair, current_user, action, request.form.get("seen_status", "open"), broker)
        db.session.commit()
    except services.InquiryError as err:
        db.session.rollback()
        flash(str(err), "warning")
    else:
        flash(_("已更新配对：%(s)s。", s=PAIR_STATUSES[pair.status]), "success")
    return redirect(_safe_next(url_for("inquiries.broker_desk")))


@bp.route("/broker/pairs/<int:need_id>/<int:achievement_id>/introduce", methods=["GET", "POST"])
@login_required
def introduce(need_id, achievement_id):
    """The broker (or an operator) introduces the two sides of a pair: both must consent before any contact
    details are shared. A refused introduction keeps what was written."""
    pair = load_pair(need_id, achievement_id, "introduce")
    form = InquiryForm()
    error, status = brokers.introduction_blocker(pair), 200
    if error is None and form.validate_on_submit():
        written = []
        try:
            inquiry, written = brokers.introduce(
                pair, current_user, request.form.get("seen_status", ""), form.values(), form.uploads
            )
            db.session.commit()
        except services.InquiryError as err:
            db.session.rollback()
            remove_files(written)
            error, status = str(err), 409
        except Exception:
            db.session.rollback()
            remove_files(written)
            raise
        else:
            flash(_("已发出引荐，双方都同意后才会看到彼此的联系方式。"), "success")
            return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))
    elif request.method == "POST":
        status = 422 if error is None else 409
    return render_template("inquiries/introduce.html", pair=pair, form=form, error=error), status


@bp.route("/broker/desk")
@roles_required("broker", "operator")
def broker_desk():
    """我的撮合: the pairs and the deals assigned to the current broker, with filters."""
    tab = request.args.get("tab") if request.args.get("tab") in ("pairs", "deals") else "pairs"
    status, stage = request.args.get("status", ""), request.args.get("stage", "")
    page = request.args.get("page", 1, type=int)
    result = (
        board.desk_pairs(current_user, status, page) if tab == "pairs" else board.desk_deals(current_user, stage, page)
    )
    return render_template(
        "inquiries/broker_desk.html",
        tab=tab,
        status=status,
        stage=stage,
        page=result,
        stages=STAGES,
    )


@bp.route("/inquiries/<int:inquiry_id>/followups", methods=["POST"])
@login_required
def add_followup(inquiry_id):
    """The inquiry's broker (or an operator) logs a follow-up; both parties see it."""
    inquiry = load_inquiry(inquiry_id)
    if not followups.can_write(current_user, inquiry):
        abort(403)
    form = FollowupForm()
    if not form.validate():
        return render_detail(inquiry, followup_form=form, status=422)
    followups.add(inquiry, current_user, form.happened_on.data, form.note.data, form.next_step.data, form.next_on.data)
    db.session.commit()
    flash(_("已记录跟进，双方会收到通知。"), "success")
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id, _anchor="followups"))
