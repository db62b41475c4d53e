"""Account security pages: my devices (登录设备) with sign-out of each, and changing the sign-in e-mail.

Changing the e-mail or the password needs the current password (re-authentication), counted by the same
throttle as signing in, so a borrowed or stolen session cannot guess it either.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..extensions import db
from ..mail import send_mail
from ..security.throttle import client_ip, minutes
from ..urls import external_url
from . import bp, lockout, sessions
from .forms import EmailChangeForm
from .models import AuthSession
from .security_events import emit
from .services import change_email, check_password, find_user_by_email


def reauthenticated(form):
    """True when form.current_password is the user's password; wrong guesses count towards the lockout."""
    email, ip = current_user.email, client_ip()
    wait, attempt = lockout.begin_attempt(email, ip)
    if not wait and check_password(current_user, form.current_password.data or ""):
        lockout.record_success(email, ip)
        return True
    if not wait:
        wait, locked = lockout.record_failure(email, ip, attempt)
        if locked:
            emit("login_lockout", user=current_user, outcome="locked", ip=ip, seconds=wait)
    record("auth.reauthenticate", user=current_user, outcome="failure")
    db.session.commit()  # the failure and any lockout stay in the audit log although the form is refused
    form.current_password.errors.append(
        _("尝试次数过多，请在 %(minutes)s 分钟后再试。", minutes=minutes(wait)) if wait else _("当前密码不正确。")
    )
    return False


def load_own_session(session_id):
    """The current user's session with that id: 404 when it does not exist, 403 when it is someone else's."""
    auth = db.session.get(AuthSession, session_id)
    if auth is None:
        abort(404)
    if auth.user_id != current_user.id:
        abort(403)
    return auth


@bp.route("/sessions")
@login_required
def devices():
    """My devices: every browser signed in to my account, with sign-out of each."""
    return render_template(
        "accounts/sessions.html",
        sessions=sessions.active_sessions(current_user),
        current_token=current_user.get_id(),
        device_label=sessions.device_label,
    )


@bp.route("/sessions/<int:session_id>/revoke", methods=["POST"])
@login_required
def revoke_device(session_id):
    """Sign out one of my browsers (this one too, if chosen)."""
    auth = load_own_session(session_id)
    this_browser = auth.token == current_user.get_id()
    sessions.revoke(current_user, auth)
    db.session.commit()
    if this_browser:
        flash(_("已退出当前设备。"), "info")
        return redirect(url_for("accounts.login"))
    flash(_("已让该设备退出登录。"), "success")
    return redirect(url_for("accounts.devices"))


@bp.route("/sessions/revoke-others", methods=["POST"])
@login_required
def revoke_other_devices():
    """Sign out every browser but this one."""
    count = sessions.revoke_others(current_user, current_user.get_id())
    db.session.commit()
    flash(_("已让其他 %(n)s 个设备退出登录。", n=count), "success")
    return redirect(url_for("accounts.devices"))


@bp.route("/email", methods=["GET", "POST"])
@login_required
def email():
    """Change the sign-in e-mail, after the current password; both addresses are told."""
    form = EmailChangeForm()
    if form.validate_on_submit() and reauthenticated(form):
        old = current_user.email
        taken = find_user_by_email(form.email.data)
        if taken is not None:
            form.email.errors.append(_("该邮箱已被其他账号使用。"))
        else:
            try:
                change_email(current_user, form.email.data)
                db.session.commit()
            except IntegrityError:  # taken a moment ago
                db.session.rollback()
                form.email.errors.append(_("该邮箱已被其他账号使用。"))
                return render_template("accounts/email.html", form=form)
            emit("email_changed", user=current_user, outcome="changed")
            _send_email_change_notices(current_user, old)
            flash(_("登录邮箱已改为 %(email)s。", email=current_user.email), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/email.html", form=form)


def _send_email_change_notices(user, old):
    body = _(
        "%(name)s，您好：\n\n您在江西技术交易市场的登录邮箱已从 %(old)s 改为 %(new)s。\n\n"
        "如果这不是您本人的操作，请立即联系平台运营人员，并重置密码：%(reset)s\n\n江西省常设技术交易市场",
        name=user.name,
        old=old,
        new=user.email,
        reset=external_url("accounts.reset_request"),
    )
    send_mail(old, _("登录邮箱已修改 · 江西技术交易市场"), body)
    send_mail(user.email, _("登录邮箱已修改 · 江西技术交易市场"), body)
