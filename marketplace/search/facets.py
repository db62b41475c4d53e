"""Facet counts, filters and sorting from per-document value arrays.

Whoosh's own facet grouping is slow on large hit sets (PITFALLS), so each segment's sortable columns are read
once into plain lists (segments never change once written) and counted with C-speed Counter/map loops.
Counts are drill-down counts: a facet's counts apply every selected filter except its own.
"""

import heapq
import threading
from collections import Counter
from operator import itemgetter

from .. import taxonomy
from .schema import FACETS, MISSING, SINGLE_VALUED

COLUMNS = SINGLE_VALUED + ("coop", "price", "published_at", "valid_until")
MISSING_NUMBER = MISSING

# Keyed by Whoosh segment ids, which are random (16 characters drawn per segment) and never reused, so entries
# cannot collide between index directories or apps: a module-level cache is safe here (unlike the caches keyed
# by generation, which live on the IndexStore: search/caches.py).
_segment_cache = {}  # segment id -> {column: list}
_cache_lock = threading.Lock()


def _segment_values(leaf):
    key = leaf.segment().segment_id()
    values = _segment_cache.get(key)
    if values is None:
        values = {}
        for name in COLUMNS:
            if not leaf.has_column(name):
                values[name] = [None] * leaf.doc_count_all()
            elif name in SINGLE_VALUED:  # codes are stored as bytes; decode each distinct value once
                decoded = {}
                values[name] = [
                    decoded.get(v) or decoded.setdefault(v, v.decode("utf-8")) for v in leaf.column_reader(name)
                ]
            else:
                values[name] = list(leaf.column_reader(name))
        with _cache_lock:
            if len(_segment_cache) > 256:
                _segment_cache.clear()
            _segment_cache[key] = values
    return values


class DocValues:
    """Column values of every document of a reader, indexed by global document number."""

    def __init__(self, reader):
        self.columns = {name: [] for name in COLUMNS}
        self._by_code = {}
        self._expired = (None, frozenset())
        for leaf, _offset in reader.leaf_readers():
            if leaf.segment() is None:  # an empty index
                continue
            values = _segment_values(leaf)
            for name in COLUMNS:
                self.columns[name].extend(values[name])

    def __getitem__(self, name):
        return self.columns[name]

    def expired(self, today):
        """Documents past their validity date (normally none: expiry also removes them from the index)."""
        if self._expired[0] != today:
            column = self.columns["valid_until"]
            self._expired = (today, frozenset(d for d, v in enumerate(column) if v is not None and v < today))
        return self._expired[1]

    def by_code(self, name):
        """{code: frozenset of documents} of a single-valued facet (built once per index state)."""
        index = self._by_code.get(name)
        if index is None:
            lists = {}
            for doc, code in enumerate(self.columns[name]):
                lists.setdefault(code, []).append(doc)
            index = self._by_code[name] = {code: frozenset(docs) for code, docs in lists.items()}
        return index


_values_by_reader = {}  # segment ids -> DocValues (safe across indexes: see _segment_cache)


def doc_values(reader):
    """DocValues for a reader, memoised on its segments."""
    leaves = [leaf for leaf, _offset in reader.leaf_readers() if leaf.segment() is not None]
    key = tuple(leaf.segment().segment_id() for leaf in leaves)  # values never depend on deletions
    values = _values_by_reader.get(key)
    if values is None:
        values = DocValues(reader)
        if len(_values_by_reader) > 8:
            _values_by_reader.clear()
        _values_by_reader[key] = values
    return values


def _predicate(values, name, selected):
    if name == "coop":
        mask = taxonomy.mask_from_modes(selected)
        column = values["coop"]
        return lambda d: column[d] & mask
    column = values[name]
    return lambda d: column[d] in selected


def _passing(values, name, codes, docs):
    """The documents of `docs` that pass one facet's filter."""
    if name == "coop" or len(docs) < 5000:
        pred = _predicate(values, name, codes)
        return {d for d in docs if pred(d)}
    index = values.by_code(name)  # large hit sets (browsing): set operations instead of a Python loop
    return set(docs).intersection(frozenset().union(*(index.get(code, ()) for code in codes)))


def _count(values, name, docs):
    if name == "coop":
        masks = Counter(map(values["coop"].__getitem__, docs))
        counts = Counter()
        for code, bit in taxonomy.COOPERATION_BITS.items():
            counts[code] = sum(n for mask, n in masks.items() if mask & bit)
        return +counts
    counts = Counter(map(values[name].__getitem__, docs))
    counts.pop("", None)
    counts.pop(None, None)
    return counts


def filter_and_count(values, docs, selected, today):
    """(sorted documents passing every filter, {facet: Counter}) for the matched documents `docs`.

    `selected` maps a facet to the set of chosen codes (OR within a facet, AND across facets);
    documents past their validity date (`today` as yyyymmdd) are dropped first.
    """
    expired = values.expired(today)
    if expired:
        docs = [d for d in docs if d not in expired]
    active = {name: codes for name, codes in selected.items() if codes and name in FACETS}
    passing = {name: _passing(values, name, codes, docs) for name, codes in active.items()}
    final = set.intersection(*passing.values()) if passing else docs
    counts = {}
    for name in FACETS:
        others = [s for n, s in passing.items() if n != name]
        if len(others) == len(passing):
            base = final
        elif not others:
            base = docs
        else:
            base = set.intersection(*others)
        counts[name] = _count(values, name, base)
    return (sorted(final) if passing else docs), counts


def top_sorted(values, docs, sort, limit):
    """The first `limit` documents by newest or price; unpriced (面议) listings last either way."""
    if sort == "newest":
        column = values["published_at"]
        return heapq.nlargest(limit, docs, key=lambda d: (column[d] if column[d] != MISSING_NUMBER else 0, d))
    column = values["price"]
    priced = [(column[d], d) for d in docs if column[d] != MISSING_NUMBER]
    unpriced = [d for d in docs if column[d] == MISSING_NUMBER]
    if sort == "price_desc":
        ranked = heapq.nlargest(limit, priced)
    else:
        ranked = heapq.nsmallest(limit, priced)
    chosen = list(map(itemgetter(1), ranked))
    if len(chosen) < limit:
        chosen += sorted(unpriced, reverse=True)[: limit - len(chosen)]
    return chosen
