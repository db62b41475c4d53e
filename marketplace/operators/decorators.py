"""Role checks as decorators, next to login_required."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def operator_required(view):
    """Signed-in operators only: others get 403, visitors go to the sign-in page."""

    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_operator:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles):
    """Signed-in users of these roles only (e.g. experts): others get 403, visitors go to the sign-in page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
