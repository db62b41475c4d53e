from flask import Blueprint

bp = Blueprint("matching", __name__)

from . import views  # noqa: E402,F401
