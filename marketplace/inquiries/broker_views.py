"""Views of brokers (技术经纪人): operators give the role and assign a broker to an inquiry."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import User
from ..extensions import db
from ..operators.decorators import operator_required
from . import bp, services
from .views import load_inquiry


def _safe_next(default):
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


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
