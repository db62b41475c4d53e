"""Load-or-abort helpers for routes that take a listing id: every such route, in any package, uses one of these.

404 when the listing is missing (or of another kind, or not visible to the user); 403 when it is visible but
the user may not change it.
"""

from flask import abort, request
from flask_login import current_user

from ..extensions import db
from . import services
from .models import Listing


def load_listing(listing_id, kind=None, lock=False):
    """The listing with that id (and kind), else 404. `lock`: SELECT ... FOR UPDATE, for changes, so that two
    concurrent decisions on one listing cannot both pass the status check (PostgreSQL; SQLite serialises writes)."""
    listing = db.session.get(Listing, listing_id, with_for_update=True if lock else None)
    if listing is None or (kind is not None and listing.kind != kind):
        abort(404)
    return listing


def load_visible_listing(listing_id, kind=None):
    """A listing the current user may see: public ones to everybody, others to the owner and operators (404)."""
    listing = load_listing(listing_id, kind)
    if not services.can_view(current_user, listing):
        abort(404)
    return listing


def load_own_listing(listing_id, kind=None):
    """The current user's listing: 404 when missing, 403 when it belongs to someone else (locked for a POST)."""
    listing = load_listing(listing_id, kind, lock=request.method == "POST")
    if not services.is_owner(current_user, listing):
        abort(403)
    return listing
