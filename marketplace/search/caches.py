"""Results that stay true while one index directory does not change, cached for the searches that follow.

Their keys ((generation, document count, ...)) are unique only within one index directory: two directories
(two apps' SEARCH_INDEX_DIR, or the old and the new copy around a rebuild) can share them. So each live
index directory gets its own `QueryCaches`, kept by the `IndexStore` (`store.caches()`), never a module.
"""

import threading
from collections import OrderedDict

TERM_SETS = 512  # query leaves -> frozenset of document numbers (ranking.SetMatcher)
BROWSE = 32  # filters without words -> counts and sort orders of the whole catalogue (engine.execute)
RESULTS = 512  # one search (words, filters, sort, page) -> its result page (engine.execute), ~20 hits each
# query leaves of one segment -> {document number: BM25F score} (treescore), at most this many postings in all:
# a posting is a dict entry of an int and a float, ~107 bytes measured (a cached term frequency counts as two),
# so at most ~43 MB per index directory (IndexStore keeps the QueryCaches of two directories at most)
LEAF_POSTINGS = 400_000


class BoundedCache:
    """A dict that is emptied when full (the next searches refill it with what they use)."""

    def __init__(self, limit):
        self.limit = limit
        self._data = {}
        self._lock = threading.Lock()

    def get(self, key):
        return self._data.get(key)

    def put(self, key, value):
        with self._lock:
            if len(self._data) >= self.limit:
                self._data.clear()
            self._data[key] = value

    def clear(self):
        with self._lock:
            self._data.clear()

    def __len__(self):
        return len(self._data)


class SizedLRU:
    """A least-recently-used cache bounded by the total size of its values (`put(key, value, size)`)."""

    def __init__(self, budget):
        self.budget = budget
        self.size = 0
        self._data = OrderedDict()  # key -> (value, size)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            self._data.move_to_end(key)
            return found[0]

    def put(self, key, value, size):
        if size > self.budget:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.size -= old[1]
            while self._data and self.size + size > self.budget:
                _key, (_value, dropped) = self._data.popitem(last=False)
                self.size -= dropped
            self._data[key] = (value, size)
            self.size += size

    def clear(self):
        with self._lock:
            self._data.clear()
            self.size = 0

    def __len__(self):
        return len(self._data)


class QueryCaches:
    """The caches of one index directory."""

    def __init__(self):
        self.term_sets = BoundedCache(TERM_SETS)
        self.browse = BoundedCache(BROWSE)
        self.results = BoundedCache(RESULTS)
        self.leaf_scores = SizedLRU(LEAF_POSTINGS)
