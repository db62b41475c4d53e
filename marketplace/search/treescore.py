"""Whoosh's scores of a query on a set of documents, computed leaf by leaf instead of one document at a time.

Whoosh's collector walks the compound matcher of a query (And of Or of about six field terms per word, plus the
phrase bonus) one document at a time in Python: ~30 µs a document. Here each Term leaf's BM25F score of every
document of its posting list is computed once per segment, with the segment's scorer from our weighting
(weighting.scorer(subsearcher, ...): its idf, average field length, B and K1; whoosh.scoring.bm25 of the posting's
weight and the document's field length byte, written out with the same operations) and cached per index state
(QueryCaches.leaf_scores); the query's boost multiplies it as Whoosh's WrappingMatcher does. A search then
combines, on its few thousand documents only, dictionaries of leaf scores as Whoosh's matchers would: And =
documents in every child, Or = any child, AndMaybe = the required part plus the optional one where present;
sums of the children present. A common word (posting list over LAZY_RATIO times the documents asked for) that
is not cached yet is scored by Whoosh's term matcher on those documents only.

The same scores to the last bit, not only the same ranking up to rounding: floating-point addition is not
associative, so each segment's sums are grouped as Whoosh's matcher tree groups them (make_weighted_tree on the
subqueries' estimate_size in that segment; the array Or of small segments adds its children in order). Phrases
and any other leaf are scored by Whoosh's own matcher for that leaf alone, stepped over the documents asked for.
"""

import threading
from bisect import insort

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3PerDocReader
from whoosh.matching import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightLengthScorer
from whoosh.util.numeric import byte_to_length

OR_ARRAY_MAX_DOCS = 5000  # whoosh.query.Or: segments up to this size use ArrayUnionMatcher for 3+ children
LAZY_RATIO = 8  # a posting list this many times longer than the documents asked for is not read whole
_LENGTH_OF_BYTE = [0] + [byte_to_length(b) for b in range(1, 256)]  # Whoosh stores a field length in one byte
_length_bytes = {}  # (segment id, field) -> one length byte per document (random ids: safe across indexes)
_length_lock = threading.Lock()


def score_tier(searcher, query, tier, caches):
    """{document number: Whoosh's score of `query`} for the documents of `tier` that match it (as
    searcher.search(query, filter=set(tier), limit=None) would give). `caches`: QueryCaches of the index."""
    reader = searcher.reader()
    state = (reader.generation(), reader.doc_count())
    wanted = sorted(tier)
    scores = {}
    context = searcher.context()
    for index, (subsearcher, offset) in enumerate(searcher.leaf_searchers()):
        end = offset + subsearcher.reader().doc_count_all()
        docs = [d for d in wanted if offset <= d < end]
        if docs:
            walk = _Segment(searcher, subsearcher, offset, index, docs, state, caches, context)
            scores.update(walk.score(query))
    return scores


class _Segment:
    """One segment's part of a search: its documents asked for and the subsearcher to score them with."""

    def __init__(self, searcher, subsearcher, offset, index, docs, state, caches, context):
        self.searcher, self.subsearcher, self.offset = searcher, subsearcher, offset
        self.reader = subsearcher.reader()
        self.key = (state, index)
        self.docs, self.doc_set = docs, frozenset(docs)
        self.cache = caches.leaf_scores
        self.context = context

    def score(self, q):
        """{document: score} of `q` on this segment's documents."""
        kind = type(q)  # exactly these classes: subclasses (DefaultOr, Variations ...) match differently
        if kind is wq.Term:
            return _boosted(self._term(q), q.boost)  # WrappingMatcher(boost)
        if (
            kind is wq.And or (kind is wq.Or and not q.scale and q.matcher_type == wq.Or.AUTO_MATCHER)
        ) and q.subqueries:
            return self._compound(q)
        if kind is wq.AndMaybe:  # AndMaybeMatcher (no boost)
            required, optional = self.score(q.a), self.score(q.b)
            return {d: s + optional[d] if d in optional else s for d, s in required.items()}
        return self._by_matcher(q)

    def _compound(self, q):
        subs = q.subqueries
        if len(subs) == 1:  # CompoundQuery.matcher: the child's matcher, the compound's boost ignored
            return self.score(subs[0])
        if isinstance(q, wq.Or) and len(subs) != 2 and self.reader.doc_count_all() <= OR_ARRAY_MAX_DOCS:
            total, boost = {}, q.boost  # ArrayUnionMatcher: a[i] += m.score() * boost, children in order
            for sub in subs:
                for d, s in self.score(sub).items():
                    total[d] = total.get(d, 0) + s * boost
            return {d: s for d, s in total.items() if s > 0}
        # make_weighted_tree: (weight, child) sorted stably, the two lightest joined first (ties keep their order)
        sign, join = (-1, _intersection) if isinstance(q, wq.And) else (1, _union)
        nodes = sorted(((sign * self._estimate(sub), n) for n, sub in enumerate(subs)), key=_weight)
        parts = {n: self.score(subs[n]) for _w, n in nodes}
        while len(nodes) > 1:
            (wa, a), (wb, b) = nodes.pop(0), nodes.pop(0)
            parts[a] = join(parts.pop(a), parts.pop(b))
            insort(nodes, (wa + wb, a), key=_weight)
        return _boosted(parts[nodes[0][1]], q.boost)

    def _estimate(self, q):
        """q.estimate_size(segment reader), with the terms' document frequencies cached."""
        kind = type(q)
        if kind is wq.Term:
            return self._frequency(q.fieldname, q.text)[1]
        if kind is wq.Phrase and q.words:  # Phrase._and_query(): And of its words' terms
            return min(self._frequency(q.fieldname, word)[1] for word in q.words)
        if kind is wq.And and q.subqueries:
            return min(self._estimate(sub) for sub in q.subqueries)
        if kind is wq.Or:
            return min(sum(self._estimate(sub) for sub in q.subqueries), self.reader.doc_count())
        return q.estimate_size(self.reader)

    def _frequency(self, fieldname, text):
        """(the term's bytes, its document frequency in this segment): (None, 0) for no such field or term."""
        key = self.key + ("frequency", fieldname, text)
        found = self.cache.get(key)
        if found is None:
            found = (None, 0)
            if fieldname in self.reader.schema:
                try:
                    btext = self.reader.schema[fieldname].to_bytes(text)
                except ValueError:
                    btext = None
                if btext is not None:
                    found = (btext, self.reader.doc_frequency(fieldname, btext))
            self.cache.put(key, found, 2)  # ~130 bytes: two postings' worth (caches.LEAF_POSTINGS)
        return found

    def _term(self, q):
        btext, frequency = self._frequency(q.fieldname, q.text)
        if not frequency:
            return {}
        if frequency > LAZY_RATIO * len(self.docs):
            cached = self.cache.get(self.key + (q.fieldname, btext))
            if cached is None:  # a common word: score only the documents asked for, keep nothing
                return self._by_matcher(wq.Term(q.fieldname, q.text))
        else:
            cached = self._leaf(q.fieldname, btext)
        if cached is None:
            return self._by_matcher(wq.Term(q.fieldname, q.text))
        if len(cached) <= len(self.docs):
            doc_set = self.doc_set
            return {d: s for d, s in cached.items() if d in doc_set}
        return {d: cached[d] for d in self.docs if d in cached}

    def _leaf(self, fieldname, btext):
        """{document: unboosted score} of a whole posting list in this segment, cached; None if its scorer is
        not BM25F-like (weight and field length)."""
        key = self.key + (fieldname, btext)
        found = self.cache.get(key)
        if found is None:
            scorer = self.searcher.weighting.scorer(self.subsearcher, fieldname, btext)
            if not isinstance(scorer, WeightLengthScorer):
                return None
            ids, weights = _postings(self.reader, fieldname, btext)
            lengths = _lengths(self.reader, fieldname) if type(scorer) is BM25FScorer else None
            offset = self.offset
            if lengths is None:
                score, length = scorer._score, scorer.dfl
                found = {offset + d: score(w, length(d)) for d, w in zip(ids, weights, strict=True)}
            else:  # whoosh.scoring.bm25(idf, tf, fl, avgfl, B, K1), written out with the same operations
                idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
                k1_1, one_b, table = k1 + 1, 1 - b, _LENGTH_OF_BYTE
                found = {
                    offset + d: idf * ((tf * k1_1) / (tf + k1 * (one_b + b * table[lengths[d]] / avgfl)))
                    for d, tf in zip(ids, weights, strict=True)
                }
            self.cache.put(key, found, len(found))
        return found

    def _by_matcher(self, q):
        """Whoosh's own matcher for `q` on this segment, stepped to each document asked for."""
        matcher = q.matcher(self.subsearcher, self.context)
        found, offset = {}, self.offset
        for d in self.docs:
            if not matcher.is_active():
                break
            local = d - offset
            if matcher.id() < local:
                matcher.skip_to(local)
                if not matcher.is_active():
                    break
            if matcher.id() == local:
                found[d] = matcher.score()
        return found


def _weight(node):
    return node[0]


def _boosted(found, boost):
    return found if boost == 1.0 else {d: s * boost for d, s in found.items()}


def _intersection(a, b):
    if len(b) < len(a):
        return {d: a[d] + s for d, s in b.items() if d in a}
    return {d: s + b[d] for d, s in a.items() if d in b}


def _union(a, b):
    out = dict(a)
    for d, s in b.items():
        out[d] = out[d] + s if d in out else s
    return out


def _postings(reader, fieldname, btext):
    """(document numbers, weights) of a term's postings in one segment, deleted documents left out; a block at
    a time from Whoosh's own posting reader."""
    matcher, deleted = reader.postings(fieldname, btext), None
    if isinstance(matcher, FilterMatcher):  # SegmentReader.postings: deletions
        matcher, deleted = matcher.child, matcher._ids
    ids, weights = [], []
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    if deleted:
        kept = [n for n, d in enumerate(ids) if d not in deleted]
        ids, weights = [ids[n] for n in kept], [weights[n] for n in kept]
    return ids, weights


def _lengths(reader, fieldname):
    """The field's length byte of every document of a segment (what doc_field_length decodes), or None when
    the segment's format is not Whoosh 3's."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    perdoc = getattr(reader, "_perdoc", None)
    if segment is None or type(perdoc) is not W3PerDocReader:
        return None
    key = (segment.segment_id(), fieldname)
    found = _length_bytes.get(key)
    if found is None:
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None or column._fixedlen != 1:
            return None
        count = min(column._count, reader.doc_count_all())
        found = column._dbfile.get(column._basepos, count) + bytes(reader.doc_count_all() - count)
        with _length_lock:
            if len(_length_bytes) > 256:
                _length_bytes.clear()
            _length_bytes[key] = found
    return found
