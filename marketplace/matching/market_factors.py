"""Market factors of a pair: maturity, cooperation mode, price, region, freshness (industry is the ranker's
category factor).

Each returns a small signed value and the data its explanation needs, or nothing when either side lacks
the information (so CSL records without these fields are neither helped nor hurt). Pure functions.
"""

from datetime import UTC, datetime

from .. import taxonomy

# Small against the text factors (each in [0, 1]): they reorder comparable candidates, they do not bury relevance.
VALUES = {
    "maturity_ok": 0.05,
    "maturity_low": -0.15,
    "coop_overlap": 0.05,
    "coop_none": -0.10,
    "price_ok": 0.05,
    "price_high": -0.10,
    "region_same": 0.05,
    "region_province": 0.02,
    "fresh": 0.03,
    "stale": -0.03,
}


def _sides(a, b):
    """(need, achievement) whichever order the pair comes in."""
    return (a, b) if a.kind == "need" else (b, a)


def maturity(need, ach):
    if not need.min_maturity or not ach.maturity:
        return None
    rank = taxonomy.MATURITY_RANK
    if need.min_maturity not in rank or ach.maturity not in rank:
        return None
    key = "maturity_ok" if rank[ach.maturity] >= rank[need.min_maturity] else "maturity_low"
    return key, {"need": need.min_maturity, "ach": ach.maturity}


def cooperation(need, ach):
    if not need.cooperation_mask or not ach.cooperation_mask:
        return None
    common = need.cooperation_mask & ach.cooperation_mask
    if common:
        return "coop_overlap", {"modes": taxonomy.modes_from_mask(common)}
    return "coop_none", {}


def price(need, ach):
    if need.price_wan is None or ach.price_wan is None or need.price_negotiable or ach.price_negotiable:
        return None
    budget, asked = float(need.price_wan), float(ach.price_wan)
    key = "price_ok" if asked <= budget else "price_high"
    return key, {"budget": budget, "price": asked}


def region(need, ach):
    if not need.region or not ach.region or "outside" in (need.region, ach.region):
        return None
    if need.region == ach.region:
        return "region_same", {"region": need.region}
    return "region_province", {}


def freshness(candidate, now=None):
    """Freshness of the suggested side (the one the viewer would contact)."""
    published = candidate.published_at
    if published is None:
        return None
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if getattr(published, "tzinfo", None) is not None:
        published = published.astimezone(UTC).replace(tzinfo=None)
    age = (now - published).days
    if age <= 30:
        return "fresh", {"days": 30}
    if age > 365:
        return "stale", {"days": 365}
    return None


CHECKS = {"maturity": maturity, "cooperation": cooperation, "price": price, "region": region}


def factors(query_doc, cand_doc, now=None):
    """code -> (value, {"key": ..., **params}) for every market factor that applies to the pair."""
    if query_doc.kind == cand_doc.kind:
        return {}
    need, ach = _sides(query_doc, cand_doc)
    out = {}
    results = [(code, fn(need, ach)) for code, fn in CHECKS.items()]
    results.append(("freshness", freshness(cand_doc, now=now)))
    for code, result in results:
        if result:
            key, params = result
            out[code] = (VALUES[key], dict(params, key=key))
    return out
