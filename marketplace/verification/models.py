"""Evidence files for organisation verification."""

from ..extensions import db
from ..models_base import utcnow

EVIDENCE_KINDS = ("business_licence", "legal_person_certificate")  # labels in forms.py


class VerificationEvidence(db.Model):
    """One uploaded 营业执照 or 法人证书, with the credit code the member typed next to it. Kept as history."""

    __tablename__ = "verification_evidence"

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(
        db.Integer, db.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = db.Column(db.String(30), nullable=False)  # EVIDENCE_KINDS
    credit_code = db.Column(db.String(18), nullable=False)  # 统一社会信用代码 as submitted with the file
    stored_name = db.Column(db.String(64), nullable=False, unique=True)  # generated; never the user's file name
    original_name = db.Column(db.String(255), nullable=False)
    content_type = db.Column(db.String(50), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    organisation = db.relationship("Organisation")
    uploaded_by = db.relationship("User")
