"""The card of a listing in the public lists (listings/_macros.html `card`): what it loads, and its HTML reused.

A list page is twenty cards. The page is paged on listing ids alone (an index-only read of the list's index),
then the cards' values are read as plain rows in two queries (columns with the organisation's name, tags), not
as ORM objects, which cost more to build than the page's SQL. A card shows only the columns in CARD_COLUMNS, the
organisation's name and the tags, so its HTML is a function of those values and the language: it is cached per
app under exactly that key (content-addressed: an edit changes the key, nothing is ever stale). A field added to
the card must be added to CARD_COLUMNS, which both loads it and keys the cache.
"""

import threading
from types import SimpleNamespace

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import select

from ..accounts.models import Organisation
from ..extensions import db
from ..pagination import paginate
from .models import Listing, Tag, listing_tags

CARD_COLUMNS = (
    Listing.id,
    Listing.kind,
    Listing.title,
    Listing.summary,
    Listing.price_wan,
    Listing.price_negotiable,
    Listing.industry,
    Listing.region,
    Listing.maturity,
    Listing.published_at,
    Listing.organisation_id,
    Listing.hide_org_name,
)
MAX_CACHED = 5000  # cards per app (a few MB); the cache starts over when full

_lock = threading.Lock()


def card_page(stmt):
    """A page of cards of `stmt` (a select of Listing, filtered and sorted), its total cached like every public
    list's: items are objects with the card's values (CARD_COLUMNS, `organisation.name`, `tag_names`)."""
    page = paginate(id_statement(stmt), cache_count=True)
    page.items = load_cards(page.items)
    return page


def id_statement(stmt):
    """`stmt` reduced to the listings' ids: same conditions and order, read from the list's index alone."""
    return stmt.with_only_columns(Listing.id)


def load_cards(ids):
    """The cards of these listing ids, in this order: two queries of plain rows."""
    if not ids:
        return []
    rows = db.session.execute(
        select(*CARD_COLUMNS, Organisation.name.label("organisation_name"))
        .join(Organisation, Organisation.id == Listing.organisation_id)
        .where(Listing.id.in_(ids))
    ).all()
    tags = {listing_id: [] for listing_id in ids}
    tag_rows = db.session.execute(
        select(listing_tags.c.listing_id, Tag.name)
        .join(Tag, Tag.id == listing_tags.c.tag_id)
        .where(listing_tags.c.listing_id.in_(ids))
        .order_by(Tag.name)  # as Listing.tags
    )
    for listing_id, name in tag_rows:
        tags[listing_id].append(name)
    by_id = {}
    for row in rows:
        values = row._asdict()
        organisation = SimpleNamespace(name=values.pop("organisation_name"))
        by_id[row.id] = SimpleNamespace(**values, organisation=organisation, tag_names=tags[row.id])
    return [by_id[listing_id] for listing_id in ids if listing_id in by_id]


def _key(item):
    values = tuple(getattr(item, column.key) for column in CARD_COLUMNS)
    return str(get_locale()), values, item.organisation.name, tuple(item.tag_names)


def card_html(item):
    """The card of `item` as HTML: rendered by the `card` macro the first time, reused while its content stays."""
    cache = current_app.extensions.setdefault("listing_cards", {})
    key = _key(item)
    html = cache.get(key)
    if html is None:
        macro = current_app.jinja_env.get_template("listings/_macros.html").module.card
        html = Markup(macro(item))
        with _lock:
            if len(cache) >= MAX_CACHED:
                cache.clear()
            cache[key] = html
    return html
