"""One search over an open searcher: query, drill-down facet counts, one sorted page, highlighted snippets.

Database-free, so the benchmark and the web service run exactly the same code.
"""
from dataclasses import dataclass, field

from ..listings import visibility
from .facets import doc_values, filter_and_count, top_sorted
from .query import build, highlight, parse
from .ranking import BM25_LIMIT, SetMatcher, rank_by_fields
from .schema import FACETS

SORTS = ("relevance", "newest", "price_asc", "price_desc")
MAX_PAGE = 50
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


@dataclass
class SearchResult:
    hits: list
    total: int
    facets: dict  # facet -> [(code, count)] sorted by count
    page: int
    per_page: int
    empty_query: bool
    partial: bool = False  # no document had every word: results match some of them
    terms: tuple = ()

    # the attributes the pagination macro of templates/_macros/forms.html reads
    @property
    def pages(self):
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))

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
            if (num <= left_edge or self.page - left_current <= num <= self.page + right_current
                    or num > self.pages - right_edge):
                if last + 1 != num:
                    yield None
                yield num
                last = num


def _today():
    return visibility.today_stamp()


_browse_cache = {}  # (generation, live docs, filters, day) -> counts and sort orders of the whole catalogue


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


def _browse(reader, values, filters, today):
    """Filters, counts and sort orders without a query: the same for every visitor until the index changes."""
    frozen = tuple(sorted((name, tuple(sorted(codes))) for name, codes in filters.items()))
    key = (reader.generation(), reader.doc_count(), frozen, today)
    entry = _browse_cache.get(key)
    if entry is None:
        final, counts = filter_and_count(values, live_docs(reader), filters, today)
        entry = {"final": final, "counts": counts, "orders": {}}
        if len(_browse_cache) >= 32:
            _browse_cache.clear()
        _browse_cache[key] = entry
    return entry


def _match(matcher, built):
    """(query, matching document numbers, partial) with the OR fallback when no document has every word."""
    docs = matcher.docs(built.all_terms)
    if not docs and built.any_terms is not built.all_terms:
        return built.any_terms, sorted(matcher.docs(built.any_terms)), True
    return built.all_terms, sorted(docs), False


def _rank(searcher, matcher, built, query, docs, final, values, stop):
    """(page document numbers up to `stop`, scores): BM25F for moderate hit sets, field weights beyond."""
    if len(final) <= BM25_LIMIT:
        allow = set(final) if len(final) != len(docs) else None
        results = searcher.search(query, filter=allow, limit=stop)
        return [hit.docnum for hit in results], {hit.docnum: hit.score for hit in results}
    return rank_by_fields(matcher, built.words, final, searcher.doc_count(), values["published_at"], stop)


def execute(searcher, params, today=None):
    """Run `params` on `searcher` (a Whoosh searcher of our schema)."""
    today = today or _today()
    reader = searcher.reader()
    values = doc_values(reader)
    built = build(parse(params.q), searcher.schema["body"].analyzer)
    filters = params.filters or {}
    page = max(1, min(int(params.page or 1), MAX_PAGE))
    start, stop = (page - 1) * params.per_page, page * params.per_page
    sort = params.sort if params.sort in SORTS else "relevance"
    scores, partial = {}, False
    if built is None:
        entry = _browse(reader, values, filters, today)
        final, counts = entry["final"], entry["counts"]
        sort = "newest" if sort == "relevance" else sort
        if sort not in entry["orders"]:
            entry["orders"][sort] = top_sorted(values, final, sort, len(final))
        chosen = entry["orders"][sort][start:stop]
    else:
        matcher = SetMatcher(searcher)
        query, docs, partial = _match(matcher, built)
        final, counts = filter_and_count(values, docs, filters, today)
        if sort == "relevance" and final:
            ranked, scores = _rank(searcher, matcher, built, query, docs, final, values, stop)
            chosen = ranked[start:stop]
        else:
            chosen = top_sorted(values, final, "newest" if sort == "relevance" else sort, stop)[start:stop]
    terms = built.highlight_terms if built else ()
    hits = [_hit(searcher, values, docnum, terms, scores.get(docnum, 0.0)) for docnum in chosen]
    facets = {name: counts[name].most_common() for name in FACETS}
    return SearchResult(hits=hits, total=len(final), facets=facets, page=page, per_page=params.per_page,
                        empty_query=built is None, partial=partial, terms=terms)


def _hit(searcher, values, docnum, terms, score):
    stored = searcher.stored_fields(docnum)
    return Hit(
        listing_id=int(stored["id"]),
        kind=values["kind"][docnum],
        fields=stored,
        title_html=highlight(stored.get("title", ""), terms),
        snippet_html=highlight(stored.get("text", ""), terms, width=SNIPPET_CHARS),
        score=score,
    )


def related_tags(searcher, q, limit=8):
    """Tags sharing a character bigram with the query (most used first), else the most used tags."""
    from .analysis import bigrams

    grams = {g for clause in parse(q) for g, _s, _e in bigrams(clause.text)}
    reader = searcher.reader()
    found = []
    if grams and "tags" in reader.indexed_field_names():
        for term in reader.lexicon("tags"):
            tag = term.decode("utf-8") if isinstance(term, bytes) else term
            if any(g in tag for g in grams):
                found.append((reader.doc_frequency("tags", term), tag))
    found.sort(key=lambda item: (-item[0], item[1]))
    tags = [tag for _n, tag in found[:limit]]
    if not tags:
        tags = [t.decode("utf-8") if isinstance(t, bytes) else t
                for _n, t in reader.most_frequent_terms("tags", number=limit)]
    return tags
