"""Personal information (PIPL): the privacy policy and consent to it, the collection list, "download my data"
and account deletion."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import views  # noqa: E402,F401
