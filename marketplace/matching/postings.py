"""A compact in-memory inverted index of one side's documents (e.g. all published achievements).

Postings are arrays of packed integers (document slot << 4 | term frequency capped at 15): about 4 bytes per
(term, document) instead of ~100 for a dict entry, so 100,000 listings fit in a few hundred MB. A changed
document gets a new slot (slots only grow, so arrays stay sorted for bisection); the old slot becomes a
tombstone and `compact()` rebuilds the arrays when tombstones pile up.
"""

import heapq
import sys
from array import array
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, replace

from . import features as ft
from .disciplines import DisciplineModel

TF_BITS = 4
TF_MAX = (1 << TF_BITS) - 1


@dataclass(slots=True)
class Entry:
    """A pooled document: the record, its normalised tags, its length and its slot."""

    doc: object
    tags: tuple
    length: int
    slot: int
    terms: array = None


class Pool:
    def __init__(self, docs=()):
        self.stats = ft.Stats()
        self.profiles = {}  # doc id -> Entry
        self.slots = []  # slot -> doc id (None: tombstone)
        self.vocab = {}  # term -> term id
        self.names = []  # term id -> term
        self.postings = []  # term id -> packed slots
        self.tag_postings = defaultdict(set)  # tag -> {doc id}
        self.field_postings = defaultdict(set)  # field -> {doc id}
        self.disciplines = DisciplineModel()  # what the documents with a field say about their field
        self.tombstones = 0
        self.longest_tag = 0  # characters of the longest tag ever pooled (bounds the tag-in-text scan)
        for doc in docs:
            self.add(doc)

    def __len__(self):
        return len(self.profiles)

    def add(self, doc):
        if doc.id in self.profiles:
            self.remove(doc.id)
        prof = ft.profile(doc)
        slot = len(self.slots)
        self.slots.append(doc.id)
        # The body text is not kept (only terms are needed once profiled) and an entry holds its terms as 4-byte
        # ids: most of the memory at 100k listings was these two.
        terms = array("I", (self._term_id(t) for t in prof.tf))
        entry = Entry(doc=replace(doc, body=""), tags=prof.tags, length=prof.length, slot=slot, terms=terms)
        self.profiles[doc.id] = entry
        self.stats.add(prof)
        for term_id, tf in zip(terms, prof.tf.values(), strict=True):
            self.postings[term_id].append(slot << TF_BITS | min(tf, TF_MAX))
        for tag in prof.tags:
            self.tag_postings[tag].add(doc.id)
            self.longest_tag = max(self.longest_tag, len(tag))
        if doc.field:
            self.field_postings[doc.field].add(doc.id)
            self.disciplines.add(doc.field, doc.category, prof.tf)

    def remove(self, doc_id):
        entry = self.profiles.pop(doc_id, None)
        if entry is None:
            return
        self.slots[entry.slot] = None
        self.tombstones += 1
        self.stats.n -= 1
        self.stats.total_length -= entry.length
        for term_id in entry.terms:
            self.stats.df[self.names[term_id]] -= 1
        for tag in entry.tags:
            self.stats.tag_df[tag] -= 1
            self.tag_postings[tag].discard(doc_id)
        if entry.doc.field:
            self.field_postings[entry.doc.field].discard(doc_id)
            self.disciplines.add(entry.doc.field, entry.doc.category, [self.names[t] for t in entry.terms], sign=-1)
        if self.tombstones > 1000 and self.tombstones > len(self.profiles) // 4:
            self.compact()

    def compact(self):
        """Rebuild the posting arrays without tombstones (slots are renumbered)."""
        live = [e for e in sorted(self.profiles.values(), key=lambda e: e.slot)]
        renumber = {e.slot: n for n, e in enumerate(live)}
        for term_id, arr in enumerate(self.postings):
            self.postings[term_id] = array(
                "I", (renumber[v >> TF_BITS] << TF_BITS | (v & TF_MAX) for v in arr if (v >> TF_BITS) in renumber)
            )
        for e in live:
            e.slot = renumber[e.slot]
        self.slots = [e.doc.id for e in live]
        self.tombstones = 0

    def _term_id(self, term):
        term_id = self.vocab.get(term)
        if term_id is None:
            term = sys.intern(term)  # shared with the statistics' keys
            term_id = self.vocab[term] = len(self.names)
            self.names.append(term)
            self.postings.append(array("I"))
        return term_id

    # ---------------------------------------------------------------- queries

    def posting(self, term):
        """The packed posting array of a term (None when no document ever had it)."""
        term_id = self.vocab.get(term)
        return None if term_id is None else self.postings[term_id]

    def terms_of(self, doc_id):
        """The set of a pooled document's terms ("w:<word>", "b:<bigram>")."""
        names = self.names
        return {names[t] for t in self.profiles[doc_id].terms}

    def docs_with(self, term):
        """Ids of live documents containing `term`."""
        slots = self.slots
        return [slots[v >> TF_BITS] for v in self.posting(term) or () if slots[v >> TF_BITS] is not None]

    def top_by_terms(self, terms, limit, k1=1.2):
        """The `limit` documents with the best partial BM25 over `terms` alone (cheap candidate retrieval)."""
        acc = {}
        slots = self.slots
        for term in terms:
            arr = self.posting(term)
            if not arr:
                continue
            idf = self.stats.idf(term)
            for v in arr:
                tf = v & TF_MAX
                acc[v >> TF_BITS] = acc.get(v >> TF_BITS, 0.0) + idf * tf * (k1 + 1) / (tf + k1)
        best = heapq.nlargest(limit, acc.items(), key=lambda kv: kv[1]) if len(acc) > limit else acc.items()
        return [slots[s] for s, _v in best if slots[s] is not None]

    def bm25(self, query_tf, doc_ids, k1=1.2, b=0.75):
        """BM25 of the given documents for a bag of query terms (words count fully, bigrams half)."""
        stats = self.stats
        avg = stats.avg_length
        entries = [self.profiles[i] for i in doc_ids]
        scores = dict.fromkeys(doc_ids, 0.0)
        by_slot = {e.slot: e for e in entries}
        too_common = max(50, stats.n // 10)  # such terms weigh almost nothing and have the longest lists
        for term, qtf in query_tf.items():
            arr = self.posting(term)
            if not arr or len(arr) > too_common:
                continue
            idf = stats.idf(term) * (1.0 if term.startswith("w:") else 0.5) * (qtf * 2 / (qtf + 1))
            if len(arr) <= 4 * len(entries):  # walk the short posting list
                hits = ((by_slot.get(v >> TF_BITS), v & TF_MAX) for v in arr)
                hits = [(e, tf) for e, tf in hits if e is not None]
            else:  # look each candidate up by bisection
                hits = []
                for e in entries:
                    pos = bisect_left(arr, e.slot << TF_BITS)
                    if pos < len(arr) and arr[pos] >> TF_BITS == e.slot:
                        hits.append((e, arr[pos] & TF_MAX))
            for e, tf in hits:
                norm = k1 * (1 - b + b * e.length / avg)
                scores[e.doc.id] += idf * tf * (k1 + 1) / (tf + norm)
        return scores

    def memory_estimate(self):
        """Bytes held by posting arrays (for the benchmark's report)."""
        return sum(arr.itemsize * len(arr) for arr in self.postings)
