"""Tell a user about something that happened in an event.

`notify` goes through the notifications package: an in-app notification (badge, list) and its e-mail with an
absolute link, by the user's own settings (group "events"). Views call it after their commit, so it commits the
notification itself; the e-mail leaves after that commit (notifications.views). `send_link_mail` is for a link
that must never be stored, such as an expert's first sign-in link.
"""

import logging

from ..extensions import db
from ..mail import send_mail
from ..notifications import services as notifications
from ..urls import external_url

log = logging.getLogger(__name__)


def notify(user, subject, text, endpoint, kind="event_update", **values):
    """Notify `user` (in the app, and by e-mail unless switched off) with a link to `endpoint`; True when created.

    kind "event_agenda" attaches the person's .ics agenda of the event (`event_id`) to the e-mail."""
    if user is None or getattr(user, "is_disabled", False):
        return False
    note = notifications.notify(
        user, kind, {"subject": str(subject), "text": str(text)}, endpoint=endpoint, values=values
    )
    db.session.commit()
    return note is not None


def send_link_mail(user, subject, text, endpoint, **values):
    """E-mail `user` the subject and text followed by the absolute link to `endpoint` (nothing stored)."""
    if user is None or getattr(user, "is_disabled", False) or not user.email:
        return False
    link = external_url(endpoint, **values)
    body = f"{user.name}：\n\n{text}\n\n{link}\n"
    return send_mail(user.email, str(subject), body)


def commit_or_flash(action, success):
    """Run a service call in a view: commit and flash `success`, or roll back and flash the EventError's reason.
    Returns the call's result, None when refused."""
    from flask import flash

    from .services import EventError

    try:
        result = action()
    except EventError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return None
    db.session.commit()
    flash(success, "success")
    return result
