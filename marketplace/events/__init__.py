from flask import Blueprint

bp = Blueprint("events", __name__)

from . import lineup_views, manage, meetings_views, views  # noqa: E402,F401
