"""Accounts: sign-in sessions that can be revoked, password hashing, user and organisation creation.

Services flush, never commit; the view commits once.
"""
import unicodedata

from flask import current_app, session
from flask_login import login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .models import AuthSession, Organisation, User


def normalise_email(email):
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def hash_password(password):
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def set_password(user, password):
    user.password_hash = hash_password(password)


def check_password(user, password):
    return bool(user and user.password_hash) and check_password_hash(user.password_hash, password)


def find_user_by_email(email):
    return db.session.execute(db.select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def authenticate(email, password):
    """The active user with that email and password, else None (same answer for every failure)."""
    user = find_user_by_email(email)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal which emails exist.
        check_password_hash(hash_password("x" * 12), password or "")
        return None
    if not check_password(user, password or "") or user.is_disabled:
        return None
    return user


def load_user_from_token(token):
    """Flask-Login loader: the cookie carries an AuthSession token; a revoked token signs nobody in."""
    if not token:
        return None
    auth = db.session.execute(db.select(AuthSession).filter_by(token=token)).scalar_one_or_none()
    if auth is None or auth.user.is_disabled:
        return None
    user = auth.user
    user._current_token = auth.token
    return user


def start_session(user, remember=False, user_agent=None):
    """Sign the user in with a brand-new session (old session data is dropped: no fixation)."""
    from ..models_base import utcnow

    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    auth = AuthSession(user=user, user_agent=(user_agent or "")[:200])
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


def create_user(email, password, name, role, organisation, **fields):
    user = User(email=normalise_email(email), name=name, role=role, organisation=organisation, **fields)
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user
