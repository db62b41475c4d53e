"""Members ask for verification with evidence; operators open the evidence files (nobody else can)."""

import logging
import os

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.organisations import can_request_verification
from ..audit import record
from ..dbsetup import writes_on_read
from ..extensions import db
from ..listings.attachments import AttachmentError, check_upload, remove_files
from ..operators.decorators import operator_required
from .forms import KIND_LABELS, EvidenceForm
from .models import VerificationEvidence
from .services import evidence_of, evidence_path, request_with_evidence

log = logging.getLogger(__name__)

bp = Blueprint("verification", __name__)


@bp.app_template_global()
def verification_evidence(org):
    """The organisation's evidence for templates (members see that it exists; operators get links)."""
    return evidence_of(org)


@bp.app_template_global()
def evidence_kind_label(kind):
    return str(KIND_LABELS.get(kind, kind))


def _member_org():
    """The current user's organisation; only its confirmed members may ask for verification."""
    if not current_user.is_active_member:
        abort(403)
    return current_user.organisation


@bp.route("/account/organisation/verify", methods=["GET", "POST"])
@login_required
def request_page():
    """Ask for verification: 统一社会信用代码 plus a scan or photo of the 营业执照 / 法人证书."""
    org = _member_org()
    if not can_request_verification(org):
        flash(_("当前状态下不能申请认证。"), "warning")
        return redirect(url_for("accounts.organisation"))
    form = EvidenceForm()
    if request.method == "GET":
        form.credit_code.data = org.credit_code
    if form.validate_on_submit():
        try:
            upload = check_upload(form.file.data, current_app.config["EVIDENCE_MAX_BYTES"])
        except AttachmentError as err:
            form.file.errors.append(str(err))
        else:
            return _submit(org, form, upload)
    return render_template("verification/request.html", org=org, form=form)


def _submit(org, form, upload):
    evidence, path = request_with_evidence(org, upload, form.kind.data, form.credit_code.data, current_user)
    record(
        "org.evidence_upload",
        target=org,
        evidence=evidence.id,
        kind=evidence.kind,
        credit_code=evidence.credit_code,
        file=evidence.original_name,
    )
    record("org.verification_request", target=org)
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        remove_files([path])
        raise
    flash(_("认证申请已提交，运营人员核对证明文件后会更新机构的认证状态。"), "success")
    return redirect(url_for("accounts.organisation"))


def load_evidence(org_id, evidence_id):
    """The evidence of that organisation, else 404 (the operator check is the route's decorator)."""
    evidence = db.session.get(VerificationEvidence, evidence_id)
    if evidence is None or evidence.organisation_id != org_id:
        abort(404)
    return evidence


@bp.route("/ops/organisations/<int:org_id>/evidence/<int:evidence_id>")
@operator_required
@writes_on_read  # a GET that writes (read marks, audit entry): takes the write lock at BEGIN
def evidence_file(org_id, evidence_id):
    """Open an evidence file: images inline (shown beside the code), PDFs as a download. Operators only."""
    evidence = load_evidence(org_id, evidence_id)
    path = evidence_path(evidence)
    if not os.path.isfile(path):
        log.error("evidence %s missing on disk: %s", evidence.id, path)
        abort(404)
    record("org.evidence_view", target=evidence.organisation, evidence=evidence.id)
    db.session.commit()
    inline = evidence.content_type.startswith("image/")
    response = send_file(
        path, mimetype=evidence.content_type, as_attachment=not inline, download_name=evidence.original_name, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
