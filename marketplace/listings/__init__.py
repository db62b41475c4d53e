from flask import Blueprint

bp = Blueprint("listings", __name__)

from . import owner_views, views  # noqa: E402,F401
