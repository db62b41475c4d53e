"""Accounts: sign-in sessions that can be revoked, password hashing, user and organisation creation.

Services flush, never commit; the view commits once.
"""

import hashlib
import hmac
import logging
import secrets
import unicodedata
from functools import lru_cache

from flask import current_app, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models_base import utcnow
from ..security.transactions import release_read_transaction
from .models import AuthSession, Organisation, User
from .passwords import normalise_password

log = logging.getLogger(__name__)


def normalise_email(email):
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def hash_password(password):
    """Werkzeug's default (scrypt) hash of the NFKC form; TestConfig picks a fast method.

    Call it before the first write of the transaction: a read-only transaction is ended first, so that the
    slow hash never holds SQLite's write lock (security/transactions.py)."""
    release_read_transaction()
    password = normalise_password(password)
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def set_password(user, password):
    user.password_hash = hash_password(password)


def check_password(user, password):
    if not (user and user.password_hash):
        return False
    stored = user.password_hash
    release_read_transaction()  # verify before any write, outside the write lock
    return check_password_hash(stored, normalise_password(password))


def find_user_by_email(email):
    return db.session.execute(db.select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def authenticate(email, password):
    """The active user with that email and password, else None (same answer for every failure)."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal which emails exist.
        release_read_transaction()
        check_password_hash(_dummy_hash(), normalise_password(password))
        return None
    if not check_password(user, password or "") or user.is_disabled:
        return None
    return user


@lru_cache(maxsize=4)
def _dummy_hash_for(method):
    password = secrets.token_urlsafe(16)
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def _dummy_hash():
    return _dummy_hash_for(current_app.config.get("PASSWORD_HASH_METHOD"))


def load_user_from_token(token):
    """Flask-Login loader: the cookie carries an AuthSession token; a revoked token signs nobody in."""
    if not token:
        return None
    from .sessions import check_and_touch

    # One round trip on every signed-in request: the session, its user and the user's organisation (pages ask for it).
    auth = db.session.execute(
        db.select(AuthSession)
        .filter_by(token=token)
        .options(joinedload(AuthSession.user).joinedload(User.organisation))
    ).scalar_one_or_none()
    if auth is None or auth.user.is_disabled:
        return None
    if not check_and_touch(auth):  # idle too long, or past its absolute lifetime
        _say_session_expired()
        return None
    user = auth.user
    user._current_token = auth.token
    return user


def _say_session_expired():
    from flask import flash
    from flask_babel import gettext as _

    if not session.get("_expired_said"):
        session["_expired_said"] = True
        flash(_("由于长时间未操作或登录时间过长，您已自动退出登录，请重新登录。"), "warning")


def start_session(user, remember=False, user_agent=None, ip_address=None):
    """Sign the user in with a brand-new session (old session data is dropped: no fixation)."""
    from .sessions import purge_expired

    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    purge_expired(user)
    auth = AuthSession(
        user=user,
        user_agent=(user_agent or "")[:200],
        ip_address=(ip_address or "")[:45] or None,
        remember=bool(remember),
        last_seen_at=utcnow(),
    )
    db.session.add(auth)
    db.session.flush()
    user._current_token = auth.token
    user.last_login_at = utcnow()
    login_user(user, remember=remember)
    return auth


def end_session(user):
    """Sign out this browser: its token is deleted, so a replayed cookie no longer works."""
    token = getattr(user, "_current_token", None)
    if token:
        db.session.execute(db.delete(AuthSession).where(AuthSession.token == token))
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def revoke_sessions(user, keep_token=None):
    """End every signed-in browser of the user (password change: all but the current one)."""
    stmt = db.delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_token:
        stmt = stmt.where(AuthSession.token != keep_token)
    db.session.execute(stmt)


def create_organisation(name, org_type, region, qualifications=(), **fields):
    org = Organisation(name=name, org_type=org_type, region=region, **fields)
    org.qualification_codes = list(qualifications)
    db.session.add(org)
    db.session.flush()
    return org


def create_user(email, password, name, role, organisation, password_hash=None, **fields):
    """A new user; pass `password_hash` (computed before any write) to keep hashing out of the write lock."""
    user = User(email=normalise_email(email), name=name, role=role, organisation=organisation, **fields)
    user.password_hash = password_hash or hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def find_organisation_by_name(name):
    """The organisation with exactly that (normalised) name, or None."""
    name = unicodedata.normalize("NFKC", name or "").strip()
    return db.session.execute(db.select(Organisation).filter_by(name=name)).scalar_one_or_none()


def register_user(email, password, name, role, phone=None, new_organisation=None, existing_organisation=None):
    """Create a self-service account with either a new organisation or a pending membership of an existing one.

    Joining an existing organisation grants none of its standing until an operator confirms the membership;
    a new organisation starts unverified and its founder is an active member.
    """
    password_hash = hash_password(password)  # before the first write: hashing never holds the write lock
    if existing_organisation is not None:
        organisation, membership = existing_organisation, "pending"
    else:
        organisation, membership = create_organisation(**new_organisation), "active"
    return create_user(
        email,
        None,
        name,
        role,
        organisation,
        password_hash=password_hash,
        phone=phone or None,
        membership_status=membership,
    )


def change_password(user, new_password, keep_token=None):
    """Set a new password and sign out every other browser of the user."""
    set_password(user, new_password)
    revoke_sessions(user, keep_token=keep_token)


def change_email(user, new_email):
    """Set a new sign-in e-mail (the caller checked the password); unique, so a race raises IntegrityError."""
    user.email = normalise_email(new_email)
    db.session.flush()


def update_profile(user, name, phone, locale):
    user.name = name
    user.phone = phone or None
    user.locale = locale or None
    db.session.flush()


# ---------------------------------------------------------------- password reset

RESET_SALT = "password-reset"


def _reset_serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user):
    # Binds a token to the current password: once the password changes, every older token is dead.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_reset_token(user):
    return _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_from_reset_token(token):
    """(user, None) for a valid token, else (None, "expired" | "invalid"); used tokens are invalid."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        return None, "expired"
    except BadSignature:
        return None, "invalid"
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None, "invalid"
    user = db.session.get(User, data["u"])
    if user is None or user.is_disabled:
        return None, "invalid"
    if not hmac.compare_digest(str(data.get("p", "")), _password_fingerprint(user)):
        return None, "invalid"
    return user, None


def reset_password(user, new_password):
    """Set the new password (which also voids the token) and sign out every browser."""
    set_password(user, new_password)
    revoke_sessions(user)
    log.info("password reset for user %s", user.id)


# ---------------------------------------------------------------- operators' account management

OPERATOR_ORG_NAME = "运营中心"


def disable_user(user, operator):
    """Disable an account and sign out all its browsers at once. An operator cannot disable themselves."""
    if user.id == operator.id:
        raise ValueError("operators cannot disable themselves")
    user.is_disabled = True
    revoke_sessions(user)
    log.info("user %s disabled by operator %s", user.id, operator.id)


def enable_user(user, operator):
    user.is_disabled = False
    log.info("user %s enabled by operator %s", user.id, operator.id)


def approve_membership(user, operator):
    """Confirm that a user who joined an existing organisation belongs to it."""
    from ..notifications.services import notify

    user.membership_status = "active"
    notify(user, "membership_approved", {"name": user.organisation.name}, endpoint="accounts.organisation")
    log.info("membership of user %s in organisation %s approved by %s", user.id, user.organisation_id, operator.id)


def operator_organisation():
    """The market's own service organisation (verified), created on first use."""
    org = find_organisation_by_name(OPERATOR_ORG_NAME)
    if org is None:
        org = create_organisation(OPERATOR_ORG_NAME, "service", "nanchang")
    if not org.is_verified:
        org.verification_status = "verified"
        org.verified_at = utcnow()
    return org


def create_operator(email, name, password):
    """An operator account in the 运营中心 organisation."""
    return create_user(email, password, name, "operator", operator_organisation(), membership_status="active")
