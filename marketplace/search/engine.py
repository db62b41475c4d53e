"""One search over an open searcher: query, drill-down facet counts, one sorted page with the words to mark.

Database-free, so the benchmark and the web service run exactly the same code. Hits are not highlighted here:
the page shows each listing as the database has it now, and search/services.py marks that text (once).
"""

import math
from dataclasses import dataclass, field, replace

from whoosh import query as wq

from ..listings import visibility
from .analysis import synonyms_of
from .caches import QueryCaches
from .facets import doc_values, filter_and_count, top_sorted
from .query import ALL_FIELDS, Clause, build, clean, parse
from .ranking import BM25_LIMIT, SetMatcher, bm25_rank, frequency, rank_by_fields
from .schema import FACETS

SORTS = ("relevance", "newest", "price_asc", "price_desc")
MAX_PAGE = 50
PARTIAL_BELOW = 100  # listings with only some of the words are added while fewer than this many have them all
COMMON_WORD_SHARE, COMMON_WORD_MIN = 0.02, 1000  # a word in more listings than both makes no partial match alone
SNIPPET_CHARS = 140


@dataclass
class SearchParams:
    q: str = ""
    filters: dict = field(default_factory=dict)  # facet -> set of codes
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass
class Hit:
    listing_id: int
    kind: str
    fields: dict
    title_html: object
    snippet_html: object
    score: float = 0.0
    partial: bool = False  # has only some of the query's words (ranked after every listing that has all)


@dataclass
class SearchResult:
    hits: list
    total: int
    facets: dict  # facet -> [(code, count)] sorted by count
    page: int
    per_page: int
    empty_query: bool
    partial: bool = False  # some results have only some of the query's words (they come after the others)
    terms: tuple = ()
    full_total: int = 0  # results having every word of the query
    no_words: bool = False  # the query had no searchable word (only operators, punctuation, function words)

    # the attributes the pagination macro of templates/_macros/forms.html reads
    @property
    def pages(self):
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))

    @property
    def beyond(self):
        """A page past the last one was asked for."""
        return self.page > self.pages

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self):
        return self.page + 1 if self.has_next else None

    def iter_pages(self, left_edge=1, left_current=2, right_current=2, right_edge=1):
        """Page numbers with None for gaps, like Flask-SQLAlchemy's Pagination.iter_pages."""
        last = 0
        for num in range(1, self.pages + 1):
            if (
                num <= left_edge
                or self.page - left_current <= num <= self.page + right_current
                or num > self.pages - right_edge
            ):
                if last + 1 != num:
                    yield None
                yield num
                last = num


def _today():
    return visibility.today_stamp()


def live_docs(reader):
    """Every non-deleted document number (reader.all_doc_ids() asks is_deleted() per document: 200 ms at 100k)."""
    out = []
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if leaf.has_deletions():
            out.extend(offset + d for d in range(count) if not leaf.is_deleted(d))
        else:
            out.extend(range(offset, offset + count))
    return out


def _browse(reader, values, filters, today, cache):
    """Filters, counts and sort orders without a query: the same for every visitor until the index changes.
    `cache`: (generation, live docs, filters, day) -> counts and sort orders of the whole catalogue."""
    frozen = tuple(sorted((name, tuple(sorted(codes))) for name, codes in filters.items()))
    key = (reader.generation(), reader.doc_count(), frozen, today)
    entry = cache.get(key)
    if entry is None:
        final, counts = filter_and_count(values, live_docs(reader), filters, today)
        entry = {"final": final, "counts": counts, "orders": {}}
        cache.put(key, entry)
    return entry


def _known(reader):
    """Whether a word occurs in any listing (whole, or inside a longer word)."""
    return lambda word: any(reader.doc_frequency(name, word) for name in ("title", "body", "sub"))


def _indexed(reader):
    """Whether a word occurs as a word of its own in some listing's title or text."""
    return lambda word: any(reader.doc_frequency(name, word) for name in ("title", "body"))


def _levels(matcher, built):
    """[(query, documents)]: listings with every word; then, while fewer than PARTIAL_BELOW listings have every
    word, those with every part of one of the typed words, then those with any word or a part of a typed compound
    word (有限元 of 有限元法) in their own text (once some listing has every word, a listing in 鹰潭 is no partial
    match of 鹰潭智联科技有限公司). Each level holds only documents of no earlier level. A word in more than
    COMMON_WORD_SHARE of the listings (分析, 设计) does not stand for the query alone: besides saying little, its
    hundreds of thousands of postings cost most of a search's time at 100k listings."""
    full = matcher.docs(built.all_terms)
    levels = [(built.all_terms, full)]
    if len(full) >= PARTIAL_BELOW:
        return levels
    seen = full
    loose = (built.own_words if full else built.words) + built.parts
    common = max(COMMON_WORD_MIN, COMMON_WORD_SHARE * matcher.searcher.doc_count())
    reader = matcher.searcher.reader()
    for words in (built.typed, loose):
        words = [w for w in words if frequency(reader, w) <= common]
        if not words:
            continue
        query = words[0] if len(words) == 1 else wq.Or(list(words))
        docs = matcher.docs(query) - seen
        if docs:
            levels.append((query, docs))
            seen = seen | docs
    return levels


def _rank_tier(searcher, matcher, built, query, tier, values, limit):
    """(the `limit` best of `tier` (document numbers), scores): BM25F for moderate sets, field weights beyond."""
    if not tier or limit <= 0:
        return [], {}
    if len(tier) <= BM25_LIMIT:
        return bm25_rank(searcher, built.scoring(query), tier, limit, matcher.caches)
    return rank_by_fields(matcher, built.words, tier, searcher.doc_count(), values["published_at"], limit)


def _order(searcher, matcher, built, tiers, values, sort, stop):
    """The first `stop` documents: tier by tier ([(query, documents)]), each ranked by its own query."""
    chosen, scores = [], {}
    for query, tier in tiers:
        need = stop - len(chosen)
        if need <= 0:
            break
        if sort == "relevance":
            ranked, tier_scores = _rank_tier(searcher, matcher, built, query, tier, values, need)
            scores.update(tier_scores)
        else:
            ranked = top_sorted(values, tier, sort, need)
        chosen.extend(ranked)
    return chosen, scores


def _tiers(matcher, built, levels, final):
    """`final` as [(query, documents)]: listings whose facts (organisation, city, industry ...) name every word,
    the other listings with every word, then the partial levels; and how many have every word."""
    full = levels[0][1]
    if len(levels) == 1 and built.facts is None:
        return [(built.all_terms, final)], len(final)
    named = matcher.docs(built.facts) & full if built.facts is not None else frozenset()
    sets = [named, full - named] + [docs for _query, docs in levels[1:]]  # disjoint
    kept = sum(len(docs) for docs in sets) == len(final) or frozenset(final)  # True: no filter dropped any
    tiers = [sorted(docs if kept is True else docs & kept) for docs in sets]
    queries = [built.all_terms, built.all_terms] + [query for query, _docs in levels[1:]]
    return list(zip(queries, tiers, strict=True)), len(tiers[0]) + len(tiers[1])


def _search(matcher, values, built, filters, sort, stop, today):
    """(documents up to `stop` in order, scores, total, listings with every word, facet counts)."""
    levels = _levels(matcher, built)
    docs = sorted(frozenset().union(*(docs for _query, docs in levels)))
    final, counts = filter_and_count(values, docs, filters, today)
    tiers, full_total = _tiers(matcher, built, levels, final)
    ordered, scores = _order(matcher.searcher, matcher, built, tiers, values, sort, stop) if stop else ([], {})
    return ordered, scores, len(final), full_total, counts


def _text_fields(schema):
    return frozenset(name for name in ALL_FIELDS if name in schema)


def execute(searcher, params, today=None, caches=None):
    """Run `params` on `searcher` (a Whoosh searcher of our schema). `caches`: the index directory's
    QueryCaches (store.caches()), kept between searches; None caches nothing beyond this search.

    A search asked again before the index changes (same generation and document count, same day) is answered
    from `caches.results`: people repeat searches (the popular terms, the pages of one search, the tag links),
    and the answer is a function of the index and the parameters. The caller gets its own copy of the hits."""
    today = today or _today()
    caches = caches or QueryCaches()
    reader = searcher.reader()
    frozen = tuple(sorted((name, tuple(sorted(codes))) for name, codes in (params.filters or {}).items()))
    key = (reader.generation(), reader.doc_count(), params.q, frozen, params.sort, params.page, params.per_page, today)
    result = caches.results.get(key)
    if result is None:
        result = _execute(searcher, reader, params, today, caches)
        caches.results.put(key, result)
    return replace(result, hits=[replace(hit) for hit in result.hits])


def _execute(searcher, reader, params, today, caches):
    values = doc_values(reader)
    built = build(
        parse(params.q),
        searcher.schema["body"].analyzer,
        known=_known(reader),
        fields=_text_fields(searcher.schema),
        indexed=_indexed(reader),
    )
    page, per_page = max(1, int(params.page or 1)), params.per_page
    if built is None and clean(params.q):  # typed something, but not one searchable word (AND, *, (((, 的)
        return SearchResult(
            hits=[],
            total=0,
            facets={name: [] for name in FACETS},
            page=page,
            per_page=per_page,
            empty_query=False,
            no_words=True,
        )
    filters = params.filters or {}
    start, stop = (page - 1) * per_page, (page * per_page if page <= MAX_PAGE else 0)  # no work past the end
    sort = params.sort if params.sort in SORTS else "relevance"
    scores = {}
    if built is None:
        entry = _browse(reader, values, filters, today, caches.browse)
        final, counts = entry["final"], entry["counts"]
        total = full_total = len(final)
        sort = "newest" if sort == "relevance" else sort
        if sort not in entry["orders"]:
            entry["orders"][sort] = top_sorted(values, final, sort, len(final))
        chosen = entry["orders"][sort][start:stop]
    else:
        ordered, scores, total, full_total, counts = _search(
            SetMatcher(searcher, caches), values, built, filters, sort, stop, today
        )
        chosen = ordered[start:stop]
    terms = built.highlight_terms if built else ()
    hits = [_hit(searcher, values, docnum, scores.get(docnum, 0.0)) for docnum in chosen]
    for rank, hit in enumerate(hits, start):
        hit.partial = rank >= full_total
    facets = {name: counts[name].most_common() for name in FACETS}
    return SearchResult(
        hits=hits,
        total=total,
        facets=facets,
        page=page,
        per_page=per_page,
        empty_query=built is None,
        partial=full_total < total,
        terms=terms,
        full_total=full_total,
    )


def _hit(searcher, values, docnum, score):
    stored = searcher.stored_fields(docnum)
    return Hit(
        listing_id=int(stored["id"]),
        kind=values["kind"][docnum],
        fields=stored,
        title_html=None,  # marked by the caller, from the database row (search/services.py)
        snippet_html=None,
        score=score,
    )


RELATED_SAMPLE = 300  # listings read to find the terms that go with a query's words


def _near_spelling(reader, word):
    """The most used indexed word one edit away from `word` (same length first), or None."""
    cjk = not word.isascii()
    if len(word) < (2 if cjk else 4) or len(word) > 30:
        return None
    maxdist, prefix = (1, 1) if cjk or len(word) < 7 else (2, 2)
    found = {}
    for name in ("title", "body", "sub"):
        for term in reader.terms_within(name, word, maxdist, prefix=prefix):
            if term != word and len(term) >= 2:
                found[term] = found.get(term, 0) + reader.doc_frequency(name, term)
    if not found:
        return None
    return max(found, key=lambda t: (len(t) == len(word), found[t], t))


def did_you_mean(searcher, q):
    """The query with each typed word that no listing has replaced by a near spelling that listings have
    (传感气 -> 传感器), or None when there is nothing to correct."""
    reader = searcher.reader()
    known = _known(reader)
    changed, out = False, []
    for clause in parse(q):
        near = None
        if not clause.phrase and " " not in clause.text and not synonyms_of(clause.text) and not known(clause.text):
            near = _near_spelling(reader, clause.text)
        changed = changed or near is not None
        out.append(near or clause.text)
    return " ".join(out) if changed else None


def related_terms(searcher, q, limit=8, caches=None):
    """Terms that occur together with the query's words in the catalogue: the tags and title words most often
    found in listings having any of its words (or, when none has a whole word, any of the word's parts),
    weighted by how rare they are overall. The query's own words are left out."""
    reader = searcher.reader()
    analyzer = searcher.schema["body"].analyzer
    known = _known(reader)
    words = set()
    for clause in parse(q):
        for word, _s, _e in analyzer.words(clause.text):
            word = word.lower()
            words.update([word] if known(word) else [p for p in analyzer.split(word) if known(p.lower())])
    built = build([Clause(w) for w in sorted(words)], analyzer, fields=_text_fields(searcher.schema))
    if built is None:
        return []
    docs = sorted(SetMatcher(searcher, caches).docs(built.any_terms))[:RELATED_SAMPLE]
    counts = {}
    for docnum in docs:
        stored = searcher.stored_fields(docnum)
        terms = {t for t in (stored.get("tags") or "").split(",") if t}
        terms.update(w.lower() for w, _s, _e in analyzer.words(stored.get("title") or "") if len(w) >= 2)
        for term in terms - words:
            counts[term] = counts.get(term, 0) + 1
    total = max(1, reader.doc_count())
    minimum = 2 if len(docs) >= 10 else 1

    def weight(term):
        frequency = reader.doc_frequency("title", term) + reader.doc_frequency("tags", term)
        return counts[term] * math.log(1 + total / (1 + frequency))

    ranked = sorted((t for t, n in counts.items() if n >= minimum and not t.isdigit()), key=weight, reverse=True)
    return ranked[:limit]
