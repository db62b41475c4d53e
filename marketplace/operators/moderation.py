"""Operator views: the moderation queue of submitted listings and pending revisions, and the review page."""

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, or_

from .. import taxonomy
from ..extensions import db
from ..listings import fields, services
from ..listings.access import load_listing
from ..listings.forms import ReasonForm
from ..listings.models import Listing
from ..pagination import paginate
from . import bp
from .decorators import operator_required

log = logging.getLogger(__name__)

QUEUE_TYPES = ("new", "revision")
DECISIONS = {
    ("listing", "approve"): services.approve_listing,
    ("listing", "reject"): services.reject_listing,
    ("revision", "approve"): services.approve_revision,
    ("revision", "reject"): services.reject_revision,
}


def _is_revision():
    return db.and_(Listing.status == "published", Listing.revision_submitted_at.is_not(None))


def queue_query(kind=None, industry=None, region=None, queue_type=None):
    """Submitted listings and pending revisions, oldest waiting first."""
    is_new = Listing.status == "submitted"
    if queue_type == "new":
        stmt = db.select(Listing).where(is_new)
    elif queue_type == "revision":
        stmt = db.select(Listing).where(_is_revision())
    else:
        stmt = db.select(Listing).where(or_(is_new, _is_revision()))
    if kind:
        stmt = stmt.where(Listing.kind == kind)
    if industry:
        stmt = stmt.where(Listing.industry == industry)
    if region:
        stmt = stmt.where(Listing.region == region)
    # Imported rows may lack submitted_at: fall back to created_at so NULLs sort the same on every database.
    waiting_since = func.coalesce(
        case((is_new, Listing.submitted_at), else_=Listing.revision_submitted_at), Listing.created_at
    )
    return stmt.order_by(waiting_since.asc(), Listing.id.asc())


def _queue_filters():
    args = request.args
    return {
        "kind": args.get("kind") if args.get("kind") in taxonomy.LISTING_KINDS else None,
        "industry": args.get("industry") if args.get("industry") in taxonomy.INDUSTRIES else None,
        "region": args.get("region") if args.get("region") in taxonomy.REGIONS else None,
        "queue_type": args.get("type") if args.get("type") in QUEUE_TYPES else None,
    }


@bp.route("/moderation")
@operator_required
def moderation():
    """The moderation queue with filters (kind, industry, region, new or revision), oldest first."""
    filters = _queue_filters()
    page = paginate(queue_query(**filters))
    return render_template("operators/moderation.html", page=page, filters=filters)


def _review_context(listing, form):
    is_revision = listing.status == "published" and listing.revision_submitted_at is not None
    return dict(
        listing=listing,
        form=form,
        is_revision=is_revision,
        in_queue=listing.status == "submitted" or is_revision,
        rows=[(fields.LABELS[n], fields.display(n, v)) for n, v in fields.current_values(listing).items()],
        changes=services.revision_changes(listing) if is_revision else [],
        event_labels=fields.EVENT_ACTIONS,
    )


@bp.route("/moderation/<int:listing_id>")
@operator_required
def moderation_review(listing_id):
    """The whole listing (for a revision: field-by-field old -> new) with approve / reject."""
    listing = db.session.get(Listing, listing_id) or abort(404)
    return render_template("operators/moderation_review.html", **_review_context(listing, ReasonForm()))


@bp.route("/moderation/<int:listing_id>/decide", methods=["POST"])
@operator_required
def moderation_decide(listing_id):
    """Approve or reject a submitted listing or a pending revision; rejecting needs a reason."""
    listing = load_listing(listing_id, lock=True)
    form = ReasonForm()
    decision = request.form.get("decision")
    target = "revision" if request.form.get("target") == "revision" else "listing"
    action = DECISIONS.get((target, decision))
    if action is None:
        abort(400)
    if form.validate():
        if decision == "reject" and not form.reason.data:
            form.reason.errors.append(_("驳回时请填写原因，发布者会看到它。"))
        else:
            try:
                action(listing, current_user, form.reason.data or None)
            except services.ListingError as err:
                flash(str(err), "warning")
                return redirect(url_for("operators.moderation_review", listing_id=listing.id))
            db.session.commit()
            flash(_DONE[(target, decision)](), "success")
            return redirect(url_for("operators.moderation"))
    return render_template("operators/moderation_review.html", **_review_context(listing, form)), 422


_DONE = {
    ("listing", "approve"): lambda: _("已通过审核并公开。"),
    ("listing", "reject"): lambda: _("已驳回，发布者会看到驳回原因。"),
    ("revision", "approve"): lambda: _("修改已通过，公开页面已更新。"),
    ("revision", "reject"): lambda: _("修改已驳回，公开页面保持原版本。"),
}
