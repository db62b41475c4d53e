"""Views of the accounts feature: register, sign in and out, passwords, profile, my organisation."""

import logging

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..extensions import db
from ..mail import send_mail
from ..privacy.services import record_consent
from ..security.throttle import client_ip, digest, minutes, rate_limit
from ..security.throttle import hit as throttle_hit
from ..urls import external_url
from ..verification.services import has_evidence
from . import bp, lockout
from .forms import (
    LoginForm,
    OrganisationForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from .organisations import can_request_verification, request_verification, update_organisation
from .security_events import emit
from .security_views import reauthenticated
from .services import (
    authenticate,
    change_password,
    end_session,
    find_user_by_email,
    hash_password,
    make_reset_token,
    register_user,
    reset_password,
    start_session,
    update_profile,
    user_from_reset_token,
)
from .validation import safe_next_url

log = logging.getLogger(__name__)


def _landing_url():
    return url_for("workspace.index")


def _user_agent():
    return request.headers.get("User-Agent", "")[:200]


@bp.route("/register", methods=["GET", "POST"])
@rate_limit("register", "REGISTER_RATE_LIMIT")
def register():
    """Create an account (with a new organisation or a pending membership of an existing one).

    New and already registered addresses get the same answer (no account enumeration): the new account's
    owner gets a welcome mail and signs in with the chosen password; the existing account's owner gets a
    notice instead, and nothing is created.
    """
    if current_user.is_authenticated:
        return redirect(_landing_url())
    form = RegisterForm()
    if form.validate_on_submit():
        existing = find_user_by_email(form.email.data)
        if existing is not None:
            hash_password(form.password.data)  # the same work as a real registration: timing tells nothing
            _send_existing_account_notice(existing)
        else:
            try:
                user = _register(form)
                record("account.register", user=user, target=user)
                record("privacy.consent", user=user, version=record_consent(user).policy_version)
                db.session.commit()
            except IntegrityError:  # the organisation name was registered a moment ago
                db.session.rollback()
                form.org_name.errors.append(_("该机构名称已被使用，请检查后重试。"))
                return render_template("accounts/register.html", form=form)
            _send_welcome_mail(user)
        flash(
            _(
                "注册申请已收到。我们已向 %(email)s 发送了一封邮件，请查收；新账号现在即可用您设置的密码登录。",
                email=form.email.data,
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form)


def _register(form):
    return register_user(
        email=form.email.data,
        password=form.password.data,
        name=form.name.data,
        role=form.role.data,
        phone=form.phone.data,
        new_organisation=form.new_organisation_fields() if form.creates_organisation else None,
        existing_organisation=None if form.creates_organisation else form.existing_organisation,
    )


def _send_welcome_mail(user):
    pending = ""
    if user.membership_status == "pending":
        pending = _(
            "您加入“%(org)s”的申请需要运营人员确认，确认前不能以该机构名义发布和对接。\n\n", org=user.organisation.name
        )
    body = _(
        "%(name)s，您好：\n\n您已在江西技术交易市场注册账号 %(email)s。请用注册时设置的密码登录：\n\n%(link)s\n\n"
        "%(pending)s江西省常设技术交易市场",
        name=user.name,
        email=user.email,
        link=external_url("accounts.login"),
        pending=pending,
    )
    send_mail(user.email, _("注册成功 · 江西技术交易市场"), body)


def _send_existing_account_notice(user):
    body = _(
        "%(name)s，您好：\n\n有人（可能是您本人）刚刚尝试用本邮箱在江西技术交易市场注册新账号。"
        "本邮箱已有账号，因此没有创建新账号，您的账号没有任何变化。\n\n"
        "如果是您本人，请直接登录：%(login)s\n忘记密码可以在这里重置：%(reset)s\n\n"
        "如果不是您本人，请忽略本邮件。\n\n江西省常设技术交易市场",
        name=user.name,
        login=external_url("accounts.login"),
        reset=external_url("accounts.reset_request"),
    )
    send_mail(user.email, _("有人尝试用您的邮箱注册 · 江西技术交易市场"), body)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in; a new session each time. Unknown email, wrong password and disabled account look the same.

    Too many failures lock the address (and a noisy IP) for a while: the password is then not even checked."""
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or _landing_url())
    form = LoginForm()
    if form.validate_on_submit():
        email, ip = form.email.data, client_ip()
        wait, attempt = lockout.begin_attempt(email, ip)
        if wait:  # locked: the password is not even checked
            form.form_errors.append(_locked_message(wait))
            return render_template("accounts/login.html", form=form, next_url=next_url), 429
        user = authenticate(email, form.password.data)
        if user is not None:
            lockout.record_success(email, ip)
            start_session(user, remember=form.remember.data, user_agent=_user_agent(), ip_address=ip)
            record("auth.login", user=user)
            db.session.commit()
            flash(_("欢迎回来，%(name)s。", name=user.name), "success")
            return redirect(next_url or _landing_url())
        log.info("failed sign-in attempt")
        wait = _count_failure(email, ip, attempt)
        record("auth.login", outcome="failure", email=email)
        db.session.commit()
        form.form_errors.append(_locked_message(wait) if wait else _("邮箱或密码不正确，或账号已被停用。"))
    return render_template("accounts/login.html", form=form, next_url=next_url)


def _locked_message(seconds):
    return _(
        "登录失败次数过多，该账号（或您的网络地址）已被暂时锁定，"
        "请在 %(minutes)s 分钟后再试。如忘记密码，可以重置密码。",
        minutes=minutes(seconds),
    )


def _count_failure(email, ip, attempt):
    """Count the failure; when it locks the account, tell its owner by e-mail. Returns the lock's seconds."""
    wait, account_locked = lockout.record_failure(email, ip, attempt)
    if account_locked:
        owner = find_user_by_email(email)
        emit("login_lockout", user=owner, outcome="locked", ip=ip, seconds=wait)
        if owner is not None:
            _send_lockout_mail(owner, wait)
    return wait


def _send_lockout_mail(user, seconds):
    body = _(
        "%(name)s，您好：\n\n您在江西技术交易市场的账号因连续多次密码错误，已被锁定 %(minutes)s 分钟，"
        "期间无法登录。\n\n如果是您本人输错了密码，请稍后再试，或重置密码：%(reset)s\n"
        "如果不是您本人的操作，可能有人在尝试猜测您的密码，建议您重置密码，并联系平台运营人员。\n\n江西省常设技术交易市场",
        name=user.name,
        minutes=minutes(seconds),
        reset=external_url("accounts.reset_request"),
    )
    send_mail(user.email, _("账号已被暂时锁定 · 江西技术交易市场"), body)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out this browser; its old session cookie stops working."""
    if current_user.is_authenticated:
        record("auth.logout")
        end_session(current_user)
        db.session.commit()
        flash(_("您已退出登录。"), "info")
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the password; every other signed-in browser is signed out, this one stays."""
    form = PasswordChangeForm(current_user)
    if form.validate_on_submit() and reauthenticated(form):
        change_password(current_user, form.password.data, keep_token=current_user.get_id())
        record("auth.password_change", target=current_user)
        db.session.commit()
        flash(_("密码已修改，其他设备上的登录已全部退出。"), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@rate_limit("reset", "RESET_RATE_LIMIT")
def reset_request():
    """Ask for a reset link by email; the answer is the same whether or not the email is registered."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        # At most RESET_EMAIL_RATE_LIMIT mails per address: nobody can flood a mailbox; the answer stays the same.
        flooded = throttle_hit("reset-email", digest(form.email.data), "RESET_EMAIL_RATE_LIMIT")
        if user is not None and not user.is_disabled and not flooded:
            _send_reset_mail(user)
        record("auth.password_reset_request", target=user, email=form.email.data)
        db.session.commit()
        flash(
            _(
                "如果该邮箱已在本平台注册，我们已向它发送了重置密码的链接，请查收邮件（%(minutes)s 分钟内有效）。",
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


def _send_reset_mail(user):
    link = external_url("accounts.reset_with_token", token=make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    body = _(
        "%(name)s，您好：\n\n我们收到了重置您在江西技术交易市场账号密码的请求。"
        "请在 %(minutes)s 分钟内打开下面的链接设置新密码：\n\n"
        "%(link)s\n\n如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n\n江西省常设技术交易市场",
        name=user.name,
        minutes=minutes,
        link=link,
    )
    send_mail(user.email, _("重置密码 · 江西技术交易市场"), body)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_token(token):
    """Set a new password from an emailed link; the link works once and signs out every browser."""
    user, problem = user_from_reset_token(token)
    if user is None:
        message = (
            _("重置链接已过期，请重新申请。") if problem == "expired" else _("重置链接无效或已使用过，请重新申请。")
        )
        return render_template("accounts/reset_invalid.html", message=message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        reset_password(user, form.password.data)
        record("auth.password_reset", user=user, target=user)
        db.session.commit()
        flash(_("密码已重置，请使用新密码登录。"), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """My name, phone and interface language."""
    form = ProfileForm(obj=current_user)
    if request.method == "GET" and not current_user.locale:
        form.locale.data = "zh"
    if form.validate_on_submit():
        update_profile(current_user, form.name.data, form.phone.data, form.locale.data)
        record("account.profile_update", target=current_user)
        db.session.commit()
        session["lang"] = form.locale.data
        flash(_("个人资料已保存。"), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/organisation", methods=["GET", "POST"])
@login_required
def organisation():
    """My organisation: members see it; confirmed members edit it (identity edits undo verification)."""
    org = current_user.organisation
    form = OrganisationForm(org)
    if form.is_submitted() and not current_user.is_active_member:
        abort(403)
    if form.validate_on_submit():
        try:
            lost = update_organisation(org, qualifications=form.qualifications.data, **form.changed_fields())
            record("org.update", target=org, verification_lost=lost)
            db.session.commit()
        except IntegrityError:  # another organisation took the name a moment ago
            db.session.rollback()
            form.name.errors.append(_("该机构名称已被使用。"))
            return _render_organisation(org, form)
        if lost:
            flash(
                _("机构信息已保存。由于修改了名称、类型、地区或统一社会信用代码，机构已变为“未认证”，请重新申请认证。"),
                "warning",
            )
        else:
            flash(_("机构信息已保存。"), "success")
        return redirect(url_for("accounts.organisation"))
    return _render_organisation(org, form)


def _render_organisation(org, form):
    members = sorted(org.members, key=lambda m: (m.membership_status != "active", m.name))
    return render_template(
        "accounts/organisation.html",
        org=org,
        form=form,
        members=members,
        can_request=can_request_verification(org) and current_user.is_active_member,
    )


@bp.route("/organisation/verification", methods=["POST"])
@login_required
def organisation_verification():
    """Ask the operators to verify my organisation."""
    org = current_user.organisation
    if not current_user.is_active_member:
        abort(403)
    if not can_request_verification(org):
        flash(_("当前状态下不能申请认证。"), "warning")
        return redirect(url_for("accounts.organisation"))
    if not has_evidence(org):  # verification needs the 营业执照 / 法人证书 and the credit code
        return redirect(url_for("verification.request_page"))
    request_verification(org)
    record("org.verification_request", target=org)
    db.session.commit()
    flash(_("认证申请已提交，运营人员审核后会更新机构的认证状态。"), "success")
    return redirect(url_for("accounts.organisation"))
