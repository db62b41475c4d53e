from flask import Blueprint

bp = Blueprint("events", __name__)

from . import manage, views  # noqa: E402,F401
