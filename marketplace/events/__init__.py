from flask import Blueprint

bp = Blueprint("events", __name__)

from . import (  # noqa: E402,F401
    assessments_views,
    experts_views,
    lineup_views,
    manage,
    meetings_views,
    report_views,
    views,
)
