"""Sign-in sessions (等保 2.0 会话管理): idle timeout, absolute lifetime, "my devices" with sign-out of each.

A session ends after SESSION_IDLE_TIMEOUT seconds without a request and, whatever happens, SESSION_ABSOLUTE_LIFETIME
seconds after sign-in; a "keep me signed in" session has no idle timeout but ends REMEMBER_COOKIE_DURATION after
sign-in. last_seen_at is written at most once per SESSION_TOUCH_SECONDS, after the request, in its own short
transaction.
"""

from datetime import timedelta

from flask import current_app, g
from sqlalchemy import update

from ..extensions import db
from ..models_base import utcnow
from ..security.transactions import has_written
from .models import AuthSession
from .security_events import emit


def _seconds(name):
    return timedelta(seconds=int(current_app.config[name]))


def ends_at(auth):
    """When this session stops working (UTC, naive like the columns)."""
    if auth.remember:
        return auth.created_at + _seconds("REMEMBER_COOKIE_DURATION")
    last_seen = auth.last_seen_at or auth.created_at
    return min(last_seen + _seconds("SESSION_IDLE_TIMEOUT"), auth.created_at + _seconds("SESSION_ABSOLUTE_LIFETIME"))


def has_expired(auth, now=None):
    return (now or utcnow()) >= ends_at(auth)


def check_and_touch(auth):
    """For the user loader: False when the session has expired; else remember to note that it was used."""
    now = utcnow()
    if has_expired(auth, now):
        emit("session_expired", user=auth.user_id, outcome="signed_out", session=auth.id)
        return False
    last_seen = auth.last_seen_at or auth.created_at
    if now - last_seen >= _seconds("SESSION_TOUCH_SECONDS"):
        g._touch_session = auth.id
    return True


def touch_after_request(response):
    """Write last_seen_at for a session used in this request (own transaction; never with unsaved work)."""
    session_id = g.pop("_touch_session", None)
    if session_id is not None and not has_written():
        db.session.rollback()  # end the request's read transaction; the update is a short one of its own
        db.session.execute(update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=utcnow()))
        db.session.commit()
    return response


def active_sessions(user):
    """The user's sessions that still work, most recently used first."""
    rows = db.session.execute(db.select(AuthSession).filter_by(user_id=user.id)).scalars().all()
    now = utcnow()
    live = [auth for auth in rows if not has_expired(auth, now)]
    return sorted(live, key=lambda a: a.last_seen_at or a.created_at, reverse=True)


def purge_expired(user):
    """Delete the user's sessions that no longer work (at sign-in: the devices list stays short)."""
    now = utcnow()
    for auth in db.session.execute(db.select(AuthSession).filter_by(user_id=user.id)).scalars():
        if has_expired(auth, now):
            db.session.delete(auth)


def revoke(user, auth):
    """Sign out one browser of the user (its cookie stops working at once)."""
    db.session.delete(auth)
    db.session.flush()
    emit("session_revoked", user=user, outcome="signed_out", session=auth.id)


def revoke_others(user, keep_token):
    """Sign out every browser of the user but this one; returns how many."""
    result = db.session.execute(
        db.delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.token != keep_token)
    )
    emit("sessions_revoked", user=user, outcome="signed_out", count=result.rowcount)
    return result.rowcount


def device_label(user_agent):
    """ "Chrome · Windows" from a User-Agent header; the raw text when nothing is recognised."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("MicroMessenger", "微信"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if key in ua
        ),
        None,
    )
    system = next(
        (
            name
            for key, name in (
                ("Windows", "Windows"),
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        None,
    )
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else (ua[:60] or "—")
