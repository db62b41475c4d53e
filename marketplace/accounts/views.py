"""Views of the accounts feature."""
from flask import redirect, url_for
from flask_login import current_user

from ..extensions import db
from . import bp
from .services import end_session


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out this browser; its old session cookie stops working."""
    if current_user.is_authenticated:
        end_session(current_user)
        db.session.commit()
    return redirect(url_for("main.index"))
