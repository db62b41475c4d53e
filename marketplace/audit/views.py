"""Operators' audit log: search with pagination, export as CSV or XLSX. No route changes or deletes an entry."""

import io
import json

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _

from ..dbsetup import writes_on_read
from ..extensions import db
from ..models_base import utcnow
from ..operators.decorators import operator_required
from ..templating import local_time
from ..transfer.formats import MIME_TYPES, write_rows
from .events import EVENTS, event_label, outcome_label
from .forms import AuditSearchForm
from .services import record, search_query

bp = Blueprint("audit", __name__)

EXPORT_FORMATS = ("csv", "xlsx")


def _render(form, page):
    export_args = {k: v for k, v in request.args.items() if k not in ("page", "format")}
    return render_template(
        "audit/index.html",
        form=form,
        page=page,
        event_label=event_label,
        outcome_label=outcome_label,
        known_events=EVENTS,
        export_args=export_args,
    )


def _search_form():
    form = AuditSearchForm(formdata=request.args)
    valid = form.validate()
    return form, (form.filters() if valid else None)


@bp.route("/")
@operator_required
def index():
    """Search the audit log by who, event, outcome, date range and IP address; newest first."""
    form, filters = _search_form()
    page = None
    if filters is not None:
        page = db.paginate(
            search_query(**filters),
            page=request.args.get("page", 1, type=int),
            per_page=current_app.config["AUDIT_PER_PAGE"],
            error_out=False,
            count=True,
        )
    return _render(form, page), (200 if page is not None else 400)


def export_columns():
    return [
        _("时间（北京时间）"),
        _("事件"),
        _("事件代码"),
        _("结果"),
        _("用户编号"),
        _("用户邮箱"),
        _("IP 地址"),
        _("浏览器（User-Agent）"),
        _("对象"),
        _("详情"),
    ]


def export_row(entry, columns, labels=None):
    """One entry as a row; `labels` caches the translated names of codes across the rows of one export."""
    labels = {} if labels is None else labels
    if entry.event not in labels:
        labels[entry.event] = event_label(entry.event)
    if "outcome:" + entry.outcome not in labels:
        labels["outcome:" + entry.outcome] = outcome_label(entry.outcome)
    values = [
        local_time(entry.created_at, "%Y-%m-%d %H:%M:%S"),
        labels[entry.event],
        entry.event,
        labels["outcome:" + entry.outcome],
        entry.actor_id,
        entry.actor_email,
        entry.ip,
        entry.user_agent,
        entry.target,
        json.dumps(entry.details or {}, ensure_ascii=False),
    ]
    return dict(zip(columns, values, strict=True))


@bp.route("/export")
@operator_required
@writes_on_read  # a GET that writes (read marks, audit entry): takes the write lock at BEGIN
def export():
    """The entries matching the search as CSV or XLSX; the download itself is recorded."""
    form, filters = _search_form()
    fmt = request.args.get("format")
    if filters is None or fmt not in EXPORT_FORMATS:
        return _render(form, None), 400
    columns = export_columns()
    stream = db.session.execute(search_query(**filters).execution_options(yield_per=1000)).scalars()
    buffer = io.BytesIO()
    count = 0
    labels = {}

    def rows():
        nonlocal count
        for entry in stream:
            count += 1
            yield export_row(entry, columns, labels)

    write_rows(rows(), columns, fmt, buffer, sheet="audit")
    record(
        "export.audit", target="audit_log", format=fmt, rows=count, filters={k: str(v) for k, v in filters.items() if v}
    )
    db.session.commit()
    buffer.seek(0)
    response = send_file(
        buffer,
        mimetype=MIME_TYPES[fmt],
        as_attachment=True,
        download_name=f"audit-{local_time(utcnow(), '%Y%m%d-%H%M')}.{fmt}",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
