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
from ..templating import has_endpoint
from ..urls import external_url
from ..verification.services import has_evidence
from . import bp
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
from .services import (
    authenticate,
    change_password,
    end_session,
    find_user_by_email,
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
    return url_for("workspace.index") if has_endpoint("workspace.index") else url_for("main.index")


def _user_agent():
    return request.headers.get("User-Agent", "")[:200]


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account (with a new organisation or a pending membership of an existing one), then sign in."""
    if current_user.is_authenticated:
        return redirect(_landing_url())
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_user(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                role=form.role.data,
                phone=form.phone.data,
                new_organisation=form.new_organisation_fields() if form.creates_organisation else None,
                existing_organisation=None if form.creates_organisation else form.existing_organisation,
            )
        except IntegrityError:  # the same email or organisation name was registered a moment ago
            db.session.rollback()
            form.email.errors.append(_("该邮箱已注册，或机构名称已被使用，请检查后重试。"))
            return render_template("accounts/register.html", form=form)
        start_session(user, user_agent=_user_agent())
        record("account.register", user=user, target=user)
        record("privacy.consent", user=user, version=record_consent(user).policy_version)
        db.session.commit()
        if user.membership_status == "pending":
            flash(_("注册成功。您加入“%(org)s”的申请需要运营人员确认，确认前不能以该机构名义发布和对接。",
                    org=user.organisation.name), "info")
        else:
            flash(_("注册成功，欢迎加入江西技术交易市场！"), "success")
        return redirect(_landing_url())
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in; a new session each time. Unknown email, wrong password and disabled account look the same."""
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or _landing_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data, user_agent=_user_agent())
            record("auth.login", user=user)
            db.session.commit()
            flash(_("欢迎回来，%(name)s。", name=user.name), "success")
            return redirect(next_url or _landing_url())
        log.info("failed sign-in attempt")
        record("auth.login", outcome="failure", email=form.email.data)
        db.session.commit()
        form.form_errors.append(_("邮箱或密码不正确，或账号已被停用。"))
    return render_template("accounts/login.html", form=form, next_url=next_url)


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
    if form.validate_on_submit():
        change_password(current_user, form.password.data, keep_token=current_user.get_id())
        record("auth.password_change", target=current_user)
        db.session.commit()
        flash(_("密码已修改，其他设备上的登录已全部退出。"), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a reset link by email; the answer is the same whether or not the email is registered."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is not None and not user.is_disabled:
            _send_reset_mail(user)
        record("auth.password_reset_request", target=user, email=form.email.data)
        db.session.commit()
        flash(_("如果该邮箱已在本平台注册，我们已向它发送了重置密码的链接，请查收邮件（%(minutes)s 分钟内有效）。",
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


def _send_reset_mail(user):
    link = external_url("accounts.reset_with_token", token=make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    body = _(
        "%(name)s，您好：\n\n我们收到了重置您在江西技术交易市场账号密码的请求。"
        "请在 %(minutes)s 分钟内打开下面的链接设置新密码：\n\n"
        "%(link)s\n\n如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n\n江西省常设技术交易市场",
        name=user.name, minutes=minutes, link=link,
    )
    send_mail(user.email, _("重置密码 · 江西技术交易市场"), body)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_token(token):
    """Set a new password from an emailed link; the link works once and signs out every browser."""
    user, problem = user_from_reset_token(token)
    if user is None:
        message = (_("重置链接已过期，请重新申请。") if problem == "expired"
                   else _("重置链接无效或已使用过，请重新申请。"))
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
            flash(_("机构信息已保存。由于修改了名称、类型、地区或统一社会信用代码，机构已变为“未认证”，请重新申请认证。"),
                  "warning")
        else:
            flash(_("机构信息已保存。"), "success")
        return redirect(url_for("accounts.organisation"))
    return _render_organisation(org, form)


def _render_organisation(org, form):
    members = sorted(org.members, key=lambda m: (m.membership_status != "active", m.name))
    return render_template("accounts/organisation.html", org=org, form=form, members=members,
                           can_request=can_request_verification(org) and current_user.is_active_member)


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
