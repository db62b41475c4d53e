from flask import Blueprint

bp = Blueprint("events", __name__)

from . import experts_views, lineup_views, manage, meetings_views, report_views, views  # noqa: E402,F401
