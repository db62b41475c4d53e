"""Public listing queries and the filter semantics shared by browsing, search facets and matching.

Public means what visibility.public_condition says (one rule for every surface).
"""

from dataclasses import dataclass
from dataclasses import fields as dc_fields

from sqlalchemy import case, or_

from .. import taxonomy
from ..extensions import db
from .models import Listing
from .visibility import public_condition

SORTS = ("newest", "price_asc", "price_desc")

# filter name -> (vocabulary, kinds it applies to)
FILTERS = {
    "industry": (taxonomy.INDUSTRIES, ("achievement", "need")),
    "region": (taxonomy.REGIONS, ("achievement", "need")),
    "maturity": (taxonomy.MATURITIES, ("achievement",)),
    "mode": (taxonomy.COOPERATION_MODES, ("achievement", "need")),
    "programme": (taxonomy.SOURCE_PROGRAMMES, ("achievement",)),
    "band": (taxonomy.PRICE_BANDS, ("achievement", "need")),
}


@dataclass
class ListingFilters:
    """Validated filter values: unknown codes are dropped rather than failing the page."""

    kind: str = None
    industry: str = None
    region: str = None
    maturity: str = None
    mode: str = None
    programme: str = None
    band: str = None
    sort: str = "newest"

    @classmethod
    def from_args(cls, args, kind=None):
        """Read filters from request.args (or any mapping); codes outside the taxonomy are ignored."""
        values = {"kind": kind}
        for name, (vocabulary, kinds) in FILTERS.items():
            code = (args.get(name) or "").strip()
            if code in vocabulary and (kind is None or kind in kinds):
                values[name] = code
        sort = (args.get("sort") or "").strip()
        values["sort"] = sort if sort in SORTS else "newest"
        return cls(**values)

    def active(self):
        """[(name, code, label)] of the filters in use, for the filter chips."""
        chips = []
        for f in dc_fields(self):
            if f.name in FILTERS and getattr(self, f.name):
                vocabulary = FILTERS[f.name][0]
                chips.append((f.name, getattr(self, f.name), taxonomy.label(vocabulary, getattr(self, f.name))))
        return chips


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


def apply_filters(stmt, filters):
    """Add the WHERE clauses of `filters` to a select of Listing."""
    if filters.kind:
        stmt = stmt.where(Listing.kind == filters.kind)
    if filters.industry:
        stmt = stmt.where(Listing.industry == filters.industry)
    if filters.region:
        stmt = stmt.where(Listing.region == filters.region)
    if filters.maturity:
        stmt = stmt.where(Listing.maturity == filters.maturity)
    if filters.programme:
        stmt = stmt.where(Listing.source_programme == filters.programme)
    if filters.mode:
        stmt = stmt.where(Listing.cooperation_mask.op("&")(taxonomy.COOPERATION_BITS[filters.mode]) != 0)
    if filters.band:
        stmt = stmt.where(band_condition(filters.band))
    return stmt


def apply_sort(stmt, sort):
    """Newest first, or by price with 面议 (no price) always last; ties broken by newest."""
    newest = (Listing.published_at.desc(), Listing.id.desc())
    if sort in ("price_asc", "price_desc"):
        negotiable_last = case((negotiable_condition(), 1), else_=0)
        price = Listing.price_wan.asc() if sort == "price_asc" else Listing.price_wan.desc()
        return stmt.order_by(negotiable_last, price, *newest)
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
