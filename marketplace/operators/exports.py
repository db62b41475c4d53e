"""Operator view: download listings as CSV or XLSX (the columns of `flask listings export`)."""

import io
import logging

from flask import render_template, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import case, func
from wtforms import SelectField
from wtforms.validators import Optional

from .. import taxonomy
from ..audit import record
from ..dbsetup import writes_on_read
from ..extensions import db
from ..listings.models import Listing
from ..listings.visibility import expired_condition, market_today
from ..transfer.exporter import export_listings
from ..transfer.formats import MIME_TYPES
from . import bp
from .decorators import operator_required

log = logging.getLogger(__name__)

DOWNLOAD_FORMATS = [("xlsx", _l("Excel 表格（XLSX）")), ("csv", _l("CSV（UTF-8，Excel 可直接打开）"))]


class ExportForm(FlaskForm):
    """Read from the query string: a download changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("类型"), choices=[("", _l("全部"))] + taxonomy.choices(taxonomy.LISTING_KINDS), validators=[Optional()]
    )
    status = SelectField(
        _l("状态"), choices=[("", _l("全部"))] + taxonomy.choices(taxonomy.LISTING_STATUSES), validators=[Optional()]
    )
    format = SelectField(_l("文件格式"), choices=DOWNLOAD_FORMATS, default="xlsx")


def _counts():
    """{(kind, status): n}, a published listing past its validity counted as expired (as the export files it)."""
    status = case((expired_condition(), "expired"), else_=Listing.status)
    query = db.select(Listing.kind, status, func.count()).group_by(Listing.kind, status)
    rows = db.session.execute(query)
    return {(kind, status): n for kind, status, n in rows}


@bp.route("/exports")
@operator_required
@writes_on_read  # a GET that writes (read marks, audit entry): takes the write lock at BEGIN
def exports():
    """Choose kind, status and format; the same page answers with the file once a format is chosen."""
    form = ExportForm(formdata=request.args if request.args else None)
    if "format" in request.args and form.validate():
        fmt = form.format.data
        buffer = io.BytesIO()
        count = export_listings(buffer, fmt, kind=form.kind.data or None, status=form.status.data or None)
        buffer.seek(0)
        log.info(
            "operator %s exported %d listings (%s, kind=%s, status=%s)",
            current_user.id,
            count,
            fmt,
            form.kind.data,
            form.status.data,
        )
        record(
            "export.listings", target="listings", format=fmt, rows=count, kind=form.kind.data, status=form.status.data
        )
        db.session.commit()
        return send_file(
            buffer,
            mimetype=MIME_TYPES[fmt],
            as_attachment=True,
            download_name=f"listings-{market_today():%Y%m%d}.{fmt}",
        )
    return render_template("operators/exports.html", form=form, counts=_counts())
