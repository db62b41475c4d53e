"""Views of the deal pipeline: the parties (and the broker) move it; operators correct it."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..operators.decorators import operator_required
from . import bp, deals
from .forms import DealForm
from .pipeline import DEAL_TRANSITIONS, allowed_deal_actions
from .services import InquiryError
from .views import load_inquiry


@bp.app_context_processor
def _deal_helpers():
    def deal_actions(inquiry):
        """The moves the current user may make now, or [] (pages show only what exists)."""
        if not current_user.is_authenticated or not deals.can_move(current_user, inquiry):
            return []
        return allowed_deal_actions(inquiry.stage)

    return {"deal_actions": deal_actions, "deal_form": DealForm}


def _errors(form):
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


@bp.route("/inquiries/<int:inquiry_id>/deal", methods=["POST"])
@login_required
def deal_move(inquiry_id):
    """Move the deal one step (the stage the user saw travels with the form)."""
    inquiry = load_inquiry(inquiry_id)
    if not deals.can_move(current_user, inquiry):
        abort(403)
    action = request.form.get("action")
    if action not in DEAL_TRANSITIONS:
        abort(400)
    form = DealForm()
    if not form.validate():
        flash(_("未能更新交易进展：%(e)s", e=_errors(form)), "warning")
        return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id, _anchor="deal"))
    try:
        deals.move(inquiry, current_user, action, form.seen_stage.data, form.reason.data, form.contract())
        db.session.commit()
    except InquiryError as err:
        db.session.rollback()
        flash(str(err), "warning")
    else:
        flash(_("交易进展已更新，对方会收到通知。"), "success")
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id, _anchor="deal"))


@bp.route("/inquiries/<int:inquiry_id>/deal/correct", methods=["POST"])
@operator_required
def deal_correct(inquiry_id):
    """Operators correct the stage or the contract data; the correction and its reason are logged."""
    inquiry = load_inquiry(inquiry_id)
    form = DealForm()
    if not form.validate():
        flash(_("未能更正：%(e)s", e=_errors(form)), "warning")
        return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id, _anchor="deal"))
    try:
        deals.correct(inquiry, current_user, form.stage.data, form.contract(), form.reason.data)
        db.session.commit()
    except InquiryError as err:
        db.session.rollback()
        flash(str(err), "warning")
    else:
        flash(_("已更正交易信息，更正记录双方可见。"), "success")
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id, _anchor="deal"))
