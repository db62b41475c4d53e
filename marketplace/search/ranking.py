"""Matching and ranking on large hit sets with set operations instead of Whoosh's per-document matchers.

Whoosh walks compound matchers one document at a time in Python: at 100k listings a broad two-word query
("研究 方法", 30k hits) took ~0.3 s to enumerate and ~0.6 s to score. Here each term's posting list is read
once into a set (cached per index copy and generation, so popular words cost nothing the second time), And/Or become
set intersections/unions in C, and hit sets too large for BM25F are ranked by which fields each word
matches in (title > tags > text > sub-word), weighted by the word's rarity, newest first among equals.

Up to BM25_LIMIT hits are ranked by Whoosh's BM25F (our _Weighting) times a length prior (bm25_rank). The BM25F
scores are Whoosh's to the last bit, but computed leaf by leaf by treescore.py: each term's scores of its whole
posting list once (cached), then combined on the hits only, where Whoosh's collector took ~30 µs a document.
"""

import heapq
import math
import threading

from whoosh import query as wq
from whoosh import scoring

from .caches import QueryCaches
from .treescore import score_tier

FIELD_WEIGHTS = {"title": 3.0, "facts": 3.0, "tags": 2.0, "body": 1.0, "sub": 0.5, "lead": 1.0}
BM25_B, BM25_K1 = 1.0, 0.6  # full length normalisation (a word in a long text says less); early saturation
# K1 of the text fields: a word said again in a listing's text says nothing more about its subject. Measured on
# csl-dev/search single-word queries: among texts without the word in the title, the word is one of the text's
# own keywords in 5.2 % of texts that have it once, 4.3 % twice, 4.6 % three times or more (title: 15 %).
FIELD_K1 = {"body": 0.05, "sub": 0.05}
LENGTH_PRIOR = 0.5  # scores times (average text length / this text's length) ** LENGTH_PRIOR
RERANK_DEPTH = 200  # BM25F results re-ordered by the length prior (at least 5 pages' worth)
BM25_LIMIT = 3000  # up to this many hits Whoosh's BM25F ranks them


class SetMatcher:
    """Document-number sets of our queries on one searcher (Term, Phrase, And, Or)."""

    def __init__(self, searcher, caches=None):
        """`caches`: the index directory's QueryCaches (store.caches()); None caches nothing beyond this object."""
        self.searcher = searcher
        self.caches = caches or QueryCaches()
        self.cache = self.caches.term_sets  # (generation, doc count, field, repr) -> frozenset
        reader = searcher.reader()
        self.generation = (reader.generation(), reader.doc_count())

    def docs(self, q):
        if isinstance(q, wq.And):
            result = None
            for sub in q.subqueries:
                result = self.docs(sub) if result is None else result & self.docs(sub)
                if not result:
                    return frozenset()
            return result or frozenset()
        if isinstance(q, wq.Or):
            return frozenset().union(*(self.docs(sub) for sub in q.subqueries))
        return self._leaf(q)

    def _leaf(self, q):
        key = (self.generation, getattr(q, "fieldname", ""), repr(q))
        found = self.cache.get(key)
        if found is None:
            found = frozenset(self.searcher.docs_for_query(q))
            self.cache.put(key, found)
        return found

    def field_sets(self, q):
        """[(field, docs)] of the leaves of one word's query."""
        if isinstance(q, (wq.And, wq.Or)):
            return [item for sub in q.subqueries for item in self.field_sets(sub)]
        return [(getattr(q, "fieldname", "body"), self._leaf(q))]


def frequency(reader, q):
    """About how many documents match `q`, from the term index alone (no postings read): a term's document
    frequency; the most of any alternative (Or), the fewest of the required parts (And, Phrase)."""
    if isinstance(q, wq.Term):
        return reader.doc_frequency(q.fieldname, q.text)
    if isinstance(q, wq.Phrase):
        return min((reader.doc_frequency(q.fieldname, w) for w in q.words), default=0)
    if isinstance(q, wq.And):
        return min((frequency(reader, sub) for sub in q.subqueries), default=0)
    if isinstance(q, wq.Or):
        return max((frequency(reader, sub) for sub in q.subqueries), default=0)
    return 0


def rank_by_fields(matcher, words, final, total_docs, newest, limit):
    """The `limit` best of `final` by weighted field matches of each word, then newest."""
    scores = dict.fromkeys(final, 0.0)
    for word in words:
        per_field = {}
        for field, docs in matcher.field_sets(word):
            per_field[field] = per_field.get(field, frozenset()) | docs
        union = frozenset().union(*per_field.values())
        idf = math.log(1 + total_docs / (1 + len(union)))
        for field, docs in per_field.items():
            weight = FIELD_WEIGHTS.get(field, 1.0) * idf
            for doc in docs if len(docs) < len(scores) else (d for d in scores if d in docs):
                if doc in scores:
                    scores[doc] += weight
    ranked = sorted(scores, key=lambda d: (scores[d], newest[d]), reverse=True)
    return ranked[:limit], scores


class _Weighting(scoring.BM25F):
    """BM25F with our parameters and a K1 per field (FIELD_K1); a class of its own, so a searcher is
    configured once."""

    def idf(self, searcher, fieldname, text):
        """The Robertson-Sparck Jones IDF of BM25 (as Lucene has it), not Whoosh's log(N / (n + 1)) + 1: that
        one gives every word a floor of 1, so in a multi-word query a word in half the listings (研究, 方法) still
        weighs over a quarter of a word in 5 of 1,000 listings; here about an eighth."""
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        return math.log(1 + (parent.doc_count_all() - n + 0.5) / (n + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        k1 = FIELD_K1.get(fieldname)
        if k1 is None or not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return scoring.BM25FScorer(searcher, fieldname, text, self._field_B.get(fieldname, self.B), k1, qf=qf)


_lengths = {}  # segment id -> [text (body) length of each document] (random ids: safe across indexes, see facets)
_lengths_lock = threading.Lock()


def _segment_lengths(leaf):
    key = leaf.segment().segment_id()
    lengths = _lengths.get(key)
    if lengths is None:
        get = leaf.doc_field_length
        lengths = [get(d, "body", 0) for d in range(leaf.doc_count_all())]
        with _lengths_lock:
            if len(_lengths) > 256:
                _lengths.clear()
            _lengths[key] = lengths
    return lengths


def length_prior(reader):
    """A function docnum -> (average text length / its text length) ** LENGTH_PRIOR.

    Measured on csl-dev/search: among texts containing a query's word, the word is one of the text's own
    keywords in 13 % of texts under 150 characters and in 3 % of those over 300; BM25's normalisation of
    the term frequency alone leaves that gap (nDCG@10 +0.01, Recall@10 +0.02 with the prior).
    """
    lengths = []
    for leaf, _offset in reader.leaf_readers():
        if leaf.segment() is not None:
            lengths.extend(_segment_lengths(leaf))
    average = (sum(lengths) / len(lengths)) if lengths else 1.0
    return lambda doc: (average / max(1, lengths[doc])) ** LENGTH_PRIOR if doc < len(lengths) else 1.0


def bm25_rank(searcher, query, tier, limit, caches=None):
    """The `limit` best of `tier` by BM25F times the length prior; (document numbers, scores).

    BM25F is Whoosh's (searcher.search(query, filter=set(tier), limit=...)) to the last bit, computed leaf by
    leaf by treescore.score_tier; its best max(limit * 5, RERANK_DEPTH), ties to the lower document number as
    Whoosh's TopCollector keeps them, are re-ordered by the length prior. `caches`: the index's QueryCaches."""
    if not isinstance(searcher.weighting, _Weighting):
        searcher.weighting = _Weighting(B=BM25_B, K1=BM25_K1)  # this thread's searcher (kept by refresh)
    bm25 = score_tier(searcher, query, tier, caches or QueryCaches())
    best = heapq.nsmallest(max(limit * 5, RERANK_DEPTH), bm25, key=lambda d: (-bm25[d], d))
    prior = length_prior(searcher.reader())
    scores = {d: bm25[d] * prior(d) for d in best}
    return sorted(scores, key=lambda d: (-scores[d], d))[:limit], scores
