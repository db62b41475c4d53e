"""Export of listings in the columns the importer reads, so an export imports back into the same listings.

JSONL carries codes (tags and cooperation modes as lists); CSV and XLSX carry the Chinese labels a person
reads (the importer accepts both) and "; "-joined lists. Confidential columns (an achievement's detailed
description, contact details, the owner's email) are written only when asked for explicitly.
"""

import logging

from sqlalchemy.orm import selectinload

from .. import taxonomy
from ..extensions import db
from ..listings import visibility
from ..listings.fields import VOCABULARIES
from ..listings.models import Listing
from .formats import CONFIDENTIAL_COLUMNS, PUBLIC_COLUMNS, write_rows
from .rows import ACHIEVEMENT_ONLY, NEED_ONLY, msgid

log = logging.getLogger(__name__)

PAGE_SIZE = 1000
LABELLED = dict(VOCABULARIES, status=taxonomy.LISTING_STATUSES, kind=taxonomy.LISTING_KINDS)


def columns(include_confidential=False):
    return PUBLIC_COLUMNS + (CONFIDENTIAL_COLUMNS if include_confidential else ())


def _msgid(vocabulary, code):
    """The Chinese label of a code as stored in the taxonomy (not translated), or the code itself."""
    value = vocabulary.get(code)
    if value is None:
        return code
    return msgid(value[0] if isinstance(value, tuple) else value)


def listing_row(listing, labels=False, include_confidential=False):
    """One listing as an export row; codes, or Chinese labels with labels=True."""
    row = {name: getattr(listing, name) for name in PUBLIC_COLUMNS if hasattr(Listing, name)}
    row.update(
        external_id=listing.external_id or f"listing-{listing.id}",
        tags=listing.tag_names,
        organisation=listing.organisation.name,
        cooperation_modes=listing.cooperation_modes,
        status=visibility.effective_status(listing),
    )
    wrong_kind = NEED_ONLY if listing.kind == "achievement" else ACHIEVEMENT_ONLY
    for name in wrong_kind:
        row[name] = None
    if listing.kind == "achievement" and not include_confidential:
        row["description"] = None
    if include_confidential:
        row.update({name: getattr(listing, name) for name in CONFIDENTIAL_COLUMNS if name != "owner"})
        row["owner"] = listing.owner.email
    if labels:
        for name, vocabulary in LABELLED.items():
            if row.get(name):
                row[name] = _msgid(vocabulary, row[name])
        row["cooperation_modes"] = [_msgid(taxonomy.COOPERATION_MODES, c) for c in row["cooperation_modes"]]
    return row


def query_listings(kind=None, status=None):
    """The listings to export, oldest first."""
    query = db.select(Listing).order_by(Listing.id)
    if kind:
        query = query.where(Listing.kind == kind)
    if status == "published":  # what the public sees today, as every other surface decides it
        query = query.where(visibility.public_condition())
    elif status == "expired":
        query = query.where(visibility.expired_condition())
    elif status:
        query = query.where(Listing.status == status)
    return query


def iter_listings(kind=None, status=None, include_confidential=False):
    """Listings page by page (keyset on id), so a large export never holds every row in memory."""
    options = [selectinload(Listing.organisation)]
    if include_confidential:
        options.append(selectinload(Listing.owner))
    last_id = 0
    while True:
        query = query_listings(kind, status).where(Listing.id > last_id).options(*options).limit(PAGE_SIZE)
        page = db.session.execute(query).scalars().all()
        if not page:
            return
        yield from page
        last_id = page[-1].id  # the session's identity map holds weak references: pages are released


def export_listings(stream, fmt, kind=None, status=None, include_confidential=False):
    """Write the matching listings to a binary stream in `fmt`; returns how many were written."""
    count = 0

    def rows():
        nonlocal count
        for listing in iter_listings(kind, status, include_confidential):
            count += 1
            yield listing_row(listing, labels=fmt != "jsonl", include_confidential=include_confidential)

    write_rows(rows(), columns(include_confidential), fmt, stream)
    log.info("exported %d listings as %s (kind=%s, status=%s)", count, fmt, kind, status)
    return count
