"""The signed-in user's workspace: their listings by state, and where their organisation stands."""

from flask import render_template, request
from flask_login import current_user, login_required

from .. import taxonomy
from ..extensions import db
from ..listings.models import Listing
from ..listings.queries import owner_status_counts
from ..pagination import paginate
from . import bp


@bp.route("/")
@login_required
def index():
    """My listings grouped by state (tabs with counts), with the next steps for my role and organisation."""
    status = request.args.get("status")
    if status not in taxonomy.LISTING_STATUSES:
        status = None
    # One grouped count gives the tabs, the total and the revisions awaiting review; the page reuses it.
    rows = db.session.execute(owner_status_counts(current_user.id)).all()
    counts = {row[0]: row[1] for row in rows}
    pending_revisions = sum(row[2] for row in rows)
    stmt = db.select(Listing).where(Listing.owner_id == current_user.id)
    if status:
        stmt = stmt.where(Listing.status == status)
    total = sum(counts.values())
    page = paginate(
        stmt.order_by(Listing.updated_at.desc(), Listing.id.desc()), total=counts.get(status, 0) if status else total
    )
    create_kind = {"researcher": "achievement", "company": "need"}.get(current_user.role)
    return render_template(
        "workspace/index.html",
        page=page,
        counts=counts,
        total=total,
        status=status,
        pending_revisions=pending_revisions,
        create_kind=create_kind,
        org=current_user.organisation,
    )
