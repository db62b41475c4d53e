"""Views of analytics: operators' funnel and deal charts (with tables and CSV/XLSX exports); owners' figures."""

import io

from flask import abort, render_template, send_file
from flask_login import current_user, login_required

from ..listings.services import market_today
from ..operators.decorators import operator_required
from ..transfer.formats import MIME_TYPES, write_rows
from . import analytics, bp, listing_views

bp.after_app_request(listing_views.count_view)


@bp.route("/ops/analytics")
@operator_required
def analytics_page():
    """Every chart with its table beside it; the chart data comes from the same rows as the tables."""
    return render_template("inquiries/analytics.html", reports=analytics.all_reports())


@bp.route("/ops/analytics/<key>.<any(csv,xlsx):fmt>")
@operator_required
def analytics_export(key, fmt):
    """One report as CSV or XLSX (the table's header and rows)."""
    build = analytics.REPORTS.get(key)
    if build is None:
        abort(404)
    report = build()
    columns = [str(c) for c in report["columns"]]
    buffer = io.BytesIO()
    write_rows([dict(zip(columns, row, strict=True)) for row in report["rows"]], columns, fmt, buffer)
    buffer.seek(0)
    return send_file(
        buffer, mimetype=MIME_TYPES[fmt], as_attachment=True, download_name=f"{key}-{market_today():%Y%m%d}.{fmt}"
    )


@bp.route("/me/analytics")
@login_required
def owner_analytics():
    """My listings: followers, inquiries received and their outcome, registered deals."""
    return render_template("inquiries/owner_analytics.html", rows=analytics.owner_rows(current_user))
