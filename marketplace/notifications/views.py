"""Views: the notification list (and the navigation badge), the settings page."""

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..dbsetup import writes_on_read
from ..extensions import db
from . import bp, services
from .forms import SettingsForm
from .kinds import GROUPS, KINDS, kinds_of
from .models import Notification

log = logging.getLogger(__name__)

PER_PAGE = 30


@bp.after_app_request
def _deliver_emails(response):
    """Send the e-mails of notifications a request created, once its transaction is committed."""
    session = db.session
    if session.info.pop(services.PENDING_FLAG, False) and not (session.new or session.dirty or session.deleted):
        try:
            if services.send_pending_emails():
                session.commit()
        except Exception:  # a failed e-mail must not turn a done request into an error
            log.exception("could not send notification e-mails")
            session.rollback()
    return response


@bp.route("/")
@login_required
@writes_on_read  # a GET that writes (read marks, audit entry): takes the write lock at BEGIN
def index():
    """The user's notifications, newest first, paginated; opening the page marks them read."""
    stmt = (
        db.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False)
    rows = [(n, services.text(n), services.link(n), n.read_at is None) for n in page.items]
    services.mark_all_read(current_user)
    db.session.commit()
    return render_template("notifications/index.html", rows=rows, page=page)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Each kind of notification on or off; e-mails at once, as a daily digest, or never."""
    setting = services.settings_for(current_user.id)
    form = SettingsForm()
    if request.method == "GET":
        disabled = set(setting.disabled_kinds or [])
        form.groups.data = [g for g in GROUPS if not set(kinds_of(g)) <= disabled]
        form.email_mode.data = setting.email_mode
    elif form.validate():
        enabled = set(form.groups.data or [])
        disabled = [kind for kind in KINDS if KINDS[kind][0] not in enabled]
        services.save_settings(current_user, disabled, form.email_mode.data)
        db.session.commit()
        flash(_("通知设置已保存。"), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form)
