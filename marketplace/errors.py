"""Error pages in Chinese for people, JSON with a reason for the API."""

import logging

from flask import current_app, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .dbsetup import is_busy, read_only
from .extensions import db

log = logging.getLogger(__name__)


def _wants_json():
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json" and not request.accept_mimetypes.accept_html
    )


def _messages():
    return {
        400: _("请求无效，请检查后重试。"),
        403: _("您没有权限执行此操作。"),
        404: _("页面不存在，或内容已下线。"),
        405: _("不支持该请求方式。"),
        413: _("上传的文件过大，请压缩后重试。"),
        429: _("请求过于频繁，请稍后再试。"),
        503: _("系统正忙，请稍后再试。"),
        500: _("服务器出错了，我们已记录此问题，请稍后再试。"),
    }


def render_error(code, message=None):
    message = message or _messages().get(code, _("请求无法完成。"))
    if _wants_json():
        return jsonify(error=message, status=code), code
    if request_ctx.url_adapter is None:  # an untrusted Host header: no URLs can be built for a page
        return message, code, {"Content-Type": "text/plain; charset=utf-8"}
    try:
        return render_template("errors/error.html", code=code, message=message), code
    except Exception:  # the error page itself failed: still answer, never a traceback
        log.exception("error page failed to render")
        return message, code, {"Content-Type": "text/plain; charset=utf-8"}


def _kept_fields():
    """The posted fields to offer again on the busy page (not passwords, not the old CSRF token)."""
    return [
        (name, value)
        for name, values in request.form.lists()
        for value in values
        if name != "csrf_token" and "password" not in name.lower()
    ]


def render_busy():
    """503 + Retry-After when the database stayed busy: nothing was saved; a form post is offered again as is."""
    retry = str(current_app.config["BUSY_RETRY_AFTER_SECONDS"])
    headers = {"Retry-After": retry, "Cache-Control": "no-store"}
    with read_only():  # the page itself (signed-in user, language, navigation) must not queue for the lock again
        message = _("系统正忙，您的操作尚未保存，请稍后重试。")
        if _wants_json() or request.method in ("GET", "HEAD", "OPTIONS"):
            body, code = render_error(503, message)
            return body, code, headers
        return _render_busy_form(message, headers)


def _render_busy_form(message, headers):
    try:
        body = render_template(
            "errors/busy.html",
            message=message,
            fields=_kept_fields(),
            had_files=bool(request.files),
            dropped_password=any("password" in name.lower() for name in request.form),
        )
    except Exception:  # still answer 503, never a traceback
        log.exception("busy page failed to render")
        return message, 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}
    return body, 503, headers


def register(app):
    @app.errorhandler(OperationalError)
    def database_error(err):
        db.session.rollback()
        if is_busy(err):
            log.warning("database busy on %s %s: answered 503", request.method, request.path)
            return render_busy()
        log.exception("database error on %s %s", request.method, request.path)
        return render_error(500)

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return render_error(400, _("页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。"))

    @app.errorhandler(HTTPException)
    def http_error(err):
        return render_error(err.code or 500, _messages().get(err.code))

    @app.errorhandler(Exception)
    def unhandled(err):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500)
