"""Public listing queries and the filter semantics shared by browsing, search facets and matching.

Public means what visibility.public_condition says (one rule for every surface).
"""

from dataclasses import dataclass, field

from sqlalchemy import func, or_

from .. import taxonomy
from ..extensions import db
from . import filters as filter_table
from .models import Listing, negotiable_last
from .visibility import public_condition

SORTS = ("newest", "price_asc", "price_desc")


@dataclass
class ListingFilters:
    """Validated browse filters: one code per filter argument (filters.FILTERS); unknown codes are dropped."""

    kind: str = None
    values: dict = field(default_factory=dict)  # URL argument -> code
    sort: str = "newest"

    @classmethod
    def from_args(cls, args, kind=None):
        """Read filters from request.args (or any mapping); codes outside the taxonomy are ignored."""
        chosen = filter_table.read(args, kind, skip=("kind",))
        sort = (args.get("sort") or "").strip()
        return cls(
            kind=kind, values={arg: codes[0] for arg, codes in chosen.items()}, sort=sort if sort in SORTS else "newest"
        )

    def value(self, arg):
        return self.values.get(arg)

    def active(self):
        """[(argument, code, label)] of the filters in use, for the filter chips."""
        return [(f.arg, code, text) for f, code, text in filter_table.labels(self.values)]


def negotiable_condition():
    return or_(Listing.price_negotiable.is_(True), Listing.price_wan.is_(None))


def band_condition(band):
    """SQL condition for a PRICE_BANDS code (upper bound exclusive)."""
    if band == "negotiable":
        return negotiable_condition()
    _label, low, high = taxonomy.PRICE_BANDS[band]
    conditions = [Listing.price_negotiable.is_(False), Listing.price_wan.is_not(None), Listing.price_wan >= low]
    if high is not None:
        conditions.append(Listing.price_wan < high)
    return db.and_(*conditions)


def filter_condition(spec, code):
    """SQL condition for one code of one filter of the table."""
    if spec.name == "coop":
        return Listing.cooperation_mask.op("&")(taxonomy.COOPERATION_BITS[code]) != 0
    if spec.name == "price_band":
        return band_condition(code)
    return getattr(Listing, spec.name) == code


def apply_filters(stmt, filters):
    """Add the WHERE clauses of `filters` to a select of Listing."""
    if filters.kind:
        stmt = stmt.where(Listing.kind == filters.kind)
    for arg, code in filters.values.items():
        stmt = stmt.where(filter_condition(filter_table.BY_ARG[arg], code))
    return stmt


def apply_sort(stmt, sort):
    """Newest first, or by price with 面议 (no price) always last; ties broken by newest."""
    newest = (Listing.published_at.desc(), Listing.id.desc())
    if sort in ("price_asc", "price_desc"):
        price = Listing.price_wan.asc() if sort == "price_asc" else Listing.price_wan.desc()
        return stmt.order_by(negotiable_last(), price, *newest)  # the terms of ix_listings_public_price_*
    return stmt.order_by(*newest)


def public_listings(filters):
    """The select statement of public listings matching `filters`, sorted."""
    stmt = db.select(Listing).where(public_condition())
    return apply_sort(apply_filters(stmt, filters), filters.sort)


def organisation_listings(org_id):
    """An organisation's public listings, newest first; needs that hide the company name are left out."""
    stmt = (
        db.select(Listing)
        .where(public_condition(), Listing.organisation_id == org_id)
        .where(or_(Listing.kind != "need", Listing.hide_org_name.is_(False)))
    )
    return apply_sort(stmt, "newest")


def owner_status_counts(owner_id):
    """(status, listings, of which with a revision awaiting review) of one owner's listings, grouped by status:
    the tabs of the owner's workspace, read from ix_listings_owner_status."""
    return (
        db.select(Listing.status, func.count(), func.count(Listing.revision_submitted_at))
        .where(Listing.owner_id == owner_id)
        .group_by(Listing.status)
    )
