"""Operator views: users (disable, enable, confirm memberships)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import taxonomy
from ..accounts import lockout
from ..accounts.models import User
from ..accounts.security_events import emit
from ..accounts.services import approve_membership, disable_user, enable_user
from ..accounts.validation import safe_next_url
from ..audit import record
from ..extensions import db
from ..pagination import paginate
from ..privacy.services import is_deleted
from ..security.throttle import minutes
from ..text import clean_text
from . import bp
from .decorators import operator_required
from .queries import contains_text

PER_PAGE = 30
USER_STATUSES = ("active", "disabled", "pending")


def user_filters(args):
    return {
        "role": args.get("role") if args.get("role") in taxonomy.ROLES else None,
        "status": args.get("status") if args.get("status") in USER_STATUSES else None,
        "q": clean_text(args.get("q", ""))[:100],
    }


def users_query(filters):
    """Users matching the filters, those waiting for membership confirmation first, then newest."""
    stmt = db.select(User)
    if filters["role"]:
        stmt = stmt.where(User.role == filters["role"])
    if filters["status"] == "active":
        stmt = stmt.where(User.is_disabled.is_(False))
    elif filters["status"] == "disabled":
        stmt = stmt.where(User.is_disabled.is_(True))
    elif filters["status"] == "pending":
        stmt = stmt.where(User.membership_status == "pending")
    if filters["q"]:
        stmt = stmt.where(contains_text(filters["q"], User.name, User.email))
    return stmt.order_by(User.membership_status.desc(), User.created_at.desc(), User.id.desc())


def _back():
    return redirect(safe_next_url(request.form.get("next")) or url_for("operators.users"))


@bp.route("/users")
@operator_required
def users():
    """All accounts with filters by role, status and a name/email search."""
    filters = user_filters(request.args)
    page = paginate(users_query(filters), per_page=PER_PAGE)
    locks = lockout.locks_of([user.email for user in page.items])
    return render_template(
        "operators/users.html",
        page=page,
        filters=filters,
        statuses=_status_labels(),
        locks={email: minutes(seconds) for email, seconds in locks.items()},
    )


def _status_labels():
    return {"active": _("正常"), "disabled": _("已停用"), "pending": _("成员身份待确认")}


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@operator_required
def disable(user_id):
    """Disable an account; its browsers are signed out at once."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("不能停用自己的账号。"), "danger")
        return _back()
    disable_user(user, current_user)
    record("user.disable", target=user)
    db.session.commit()
    flash(_("已停用账号 %(email)s，该账号已在所有设备上退出登录。", email=user.email), "warning")
    return _back()


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@operator_required
def enable(user_id):
    """Enable a disabled account again."""
    user = db.get_or_404(User, user_id)
    if is_deleted(user):  # a deleted account holds no personal data and stays closed
        flash(_("该账号已由本人注销，不能重新启用。"), "warning")
        return _back()
    enable_user(user, current_user)
    record("user.enable", target=user)
    db.session.commit()
    flash(_("已启用账号 %(email)s。", email=user.email), "success")
    return _back()


@bp.route("/users/<int:user_id>/approve", methods=["POST"])
@operator_required
def approve(user_id):
    """Confirm a user's membership of the organisation they joined."""
    user = db.get_or_404(User, user_id)
    approve_membership(user, current_user)
    record("user.membership_approve", target=user, organisation=user.organisation.name)
    db.session.commit()
    flash(_("已确认 %(name)s 为“%(org)s”的成员。", name=user.name, org=user.organisation.name), "success")
    return _back()


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@operator_required
def unlock(user_id):
    """Lift a sign-in lockout (too many wrong passwords) before it runs out."""
    user = db.get_or_404(User, user_id)
    lockout.unlock(user.email)
    emit("login_unlocked", user=user, outcome="unlocked", operator=current_user.id)
    flash(_("已解除 %(email)s 的登录锁定。", email=user.email), "success")
    return _back()
