"""Operator views: organisations and their verification."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import case, func
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from .. import taxonomy
from ..accounts.models import Organisation, User
from ..accounts.organisations import reject_organisation, verify_organisation
from ..audit import record
from ..extensions import db
from ..pagination import paginate
from ..text import clean_text
from . import bp
from .decorators import operator_required
from .queries import contains_text

PER_PAGE = 30


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("不予认证的理由"),
        filters=[clean_text],
        validators=[
            DataRequired(message=_l("请填写理由，机构成员会看到它。")),
            Length(max=500, message=_l("最多 %(max)d 个字符。")),
        ],
    )


def organisation_filters(args):
    """The list filters from the query string; unknown codes are ignored."""
    return {
        "status": args.get("status") if args.get("status") in taxonomy.VERIFICATION_STATUSES else None,
        "org_type": args.get("org_type") if args.get("org_type") in taxonomy.ORG_TYPES else None,
        "region": args.get("region") if args.get("region") in taxonomy.REGIONS else None,
        "q": clean_text(args.get("q", ""))[:100],
    }


def organisations_query(filters):
    """Organisations matching the filters, those waiting for verification first."""
    stmt = db.select(Organisation)
    if filters["status"]:
        stmt = stmt.where(Organisation.verification_status == filters["status"])
    if filters["org_type"]:
        stmt = stmt.where(Organisation.org_type == filters["org_type"])
    if filters["region"]:
        stmt = stmt.where(Organisation.region == filters["region"])
    if filters["q"]:
        stmt = stmt.where(contains_text(filters["q"], Organisation.name, Organisation.credit_code))
    waiting_first = case((Organisation.verification_status == "pending", 0), else_=1)
    return stmt.order_by(waiting_first, Organisation.created_at.desc(), Organisation.id.desc())


@bp.route("/organisations")
@operator_required
def organisations():
    """All organisations with filters; those waiting for verification come first."""
    filters = organisation_filters(request.args)
    page = paginate(organisations_query(filters), per_page=PER_PAGE)
    return render_template(
        "operators/organisations.html",
        page=page,
        filters=filters,
        member_counts=_member_counts([org.id for org in page.items]),
    )


def _member_counts(org_ids):
    if not org_ids:
        return {}
    rows = db.session.execute(
        db.select(User.organisation_id, func.count())
        .where(User.organisation_id.in_(org_ids))
        .group_by(User.organisation_id)
    ).all()
    return dict(rows)


@bp.route("/organisations/<int:org_id>")
@operator_required
def organisation(org_id):
    """One organisation: its details, members and the verification decision."""
    org = db.get_or_404(Organisation, org_id)
    return _render_detail(org, RejectForm())


def _render_detail(org, form):
    members = sorted(org.members, key=lambda m: (m.membership_status != "pending", m.name))
    verifier = db.session.get(User, org.verified_by_id) if org.verified_by_id else None
    return render_template("operators/organisation.html", org=org, form=form, members=members, verifier=verifier)


@bp.route("/organisations/<int:org_id>/verify", methods=["POST"])
@operator_required
def verify(org_id):
    """Mark the organisation as verified."""
    org = db.get_or_404(Organisation, org_id)
    verify_organisation(org, current_user)
    record("org.verify", target=org, credit_code=org.credit_code)
    db.session.commit()
    flash(_("已认证机构“%(name)s”。", name=org.name), "success")
    return redirect(url_for("operators.organisation", org_id=org.id))


@bp.route("/organisations/<int:org_id>/reject", methods=["POST"])
@operator_required
def reject(org_id):
    """Refuse or withdraw verification; a reason is required and shown to the members."""
    org = db.get_or_404(Organisation, org_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_detail(org, form), 400
    reject_organisation(org, current_user, form.reason.data)
    record("org.reject", target=org, reason=form.reason.data)
    db.session.commit()
    flash(_("已驳回机构“%(name)s”的认证。", name=org.name), "warning")
    return redirect(url_for("operators.organisation", org_id=org.id))
