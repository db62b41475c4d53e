"""Privacy policy, collection list, and the account's privacy page: download my data, delete my account."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.services import end_session
from ..audit import record
from ..dbsetup import writes_on_read
from ..extensions import db
from ..models_base import utcnow
from .catalogue import COLLECTED
from .export import collect, to_json, to_xlsx
from .forms import DeleteAccountForm
from .services import (
    LastOperatorError,
    consents_of,
    current_policy_version,
    delete_account,
    has_accepted_current,
    record_consent,
)

bp = Blueprint("privacy", __name__)

DOWNLOADS = {
    "json": ("application/json", to_json),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


@bp.route("/privacy")
def policy():
    """The privacy policy (隐私政策) of the current version, in the interface language."""
    language = "en" if str(get_locale()) == "en" else "zh"
    return render_template("privacy/policy.html", language=language, version=current_policy_version())


@bp.route("/privacy/collection")
def collection():
    """个人信息收集清单: what is collected, why, when and for how long."""
    return render_template("privacy/collection.html", rows=COLLECTED)


def _render_account(form, status=200):
    return render_template(
        "privacy/account.html",
        form=form,
        consents=consents_of(current_user),
        version=current_policy_version(),
        accepted=has_accepted_current(current_user),
    ), status


@bp.route("/account/privacy")
@login_required
def account():
    """My personal information: consents, download my data, delete my account."""
    return _render_account(DeleteAccountForm(current_user))


@bp.route("/account/privacy/consent", methods=["POST"])
@login_required
def consent():
    """Accept the current version of the privacy policy (accounts created before it, or after a new version)."""
    if has_accepted_current(current_user):
        flash(_("您已同意当前版本的隐私政策。"), "info")
    else:
        record("privacy.consent", target=current_user, version=record_consent(current_user).policy_version)
        db.session.commit()
        flash(_("已记录您对隐私政策（版本 %(version)s）的同意。", version=current_policy_version()), "success")
    return redirect(url_for("privacy.account"))


@bp.route("/account/privacy/data.<fmt>")
@login_required
@writes_on_read  # a GET that writes (read marks, audit entry): takes the write lock at BEGIN
def download(fmt):
    """Everything the market holds about me, as JSON or XLSX."""
    if fmt not in DOWNLOADS:
        abort(404)
    mimetype, render = DOWNLOADS[fmt]
    body = render(collect(current_user))
    record("account.data_export", target=current_user, format=fmt)
    db.session.commit()
    return _attachment(body, mimetype, f"my-data-{utcnow():%Y%m%d}.{fmt}")


def _attachment(body, mimetype, filename):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/account/privacy/delete", methods=["POST"])
@login_required
def delete():
    """Delete my account after my password: personal data erased, every session ended."""
    form = DeleteAccountForm(current_user)
    if not form.validate_on_submit():
        return _render_account(form, 400)
    user = current_user._get_current_object()
    try:
        record("account.delete", user=user, target=user)
        delete_account(user)
    except LastOperatorError:
        db.session.rollback()
        record("account.delete", user=user, outcome="denied", target=user, reason="last operator")
        db.session.commit()
        flash(_("您是平台唯一的运营人员，不能注销账号。请先添加另一位运营人员。"), "danger")
        return redirect(url_for("privacy.account"))
    end_session(user)
    db.session.commit()
    flash(_("您的账号已注销，个人信息已删除。"), "info")
    return redirect(url_for("main.index"))
