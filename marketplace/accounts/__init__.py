from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import security_views, views  # noqa: E402,F401
from .sessions import touch_after_request  # noqa: E402

bp.after_app_request(touch_after_request)
