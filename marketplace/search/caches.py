"""Results that stay true while one index directory does not change, cached for the searches that follow.

Their keys ((generation, document count, ...)) are unique only within one index directory: two directories
(two apps' SEARCH_INDEX_DIR, or the old and the new copy around a rebuild) can share them. So each live
index directory gets its own `QueryCaches`, kept by the `IndexStore` (`store.caches()`), never a module.
"""

import threading

TERM_SETS = 512  # query leaves -> frozenset of document numbers (ranking.SetMatcher)
BROWSE = 32  # filters without words -> counts and sort orders of the whole catalogue (engine.execute)
RESULTS = 512  # one search (words, filters, sort, page) -> its result page (engine.execute), ~20 hits each


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


class QueryCaches:
    """The caches of one index directory."""

    def __init__(self):
        self.term_sets = BoundedCache(TERM_SETS)
        self.browse = BoundedCache(BROWSE)
        self.results = BoundedCache(RESULTS)
