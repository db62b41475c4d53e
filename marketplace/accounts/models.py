"""Users, their organisations and their sign-in sessions."""

import secrets

from flask_login import UserMixin

from ..extensions import db
from ..models_base import utcnow


class Organisation(db.Model):
    """A university, institute, company, investor or service agency; every user belongs to one."""

    __tablename__ = "organisations"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False, unique=True)
    org_type = db.Column(db.String(20), nullable=False)  # taxonomy.ORG_TYPES
    region = db.Column(db.String(20), nullable=False)  # taxonomy.REGIONS
    credit_code = db.Column(db.String(18))  # 统一社会信用代码
    qualifications = db.Column(db.String(200), nullable=False, default="")  # comma-joined QUALIFICATIONS codes
    description = db.Column(db.Text, nullable=False, default="")
    website = db.Column(db.String(200))
    # unverified -> verified, or rejected (with a reason) -> unverified again after edits
    verification_status = db.Column(db.String(20), nullable=False, default="unverified", index=True)
    verification_note = db.Column(db.String(500))
    verified_at = db.Column(db.DateTime)
    verified_by_id = db.Column(db.Integer, db.ForeignKey("users.id", use_alter=True))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    members = db.relationship("User", back_populates="organisation", foreign_keys="User.organisation_id")

    @property
    def is_verified(self):
        return self.verification_status == "verified"

    @property
    def qualification_codes(self):
        return [code for code in (self.qualifications or "").split(",") if code]

    @qualification_codes.setter
    def qualification_codes(self, codes):
        self.qualifications = ",".join(codes or [])

    def __repr__(self):
        return f"<Organisation {self.id} {self.name}>"


class User(UserMixin, db.Model):
    """A person who signs in. Role is one of taxonomy.ROLES."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)  # stored lower-cased
    name = db.Column(db.String(60), nullable=False)
    phone = db.Column(db.String(30))
    password_hash = db.Column(db.String(256), nullable=False)
    role = db.Column(db.String(20), nullable=False, index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisations.id"), nullable=False, index=True)
    is_disabled = db.Column(db.Boolean, nullable=False, default=False)
    # "pending" while an operator has not confirmed that the user belongs to the organisation they joined;
    # a pending member gets none of the organisation's privileges (taxonomy.MEMBERSHIP_STATUSES).
    membership_status = db.Column(db.String(20), nullable=False, default="active", server_default="active")
    locale = db.Column(db.String(5))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(db.DateTime)

    organisation = db.relationship("Organisation", back_populates="members", foreign_keys=[organisation_id])
    auth_sessions = db.relationship("AuthSession", back_populates="user", cascade="all, delete-orphan")

    # Flask-Login: the id in the cookie is the AuthSession token (see accounts.services), so a
    # sign-out, a password change or disabling the account revokes old cookies at once.
    _current_token = None

    def get_id(self):
        return self._current_token

    @property
    def is_active(self):
        return not self.is_disabled

    @property
    def is_operator(self):
        return self.role == "operator"

    @property
    def in_verified_org(self):
        """Only confirmed members of a verified organisation act with its standing."""
        return self.is_active_member and self.organisation is not None and self.organisation.is_verified

    @property
    def is_active_member(self):
        return self.membership_status == "active"

    def __repr__(self):
        return f"<User {self.id} {self.email}>"


class AuthSession(db.Model):
    """One signed-in browser. Deleting the row signs that browser out."""

    __tablename__ = "auth_sessions"

    id = db.Column(db.Integer, primary_key=True)
    token = db.Column(db.String(64), nullable=False, unique=True, default=lambda: secrets.token_urlsafe(32))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    user_agent = db.Column(db.String(200))
    # Idle timeout and "my devices": when the browser was last seen (updated at most once a minute) and from where.
    last_seen_at = db.Column(db.DateTime)
    ip_address = db.Column(db.String(45))
    remember = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())  # "keep me signed in"

    user = db.relationship("User", back_populates="auth_sessions")
