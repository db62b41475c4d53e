"""Tell a user about something that happened in an event: an e-mail with an absolute link.

One function, so that the lead can route it into the notifications package (in-app + e-mail) at merge.
"""
import logging

from ..mail import send_mail
from ..urls import external_url

log = logging.getLogger(__name__)


def notify(user, subject, text, endpoint, **values):
    """E-mail `user` the subject and text followed by the absolute link to `endpoint`; True when sent."""
    if user is None or getattr(user, "is_disabled", False) or not user.email:
        return False
    link = external_url(endpoint, **values)
    body = f"{user.name}：\n\n{text}\n\n{link}\n"
    return send_mail(user.email, str(subject), body)
