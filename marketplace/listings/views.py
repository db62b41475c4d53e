"""Public pages of the listings feature: browsing, detail pages, organisation pages, attachment downloads."""

import logging
import os

from flask import abort, g, render_template, request, send_file
from flask_login import current_user

from ..accounts.models import Organisation
from ..extensions import db
from ..templating import translated_choices
from . import bp, fields, queries, services, visibility
from . import filters as filter_table
from .access import load_visible_listing
from .attachments import stored_path
from .cards import card_page
from .models import Attachment

log = logging.getLogger(__name__)

KIND_ROUTE = "/<any(achievement,need):kind>s/<int:listing_id>"


def _browse(kind):
    filters = queries.ListingFilters.from_args(request.args, kind)
    page = card_page(queries.public_listings(filters))
    return render_template(
        "listings/browse.html",
        kind=kind,
        filters=filters,
        page=page,
        sorts=_sort_labels(kind),
        filter_specs=_filter_specs(kind),
    )


def _sort_labels(kind):
    from flask_babel import gettext as _

    price = _("价格") if kind == "achievement" else _("预算")
    return [
        ("newest", _("最新发布")),
        ("price_asc", _("%(field)s从低到高", field=price)),
        ("price_desc", _("%(field)s从高到低", field=price)),
    ]


def _filter_specs(kind):
    """[(argument, label, choices)] of the filters that apply to this kind, for the GET form."""
    return [(f.arg, f.label_for(kind), translated_choices(f.vocabulary)) for f in filter_table.for_kind(kind)]


@bp.route("/achievements")
def achievements():
    """Public list of published achievements, with filters, sort and pagination."""
    return _browse("achievement")


@bp.route("/needs")
def needs():
    """Public list of published needs, with filters, sort and pagination."""
    return _browse("need")


@bp.route(KIND_ROUTE)
def detail(kind, listing_id):
    """A listing's page; the confidential tier and the contact only for those allowed to see them."""
    listing = load_visible_listing(listing_id, kind)
    g.listing_shown = listing  # for the page-view counter after the response (inquiries/listing_views.py)
    staff_or_owner = services.is_staff_or_owner(current_user, listing)
    return render_template(
        "listings/detail.html",
        listing=listing,
        is_owner=services.is_owner(current_user, listing),
        staff_or_owner=staff_or_owner,
        show_confidential=services.can_see_confidential(current_user, listing),
        show_contact=staff_or_owner,
        show_org=staff_or_owner or not (listing.kind == "need" and listing.hide_org_name),
        publicly_visible=visibility.is_public(listing),
        revision_changes=services.revision_changes(listing) if staff_or_owner and listing.pending_revision else [],
        event_labels=fields.EVENT_ACTIONS,
    )


@bp.route("/orgs/<int:org_id>")
def organisation(org_id):
    """Public page of an organisation: its profile and its published listings."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    page = card_page(queries.organisation_listings(org.id))
    return render_template("listings/organisation.html", org=org, page=page)


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id):
    """Download an attachment (confidential tier) under its original name; never shown inline."""
    item = db.session.get(Attachment, attachment_id)
    if item is None:
        abort(404)
    listing = item.listing
    if not services.can_view(current_user, listing):
        abort(404)
    if not services.can_see_confidential(current_user, listing):
        abort(403)
    path = stored_path(item.stored_name)
    if not os.path.isfile(path):
        log.error("attachment %s missing on disk: %s", item.id, path)
        abort(404)
    response = send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
