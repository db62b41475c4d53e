from flask import Blueprint, current_app

bp = Blueprint("matching", __name__)


@bp.before_app_request
def _start_updater():
    from .background import ensure_started

    ensure_started(current_app._get_current_object())


from . import views  # noqa: E402,F401
