"""Storing evidence and asking for verification with it. Plain functions that flush, never commit."""

import logging
import os
import uuid

from ..accounts.organisations import request_verification, update_organisation
from ..extensions import db
from ..listings.attachments import stored_path, upload_folder
from .models import VerificationEvidence

log = logging.getLogger(__name__)


def evidence_of(org):
    """The organisation's evidence, newest first."""
    return (
        db.session.execute(
            db.select(VerificationEvidence)
            .filter_by(organisation_id=org.id)
            .order_by(VerificationEvidence.created_at.desc(), VerificationEvidence.id.desc())
        )
        .scalars()
        .all()
    )


def has_evidence(org):
    return (
        db.session.execute(db.select(VerificationEvidence.id).filter_by(organisation_id=org.id).limit(1)).first()
        is not None
    )


def store_evidence(org, upload, kind, credit_code, user):
    """Write a checked upload (attachments.check_upload) under a generated name and add its row.

    Returns (evidence, path): the caller removes the path again when the commit fails.
    """
    stored_name = uuid.uuid4().hex
    path = os.path.join(upload_folder(), stored_name)
    with open(path, "xb") as fh:
        fh.write(upload.data)
    evidence = VerificationEvidence(
        organisation=org,
        kind=kind,
        credit_code=credit_code,
        stored_name=stored_name,
        original_name=upload.original_name,
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by_id=user.id,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence, path


def request_with_evidence(org, upload, kind, credit_code, user):
    """Record the credit code on the organisation, store the evidence and put the organisation in the queue."""
    if (org.credit_code or None) != credit_code:
        update_organisation(org, credit_code=credit_code)
    evidence, path = store_evidence(org, upload, kind, credit_code, user)
    request_verification(org)
    log.info("organisation %s asked for verification with evidence %s", org.id, evidence.id)
    return evidence, path


def evidence_path(evidence):
    return stored_path(evidence.stored_name)
