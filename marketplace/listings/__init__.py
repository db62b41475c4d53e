from flask import Blueprint

bp = Blueprint("listings", __name__)

from . import manage, views  # noqa: E402,F401
