"""The card of a listing in the public lists (listings/_macros.html `card`): what it loads, and its HTML reused.

A list page is twenty cards, and rendering them was the larger part of its time. A card shows only the columns
in CARD_COLUMNS, the organisation's name and the tags, so its HTML is a function of those values and the
language: it is cached per app under exactly that key (content-addressed: an edit changes the key, nothing is
ever stale). A field added to the card must be added to CARD_COLUMNS, which both loads it and keys the cache.
"""

import threading

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.orm import joinedload, load_only, selectinload

from ..accounts.models import Organisation
from .models import Listing

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
# Options of a select of Listing shown as cards: these columns, the organisation's name and the tags in one
# query each (not one per card).
CARD_LOAD = (
    load_only(*CARD_COLUMNS),
    joinedload(Listing.organisation).load_only(Organisation.id, Organisation.name),
    selectinload(Listing.tags),
)
MAX_CACHED = 5000  # cards per app (a few MB); the cache starts over when full

_lock = threading.Lock()


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
