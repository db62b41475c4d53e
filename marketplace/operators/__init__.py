from flask import Blueprint

bp = Blueprint("operators", __name__)

# One module per operator area, each owned by its feature.
from . import exports, moderation, organisations, users, views  # noqa: E402,F401
