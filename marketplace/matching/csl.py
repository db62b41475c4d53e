"""Loading a CSL-format labelled set (achievements, needs) into a database and ranking it through the app.

Used by `flask match run/evaluate`, which point a second app at a fresh temporary SQLite database, so the
app's own data is never touched. Rows are written directly with the models (fast, no index writes): the
matcher's own pools are built from the database afterwards.
"""

import secrets
from datetime import date, timedelta

from ..accounts.services import create_organisation, create_user
from ..extensions import db
from ..listings.models import Achievement, Need
from ..listings.services import find_or_create_tags
from ..listings.tags import normalise_tag
from ..models_base import utcnow
from . import pools, services
from .models import MatchProfile


def load_records(achievements, needs, drop_category=False):
    """Create one owner per side and every record as a published listing; returns {external_id: listing id}."""
    org_a = create_organisation(name="评测成果方", org_type="university", region="nanchang")
    org_n = create_organisation(name="评测需求方", org_type="enterprise", region="nanchang")
    password = secrets.token_urlsafe(16)
    owners = {
        "achievement": create_user(
            email="eval-a@example.invalid", password=password, name="评测成果方", role="researcher", organisation=org_a
        ),
        "need": create_user(
            email="eval-n@example.invalid", password=password, name="评测需求方", role="company", organisation=org_n
        ),
    }
    now, valid = utcnow(), date.today() + timedelta(days=365)
    cache = {}
    created = []
    for records, cls, kind in ((achievements, Achievement, "achievement"), (needs, Need, "need")):
        owner = owners[kind]
        for rec in records:
            body = rec.get("summary") or rec.get("description") or ""
            listing = cls(
                external_id=rec["external_id"],
                title=(rec.get("title") or "")[:200],
                summary=body,
                industry="other",
                region="outside",
                status="published",
                owner=owner,
                organisation=owner.organisation,
                published_at=None,
                valid_until=valid,
                created_at=now,
            )
            # one Tag per key: tags that repeat after normalisation (T细胞, t细胞) never link twice
            listing.tags = find_or_create_tags([normalise_tag(n)[:40] for n in rec.get("tags") or ()], cache)
            db.session.add(listing)
            category = None if (drop_category and kind == "need") else rec.get("category")
            created.append((listing, rec.get("field") if kind == "achievement" else None, category))
    db.session.flush()
    db.session.add_all(MatchProfile(listing_id=x.id, discipline=f, category=c) for x, f, c in created)
    db.session.flush()
    return {x.external_id: x.id for x, _f, _c in created}


def rank_needs(ids, limit=10):
    """{need external id: [achievement external ids]} ranked by the code path that stores live suggestions."""
    pools.reset()
    all_pools = pools.get_pools()
    by_id = {v: k for k, v in ids.items()}
    need_ids = sorted(all_pools.by_kind["need"].profiles)
    return {
        by_id[need_id]: [by_id[r[0]] for r in results]
        for need_id, results in services.rankings(need_ids, all_pools, limit=limit)
    }
