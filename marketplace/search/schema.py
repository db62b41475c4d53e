"""The index schema and how a listing becomes an index document.

CONFIDENTIAL: only public text is indexed. An achievement's `description`, IP numbers, project numbers and
contact fields never reach the index, so no query can find them and no snippet can show them.
"""

from datetime import UTC, datetime

from whoosh import columns
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from .. import taxonomy
from ..listings import visibility
from ..listings.filters import FILTERS
from .analysis import (
    LeadTokenizer,
    SegmentFrequency,
    SegmentPositions,
    SegmentTokenizer,
    SubwordTokenizer,
    normalize,
)
from .labels import facts_lines

# Facet fields: (index field, query-string argument). Values are taxonomy codes.
FACETS = tuple(f.name for f in FILTERS)  # the one table of filters (listings/filters.py)
SINGLE_VALUED = tuple(name for name in FACETS if name != "coop")
NO_VALID_UNTIL = 99999999  # yyyymmdd sentinel for "no end date"
MISSING = 2**63 - 1  # an absent number (no price)


def _segmented(analyzer, boost=1.0, positions=True, stored=False):
    field = TEXT(analyzer=analyzer, phrase=positions, field_boost=boost, stored=stored)
    field.format = (SegmentPositions if positions else SegmentFrequency)(field_boost=boost)
    return field


def _code():
    return COLUMN(columns.RefBytesColumn())  # few distinct values: stored once, referenced per document


def _number():
    return COLUMN(columns.NumericColumn("q", default=MISSING))


def build_schema(terms):
    """A schema whose analyzers carry the domain dictionary `terms` (pickled into the index).

    Facet and sort values are columns only (never indexed): filters and counts run on per-document arrays
    (facets.py), which saves ~50 postings per document against sortable ID/NUMERIC fields.
    """
    seg = SegmentTokenizer(terms)
    return Schema(
        id=ID(stored=True, unique=True),
        kind=_code(),
        title=_segmented(seg, boost=3.0, stored=True),
        body=_segmented(seg),  # public text + tags
        sub=_segmented(SubwordTokenizer(terms), boost=0.5, positions=False),  # words inside words, all of it
        lead=_segmented(LeadTokenizer(terms), positions=False),  # the title's words that begin a phrase
        facts=_segmented(seg),  # organisation names, city, industry, maturity, programme labels (zh and en)
        text=STORED(),  # public text, for snippets
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True, field_boost=2.0),
        industry=_code(),
        region=_code(),
        maturity=_code(),
        source_programme=_code(),
        price_band=_code(),
        coop=_number(),  # cooperation bit mask
        price=_number(),  # 元 (price_wan × 10,000); MISSING = 面议
        published_at=_number(),  # epoch seconds (UTC)
        valid_until=_number(),  # yyyymmdd; documents past it are hidden at query time
        updated_at=STORED(),  # isoformat, compared by `flask search reconcile`
    )


def is_public(listing, today=None):
    """Whether a listing belongs in the index: public today (listings.visibility decides)."""
    return visibility.is_public(listing, today)


def public_text(listing, normalized=True):
    """The text anyone may read: the summary, and for needs the description and indicators."""
    parts = [listing.summary or ""]
    if listing.kind == "need":
        parts += [listing.description or "", listing.indicators or ""]
    text = "\n".join(p for p in parts if p).strip()
    return normalize(text) if normalized else text


def epoch(value):
    """Epoch seconds of a naive UTC datetime (0 when missing)."""
    return int(value.replace(tzinfo=UTC).timestamp()) if isinstance(value, datetime) else 0


def stamp(value):
    return value.isoformat(timespec="microseconds") if isinstance(value, datetime) else ""


def document(listing):
    """The index document of a public listing (public fields only)."""
    title = normalize(listing.title or "")
    text = public_text(listing)
    tags = [normalize(t).lower() for t in listing.tag_names]
    body = "\n".join([text, " ".join(tags)])
    valid = listing.valid_until
    price = None
    if listing.price_wan is not None and not listing.price_negotiable:
        price = int(round(float(listing.price_wan) * 10000))
    doc = dict(
        id=str(listing.id),
        kind=listing.kind.encode(),
        title=title,
        body=body,
        sub=title + "\n" + body,
        lead=title,
        facts="\n".join(normalize(line) for line in facts_lines(listing)),
        text=text,
        tags=",".join(t.replace(",", " ") for t in tags),
        industry=(listing.industry or "").encode(),
        region=(listing.region or "").encode(),
        maturity=(listing.maturity or "").encode(),
        source_programme=(listing.source_programme or "").encode(),
        price_band=taxonomy.price_band(listing.price_wan, listing.price_negotiable).encode(),
        coop=int(listing.cooperation_mask or 0),
        valid_until=int(valid.strftime("%Y%m%d")) if valid else NO_VALID_UNTIL,
        updated_at=stamp(listing.updated_at),
    )
    doc["price"] = MISSING if price is None else price
    doc["published_at"] = epoch(listing.published_at)
    return doc
