"""Views of abuse control: block the other side of an inquiry, report a listing or a message, the operators'
report queue."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..listings.access import load_visible_listing
from ..operators.decorators import operator_required
from . import abuse, bp
from .models import Message, Report
from .services import InquiryError
from .views import load_inquiry

PER_PAGE = 30


def _done(action, success, target):
    """Run a service call, commit once, flash its outcome, redirect."""
    try:
        result = action()
        db.session.commit()
    except InquiryError as err:
        db.session.rollback()
        flash(str(err), "warning")
    else:
        flash(success(result), "success")
    return redirect(target)


@bp.route("/inquiries/<int:inquiry_id>/block", methods=["POST"])
@login_required
def block(inquiry_id):
    """One party blocks (or unblocks) the other: no new inquiries, no more messages between them."""
    inquiry = load_inquiry(inquiry_id)
    if not inquiry.is_party(current_user):
        abort(403)
    return _done(
        lambda: abuse.toggle_block(current_user, inquiry.other_party(current_user)),
        lambda now: _("已屏蔽对方。") if now else _("已取消屏蔽。"),
        url_for("inquiries.detail", inquiry_id=inquiry.id),
    )


@bp.route("/reports/listing/<int:listing_id>", methods=["POST"])
@login_required
def report_listing(listing_id):
    """Report a listing to the operators."""
    listing = load_visible_listing(listing_id)
    return _done(
        lambda: abuse.report(current_user, request.form.get("reason"), listing=listing),
        lambda _r: _("已提交举报，运营人员会尽快处理。"),
        url_for("listings.detail", kind=listing.kind, listing_id=listing.id),
    )


@bp.route("/reports/message/<int:message_id>", methods=["POST"])
@login_required
def report_message(message_id):
    """Report a message of a thread the user can read."""
    message = db.session.get(Message, message_id) or abort(404)
    inquiry = load_inquiry(message.inquiry_id)
    return _done(
        lambda: abuse.report(current_user, request.form.get("reason"), message=message),
        lambda _r: _("已提交举报，运营人员会尽快处理。"),
        url_for("inquiries.detail", inquiry_id=inquiry.id),
    )


@bp.route("/ops/reports")
@operator_required
def reports():
    """The report queue: open reports first (oldest first), then the resolved ones."""
    stmt = db.select(Report).order_by((Report.status == "open").desc(), Report.created_at.asc(), Report.id)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)
    return render_template("inquiries/reports.html", page=page, resolutions=abuse.RESOLUTIONS)


@bp.route("/ops/reports/<int:report_id>/resolve", methods=["POST"])
@operator_required
def resolve_report(report_id):
    """Hide the content, warn or disable its author, or dismiss the report."""
    item = db.session.get(Report, report_id) or abort(404)
    return _done(
        lambda: abuse.resolve(item, current_user, request.form.get("resolution"), request.form.get("note")),
        lambda _r: _("举报已处理。"),
        url_for("inquiries.reports"),
    )
