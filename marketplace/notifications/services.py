"""notify(user, kind, ...): the one way to tell a user something; e-mails at once or as a daily digest.

Plain functions that flush, never commit. E-mails go out after the commit (`send_pending_emails`): the views'
after-request hook sends them when a request created notifications; the matching updater and the CLI call it
themselves. Contact details never go into a notification: texts carry titles, reasons and stages only.
"""

import logging
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from .. import badges
from ..extensions import db
from ..models_base import utcnow
from ..upsert import insert_missing
from .kinds import ATTACHMENTS, KINDS
from .models import EMAIL_MODES, Notification, NotificationSetting

log = logging.getLogger(__name__)

PENDING_FLAG = "notifications_pending"  # set in db.session.info when a notification waits for its e-mail
EMAIL_BATCH = 200


def settings_for(user_id):
    """The user's settings row (not added to the session when the user never changed anything)."""
    setting = db.session.get(NotificationSetting, user_id)
    return setting or NotificationSetting(user_id=user_id, disabled_kinds=[], email_mode="instant")


def notify(user, kind, params=None, endpoint=None, values=None, listing=None, dedupe=None):
    """Create one notification for `user`; None when the user switched this kind off or `dedupe` exists."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind}")
    user_id = getattr(user, "id", user)
    setting = settings_for(user_id)
    if kind in (setting.disabled_kinds or []):
        return None
    row = {
        "user_id": user_id,
        "kind": kind,
        "params": params or {},
        "endpoint": endpoint,
        "endpoint_values": values or {},
        "listing_id": getattr(listing, "id", listing),
        "dedupe_key": dedupe,
        "created_at": utcnow(),
        "emailed_at": utcnow() if setting.email_mode == "off" else None,
    }  # off: no mail
    if dedupe is None:
        note = Notification(**row)
        db.session.add(note)
        db.session.flush()
    else:
        # Once per key, also when two workers notify at the same moment (ON CONFLICT DO NOTHING, no race).
        if insert_missing(Notification, [row], ["user_id", "dedupe_key"]) == 0:
            return None
        note = db.session.execute(db.select(Notification).filter_by(user_id=user_id, dedupe_key=dedupe)).scalar_one()
    db.session.info[PENDING_FLAG] = True
    return note


def text(note):
    """The notification's text in the current language."""
    template = KINDS.get(note.kind, (None, None))[1]
    if template is None:
        return note.kind
    params = dict(note.params or {})
    if note.kind == "deal_stage":
        from ..inquiries.pipeline import stage_label

        params["stage"] = stage_label(params.get("stage"))
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        log.warning("notification %s has params that do not fit its text", note.id)
        return str(template)


def link(note):
    """The notification's relative link, or None (a link whose target has gone is dropped)."""
    if not note.endpoint:
        return None
    try:
        return url_for(note.endpoint, **(note.endpoint_values or {}))
    except BuildError:
        return None


def external_link(note):
    from ..urls import external_url

    if not note.endpoint:
        return None
    try:
        return external_url(note.endpoint, **(note.endpoint_values or {}))
    except BuildError:
        return None


def _footer():
    from ..urls import external_url

    return _("通知设置（逐项开关、每日汇总）：%(url)s", url=external_url("notifications.settings"))


def send_pending_emails(limit=EMAIL_BATCH):
    """E-mail notifications of users who want them at once (call after commit); returns how many were sent."""
    from ..mail import send_mail

    digest_users = db.select(NotificationSetting.user_id).where(NotificationSetting.email_mode != "instant")
    pending = (
        db.session.execute(
            db.select(Notification)
            .where(Notification.emailed_at.is_(None), Notification.user_id.not_in(digest_users))
            .order_by(Notification.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    sent = 0
    for note in pending:
        body = "\n\n".join(part for part in (text(note), external_link(note), _footer()) if part)
        subject = _("江西技术交易市场：%(subject)s", subject=text(note)[:40])
        if send_mail(note.user.email, subject, body, attachments=attachments(note)):
            note.emailed_at = utcnow()
            sent += 1
    db.session.flush()
    return sent


def attachments(note):
    """The files its kind attaches to the notification's e-mail (kinds.ATTACHMENTS), e.g. an .ics agenda."""
    from werkzeug.utils import import_string

    path = ATTACHMENTS.get(note.kind)
    return import_string(path.replace(":", "."))(note) if path else []


def send_digests(now=None):
    """One e-mail per digest user with everything not yet e-mailed (at most once a day); returns how many."""
    from ..mail import send_mail

    now = now or utcnow()
    sent = 0
    settings = (
        db.session.execute(db.select(NotificationSetting).where(NotificationSetting.email_mode == "digest"))
        .scalars()
        .all()
    )
    for setting in settings:
        if setting.digest_sent_at is not None and setting.digest_sent_at > now - timedelta(hours=23):
            continue
        notes = (
            db.session.execute(
                db.select(Notification)
                .where(Notification.user_id == setting.user_id, Notification.emailed_at.is_(None))
                .order_by(Notification.id)
            )
            .scalars()
            .all()
        )
        if not notes:
            continue
        lines = [f"· {text(n)}" + (f"\n  {external_link(n)}" if n.endpoint else "") for n in notes]
        body = _("您有 %(n)s 条新通知：", n=len(notes)) + "\n\n" + "\n".join(lines) + "\n\n" + _footer()
        if send_mail(notes[0].user.email, _("江西技术交易市场：每日通知汇总"), body):
            for n in notes:
                n.emailed_at = now
            setting.digest_sent_at = now
            sent += 1
    db.session.flush()
    return sent


@badges.counter("notifications")
def unread(user):
    """The user's unread notifications (the navigation badge): a scalar expression."""
    return (
        db.select(db.func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def mark_all_read(user):
    db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def save_settings(user, disabled_kinds, email_mode):
    """Store the user's choices; unknown kinds and modes are ignored."""
    if email_mode not in EMAIL_MODES:
        email_mode = "instant"
    setting = db.session.get(NotificationSetting, user.id)
    if setting is None:
        setting = NotificationSetting(user_id=user.id)
        db.session.add(setting)
    setting.disabled_kinds = sorted(k for k in disabled_kinds if k in KINDS)
    setting.email_mode = email_mode
    db.session.flush()
    return setting


def about_listing(user, kind, listing, dedupe=None, **params):
    """A notification whose link is the listing's page; `title` is filled in from the listing."""
    params.setdefault("title", listing.title)
    return notify(
        user,
        kind,
        params,
        endpoint="listings.detail",
        values={"kind": listing.kind, "listing_id": listing.id},
        listing=listing,
        dedupe=dedupe,
    )


def about_organisation(org, kind, **params):
    """The same notification for every confirmed member of the organisation."""
    params.setdefault("name", org.name)
    for member in org.members:
        if member.is_active_member and not member.is_disabled:
            notify(member, kind, params, endpoint="accounts.organisation")
