"""The statements behind every public list, count and home-page query, for EXPLAIN (tests and bench/explain).

Kept beside queries.py so that a new list or sort shows up in the plan test the day it is added."""

from sqlalchemy import func

from ..extensions import db
from ..pagination import count_statement
from . import queries
from .cards import id_statement
from .models import Listing

KINDS = ("achievement", "need")


def statements(org_id=1, owner_id=1):
    """[(name, select)]: lists (first page, newest first and by price), their counts, the organisation and home page,
    and the owner's workspace counts."""
    out = []
    for kind in KINDS:
        lst = id_statement(queries.public_listings(queries.ListingFilters(kind=kind)))  # as the page runs it
        out.append((f"list {kind} newest", lst.limit(20)))
        for sort in ("price_asc", "price_desc"):
            out.append(
                (
                    f"list {kind} {sort}",
                    id_statement(queries.public_listings(queries.ListingFilters(kind=kind, sort=sort))).limit(20),
                )
            )
        out.append((f"count {kind}", count_statement(lst)))
        out.append(
            (
                f"home latest {kind}",
                db.select(Listing)
                .where(Listing.kind == kind, queries.public_condition())
                .order_by(Listing.published_at.desc(), Listing.id.desc())
                .limit(6),
            )
        )
    org = id_statement(queries.organisation_listings(org_id))
    out.append(("organisation list", org.limit(20)))
    out.append(("organisation count", count_statement(org)))
    out.append(("owner counts", queries.owner_status_counts(owner_id)))
    out.append(
        ("home counts", db.select(Listing.kind, func.count()).where(queries.public_condition()).group_by(Listing.kind))
    )
    return out


def extra_statements():
    """Plans reported but not promised index-ordered: filtered lists."""
    out = []
    for kind in KINDS:
        out.append(
            (
                f"list {kind} industry",
                id_statement(
                    queries.public_listings(queries.ListingFilters(kind=kind, values={"industry": "electronics"}))
                ).limit(20),
            )
        )
    return out
