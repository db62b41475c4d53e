"""Consent, "download my data" and account deletion. Plain functions that flush, never commit."""

import logging
import secrets

from flask import current_app
from sqlalchemy import func

from ..accounts.models import AuthSession, User
from ..accounts.services import revoke_sessions, set_password
from ..extensions import db
from ..models_base import utcnow
from .models import AccountDeletion, PolicyConsent

log = logging.getLogger(__name__)

DELETED_NAME = "已注销用户"
DELETED_EMAIL_DOMAIN = "deleted.invalid"  # RFC 2606: never deliverable


class LastOperatorError(ValueError):
    """The market would be left without an operator."""


def current_policy_version():
    return current_app.config["PRIVACY_POLICY_VERSION"]


def record_consent(user, version=None):
    """The user accepted the privacy policy (version, time and user are kept)."""
    consent = PolicyConsent(user_id=user.id, policy_version=version or current_policy_version(), accepted_at=utcnow())
    db.session.add(consent)
    db.session.flush()
    return consent


def consents_of(user):
    return (
        db.session.execute(db.select(PolicyConsent).filter_by(user_id=user.id).order_by(PolicyConsent.accepted_at))
        .scalars()
        .all()
    )


def has_accepted_current(user):
    return (
        db.session.execute(
            db.select(PolicyConsent.id).filter_by(user_id=user.id, policy_version=current_policy_version()).limit(1)
        ).first()
        is not None
    )


def is_deleted(user):
    return db.session.execute(db.select(AccountDeletion.id).filter_by(user_id=user.id)).first() is not None


def _other_active_operators(user):
    deleted = db.select(AccountDeletion.user_id)
    return db.session.execute(
        db.select(func.count())
        .select_from(User)
        .where(User.role == "operator", User.is_disabled.is_(False), User.id != user.id, User.id.not_in(deleted))
    ).scalar_one()


def _erase_personal_rows(user):
    """Rows that exist only for the user (saved searches, follows, notifications, dismissals, sessions)."""
    from ..matching.models import Dismissal, Follow, SavedSearch
    from ..notifications.models import Notification, NotificationSetting

    for model in (Notification, NotificationSetting, Follow, SavedSearch, Dismissal):
        db.session.execute(db.delete(model).where(model.user_id == user.id))
    revoke_sessions(user)


def _clear_listing_contacts(user):
    """The organisation keeps the listings; contact details that were this person's are removed from them."""
    from ..listings.models import Listing

    for column, value in (
        (Listing.contact_email, user.email),
        (Listing.contact_phone, user.phone),
        (Listing.contact_name, user.name),
    ):
        if value:
            db.session.execute(
                db.update(Listing)
                .where(Listing.owner_id == user.id, column == value)
                .values({column.key: None})
                .execution_options(synchronize_session=False)
            )


def delete_account(user):
    """Erase the user's personal data and end all their sessions; the anonymous row keeps listings owned.

    Name, e-mail and phone are replaced, the password can never match again, the account is disabled.
    Listings stay with the organisation. The audit log keeps its entries for the legal retention period.
    The last active operator cannot delete their account (raises LastOperatorError).
    """
    if user.is_operator and _other_active_operators(user) == 0:
        raise LastOperatorError("the last operator cannot delete their account")
    db.session.execute(db.select(User).where(User.id == user.id).with_for_update()).scalar_one()
    _clear_listing_contacts(user)
    _erase_personal_rows(user)
    user.name = DELETED_NAME
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@{DELETED_EMAIL_DOMAIN}"
    user.phone = None
    user.locale = None
    set_password(user, secrets.token_urlsafe(32))  # nobody knows it: no sign-in, and old reset links die
    user.is_disabled = True
    db.session.add(AccountDeletion(user_id=user.id, deleted_at=utcnow()))
    db.session.flush()
    log.info("account %s deleted at the user's request", user.id)


def session_rows(user):
    """The user's signed-in browsers, without their tokens."""
    sessions = db.session.execute(db.select(AuthSession).filter_by(user_id=user.id)).scalars()
    return [{"started": s.created_at, "browser": s.user_agent} for s in sessions]
