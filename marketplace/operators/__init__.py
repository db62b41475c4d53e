from flask import Blueprint

bp = Blueprint("operators", __name__)

# One module per operator area, each owned by its feature.
from . import views, moderation, users, organisations, exports  # noqa: E402,F401
