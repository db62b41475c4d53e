"""From the ranker's matches to the suggestions a user is shown. Pure: no app, no database.

One function serves the live updater, `flask match run/evaluate` and the benchmarks: it keeps a pair only on
evidence both owners can check (a shared subject word or one of the candidate's tags in the listing's text, never
generic words alone), applies a malus for candidates like ones the owner dismissed, and drops pairs whose
calibrated score is under the threshold.
"""

from . import calibration, explain, ranker
from . import text as textmod

DEPTH = 40  # matches ranked beyond `limit`, so that pairs dropped for lack of evidence leave enough


def has_specific_evidence(items, stats):
    """A shared word that names a subject, or one of the candidate's tags found in the listing's text."""
    for item in items:
        if item["key"] == "tags":
            return True
        if item["key"] == "text" and any(textmod.is_specific(w, stats) for w in item["params"]["terms"]):
            return True
    return False


def query_words(doc, stats):
    """The listing's content words, most specific first (the candidates' shared words are picked from these)."""
    words = dict.fromkeys(w for w in textmod.words(f"{doc.title} {doc.body} {' '.join(doc.tags)}") if len(w) >= 2)
    return sorted(words, key=lambda w: -stats.idf("w:" + w))


def suggestions(
    doc, pool, limit, exclude=(), malus=None, threshold=True, max_terms=ranker.RETRIEVAL_TERMS, now=None, **rank_options
):
    """[(candidate id, raw score, factor items, calibrated percent)] best first.

    `malus(candidate doc)` may return a dismissal item; without `threshold` pairs under MIN_PERCENT are kept too
    (the calibration is fitted on those)."""
    matches = ranker.rank(
        doc,
        pool,
        limit=limit + DEPTH,
        exclude=exclude,
        max_terms=max_terms,
        now=now,
        exclude_owner=doc.owner_id,
        exclude_organisation=doc.organisation_id,
        **rank_options,
    )
    words = query_words(doc, pool.stats)
    out = []
    for m in matches:
        if malus is None and len(out) == limit:
            break  # matches come best first and nothing lowers a score: the list is complete
        entry = pool.profiles[m.doc_id]
        if (
            threshold
            and malus is None
            and calibration.percent(m.score, bool(entry.doc.field)) < calibration.MIN_PERCENT
        ):
            continue  # under the threshold: skip explaining it (the cheap check first)
        items = explain.factor_items(m, doc, entry.doc, cand_terms=pool.terms_of(m.doc_id), query_words=words)
        if not has_specific_evidence(items, pool.stats):
            continue
        score = m.score
        extra = malus(entry.doc) if malus else None
        if extra:
            items.append(extra)
            score += extra["value"]
        percent = calibration.percent(score, bool(entry.doc.field))
        if threshold and percent < calibration.MIN_PERCENT:
            continue
        out.append((m.doc_id, round(score, 4), items, percent))
    out.sort(key=lambda r: -r[1])
    return out[:limit]
