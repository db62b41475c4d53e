from flask import Blueprint

bp = Blueprint("listings", __name__)

from . import views  # noqa: E402,F401
