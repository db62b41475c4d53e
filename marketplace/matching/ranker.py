"""The matcher: ranks one side's pool (e.g. achievements) for a listing of the other side (e.g. a need).

Pure Python, no app. Two stages:
1. text evidence: BM25 over segmented words and character bigrams, plus the pool document's tags found
   literally in the query text (tags are authors' keywords, so a hit is a strong signal: such a document is a
   candidate even when the texts share no word);
2. pseudo-relevance feedback from the best text matches: their fields/categories give the query's likely
   discipline (used when the query has none, and to rank within a given category; mixed with the pool's
   discipline model, disciplines.py), their tags give expansion keywords that other pool documents may share.
The final score is a weighted sum of factors, each in [0, 1]; product factors (industry, maturity,
cooperation, price, region, freshness) only apply when both sides carry the data.
"""

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import features as ft
from . import market_factors as product
from .postings import Pool  # noqa: F401  (the ranker's pool type)

# Few, rounded weights (tuned on csl-dev as a whole, never per need).
WEIGHTS = {
    "text": 1.0,  # BM25 words + bigrams, normalised by the best candidate
    "tags": 0.5,  # the candidate's tags found in the query text
    "prf_tags": 0.5,  # the candidate's tags shared with the best text matches
    "field": 1.6,  # agreement with the (inferred) discipline
    "category": 0.8,  # agreement with the (given or inferred) category
    "product": 1.0,  # scale of the product factors (each is a small bonus or malus)
}
FEEDBACK_DOCS = 3  # tags of this many top text matches expand the query
FIELD_DOCS = 10  # fields of this many top text matches vote for the discipline
VOTE_SHARE = 0.5  # the rest of the discipline estimate comes from the pool's discipline model (disciplines.py)
RETRIEVAL_TERMS = 20  # candidates share one of the query's most specific words (a handful keeps it fast)
RETRIEVAL_LIMIT = 400  # documents scored on the whole query after retrieval on those words
CANDIDATES = 400  # how many text candidates are re-ranked
FIELD_EXPAND_MIN = 0.4  # share of the top matches' votes a discipline needs to bring in all its documents
FIELD_EXPAND_MAX = 3000
PRF_EXPAND_MAX = 200  # a feedback tag on more documents than this brings none in (it is generic at that scale)
TAGGED_MAX = 200  # documents brought in because one of their tags is in the query text (the rarest tags first)


@dataclass
class Match:
    doc_id: object
    score: float
    factors: dict = field(default_factory=dict)  # code -> value in [0, 1] (product: signed)
    details: dict = field(default_factory=dict)  # code -> data for explanations (matched terms, ...)


def _text_scores(query, pool, max_terms=None, extra=()):
    """BM25 over the whole query of every pool document sharing a query word, and of the `extra` documents.

    With `max_terms`, candidates are only those sharing one of the query's most specific words (fast at
    100k listings), but they are still scored on the whole query (words and bigrams).
    """
    words = [t for t in query.tf if t.startswith("w:")]
    if max_terms:
        words = sorted(words, key=pool.stats.idf, reverse=True)[:max_terms]
    found = pool.top_by_terms(words, RETRIEVAL_LIMIT)
    return pool.bm25(query.tf, list(dict.fromkeys([*found, *sorted(extra, key=str)]))), set(found)


def _tag_hits(query, pool, ids):
    """Tags of pool documents that occur in the query text, weighted by tag specificity."""
    hits, values = {}, {}
    for i in ids:
        found = ft.tags_in_text(pool.profiles[i].tags, query.norm_text)
        if found:
            hits[i] = found
            values[i] = sum(pool.stats.tag_idf(t) for t in found)
    return hits, values


def _normalised(values):
    top = max(values.values(), default=0) or 1.0
    return {k: v / top for k, v in values.items()}


def _vote(pool, ranked_ids, scores, attr):
    """Score-weighted distribution of a document attribute (field/category) among the top matches."""
    votes = Counter()
    for i in ranked_ids:
        value = getattr(pool.profiles[i].doc, attr)
        if value:
            votes[value] += scores[i]
    total = sum(votes.values())
    return {k: v / total for k, v in votes.items()} if total else {}


@dataclass
class Evidence:
    """What retrieval and feedback found for one query: candidates and the values the scoring step reads."""

    candidates: set
    text: dict  # candidate -> BM25 relative to the best candidate
    tags: dict  # candidate -> weight of its tags found in the query text
    hits: dict  # candidate -> those tags
    prf_weight: Counter  # tag -> weight from the best first-stage matches
    field_dist: dict  # discipline -> share relative to the leading one
    cat_dist: dict  # category -> share (1.0 for a given category)


def tagged_in_text(norm_text, pool, limit=TAGGED_MAX):
    """Pool documents one of whose tags occurs literally in the text, those of the rarest tags first (a tag on
    more than PRF_EXPAND_MAX documents brings none: generic at that scale). One lookup per substring of at most
    the longest tag's length, so a candidate whose text shares no word with the query is still found."""
    found = {}
    postings, longest = pool.tag_postings, pool.longest_tag
    for start in range(len(norm_text) - 1):
        for end in range(start + 2, min(len(norm_text), start + longest) + 1):
            members = postings.get(norm_text[start:end])
            if members and len(members) <= PRF_EXPAND_MAX:
                found[norm_text[start:end]] = members
    out = set()
    for members in sorted(found.values(), key=len):
        if len(out) + len(members) > limit:
            break
        out.update(members)
    return out


def retrieve(query, pool, max_terms=RETRIEVAL_TERMS):
    """Stage 1: the text candidates with their relative BM25 and the pool tags found in the query text.

    Candidates are the best BM25 matches on the query's most specific words, plus the documents with a tag in
    the query text (an author's keyword the need names is strong evidence even where the texts share no word)."""
    tagged = tagged_in_text(query.norm_text, pool)
    raw_text, found = _text_scores(query, pool, max_terms=max_terms, extra=tagged)  # one pass over the postings
    cand = sorted((i for i in raw_text if i in found), key=raw_text.get, reverse=True)[:CANDIDATES]
    cand += sorted(tagged - found, key=lambda i: (-raw_text[i], str(i)))  # a stable order (sets are not)
    text = _normalised({i: raw_text[i] for i in cand})
    hits, tag_raw = _tag_hits(query, pool, cand)
    tags = {i: min(1.0, v / 12.0) for i, v in tag_raw.items()}  # ~two specific tags saturate
    return cand, text, hits, tags


def _field_dist(vote, pool, query_terms, category):
    """The query's likely disciplines, relative to the leading one (a split still ranks the likeliest discipline's
    documents first): the vote of the best text matches mixed with the pool's discipline model over the query's
    terms (VOTE_SHARE of each, both relative to their own leader)."""
    model = pool.disciplines.distribution(query_terms, category) if query_terms else {}
    parts = [(VOTE_SHARE, vote), (1 - VOTE_SHARE, model)] if model else [(1.0, vote)]
    mixed = Counter()
    for share, dist in parts:
        lead = max(dist.values(), default=0.0)
        for k, v in dist.items():
            mixed[k] += share * v / lead
    lead = max(mixed.values(), default=0.0)
    return {k: v / lead for k, v in mixed.items() if v > 0}


def feed_back(query_doc, pool, cand, text, tags, w, disabled=(), query_terms=()):
    """Stage 2: tags and the likely discipline/category of the best first-stage matches, and the documents they
    bring in (sharing a feedback tag, or of a clear, not too large discipline) even without text overlap.
    `query_terms` (the query's profile terms) feed the discipline model."""
    first = {i: text[i] + w["tags"] * tags.get(i, 0.0) for i in cand}
    top = sorted(first, key=first.get, reverse=True)
    if query_doc.category:
        # a given category is a firm signal: feedback and the discipline vote come from matches inside it
        top = [i for i in top if pool.profiles[i].doc.category == query_doc.category] or top
    prf_weight = Counter()
    for rank_no, i in enumerate(top[:FEEDBACK_DOCS]):
        for tag in pool.profiles[i].tags:
            prf_weight[tag] += 1.0 / (rank_no + 1)
    field_dist = {}
    if "field" not in disabled:
        field_dist = _field_dist(_vote(pool, top[:FIELD_DOCS], first, "field"), pool, query_terms, query_doc.category)
    cat_dist = {query_doc.category: 1.0} if query_doc.category else _vote(pool, top[:FIELD_DOCS], first, "category")

    cand_set = set(cand)
    for tag in prf_weight:
        members = pool.tag_postings.get(tag, ())
        if len(members) <= PRF_EXPAND_MAX:
            cand_set.update(members)
    if field_dist:
        best_field = max(field_dist, key=field_dist.get)
        members = pool.field_postings.get(best_field, ())
        if field_dist[best_field] >= FIELD_EXPAND_MIN and len(members) <= FIELD_EXPAND_MAX:
            cand_set.update(members)
    return cand_set, prf_weight, field_dist, cat_dist


def score(query_doc, pool, ev, w, limit, skip, now=None):
    """Stage 3: the weighted sum of factors for every candidate not skipped; the best `limit` as Matches."""
    scored = []
    for i in ev.candidates:
        prof = pool.profiles[i]
        doc = prof.doc
        if skip(i, doc):
            continue
        shared = [t for t in prof.tags if t in ev.prf_weight]
        prf = min(1.0, sum(ev.prf_weight[t] * pool.stats.tag_idf(t) for t in shared) / 8.0)
        f = {
            "text": ev.text.get(i, 0.0),
            "tags": ev.tags.get(i, 0.0),
            "prf_tags": prf,
            "field": ev.field_dist.get(doc.field, 0.0) if doc.field else 0.0,
            "category": ev.cat_dist.get(doc.category, 0.0) if doc.category else 0.0,
        }
        value = sum(w[k] * v for k, v in f.items())
        prod = product.factors(query_doc, doc, now=now)
        value += w["product"] * sum(v for v, _ in prod.values())
        scored.append((value, i, f, shared, prod))
    best = heapq.nsmallest(limit, scored, key=lambda r: (-r[0], str(r[1])))
    details = {"field_dist": ev.field_dist, "cat_dist": ev.cat_dist}
    return [
        Match(
            doc_id=i,
            score=value,
            factors=f,
            details=dict(details, tags=ev.hits.get(i, []), prf_tags=shared, product=prod),
        )
        for value, i, f, shared, prod in best
    ]


def rank(
    query_doc,
    pool,
    limit=10,
    weights=None,
    disabled=(),
    exclude=(),
    max_terms=RETRIEVAL_TERMS,
    now=None,
    exclude_owner=None,
    exclude_organisation=None,
):
    """The best `limit` pool documents for `query_doc`, each with its factor values and explanation data:
    retrieve, feed back, score."""
    w = dict(WEIGHTS, **(weights or {}))
    now = now or datetime.now(UTC).replace(tzinfo=None)  # once per query, not once per candidate
    for code in disabled:
        w[code] = 0.0
    query = ft.profile(query_doc)
    cand, text, hits, tags = retrieve(query, pool, max_terms=max_terms)
    cand_set, prf_weight, field_dist, cat_dist = feed_back(query_doc, pool, cand, text, tags, w, disabled, query.tf)
    ev = Evidence(cand_set, text, tags, hits, prf_weight, field_dist, cat_dist)

    def skip(i, doc):  # never the listing's own owner or organisation: a pair within one organisation is no deal
        return (
            i in exclude
            or (exclude_owner is not None and doc.owner_id == exclude_owner)
            or (exclude_organisation is not None and doc.organisation_id == exclude_organisation)
        )

    return score(query_doc, pool, ev, w, limit, skip, now=now)
