"""Navigation badges: the counts a signed-in page shows in its header (unread notifications, inbox), one query.

A feature registers a counter: a function of the user that returns a scalar SQL expression (a count subquery).
The first `badge(name)` of a request runs one SELECT with every registered counter as a column and keeps the row
for the rest of the request (in its WSGI environ), so a page with two badges, or a badge shown twice, costs one
round trip instead of one per count. Counting is lazy: a page that shows no badge runs nothing, and a view that
changes a count before rendering (marks notifications read) is counted after its change.
"""

from flask import request
from flask_login import current_user

from .extensions import db

_ENVIRON_KEY = "marketplace.badge_counts"
_counters = {}  # name -> function(user) -> scalar SQL expression


def counter(name):
    """Decorator: register `fn(user)` returning a scalar SQL expression as the badge `name`."""

    def register(fn):
        _counters[name] = fn
        return fn

    return register


def counts(user):
    """{badge name: count} for `user`, every registered counter in one SELECT."""
    names = sorted(_counters)
    if not names:
        return {}
    row = db.session.execute(db.select(*(_counters[name](user).label(name) for name in names))).one()
    return {name: value or 0 for name, value in zip(names, row, strict=True)}


def badge(name):
    """The count of badge `name` for the signed-in user (0 when signed out), read once per request."""
    if not current_user.is_authenticated:
        return 0
    # Kept in the request's environ, not flask.g: g belongs to the app context, which tests may hold open across
    # several requests.
    cached = request.environ.get(_ENVIRON_KEY)
    if cached is None or cached[0] != current_user.id:
        cached = request.environ[_ENVIRON_KEY] = (current_user.id, counts(current_user))
    return cached[1].get(name, 0)
