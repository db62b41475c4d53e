"""In-app notifications (badge, list), their e-mails (at once or as a daily digest) and per-user settings."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from . import views  # noqa: E402,F401
