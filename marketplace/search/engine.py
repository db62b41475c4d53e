"""One search over an open searcher: query, drill-down facet counts, one sorted page, highlighted snippets.

Database-free, so the benchmark and the web service run exactly the same code.
"""
from dataclasses import dataclass, field
from datetime import date

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
    return int(date.today().strftime("%Y%m%d"))


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


def _known(reader):
    """Whether a word occurs in any listing (whole, or inside a longer word)."""
    return lambda word: any(reader.doc_frequency(name, word) for name in ("title", "body", "sub"))


def _match(matcher, built):
    """(documents having every word, documents having some): listings with every part of one of the typed
    words, or when no listing has every word, any of the words. Both sorted document numbers."""
    full = matcher.docs(built.all_terms)
    if built.any_terms is built.all_terms:
        return sorted(full), sorted(full), built.all_terms
    some = built.typed_words if full else built.any_terms
    return sorted(full), sorted(full | matcher.docs(some)), some


def _rank_tier(searcher, matcher, built, query, tier, values, limit):
    """(the `limit` best of `tier` (document numbers), scores): BM25F for moderate sets, field weights beyond."""
    if not tier or limit <= 0:
        return [], {}
    if len(tier) <= BM25_LIMIT:
        results = searcher.search(built.scoring(query), filter=set(tier), limit=limit)
        return [hit.docnum for hit in results], {hit.docnum: hit.score for hit in results}
    return rank_by_fields(matcher, built.words, tier, searcher.doc_count(), values["published_at"], limit)


def _order(searcher, matcher, built, queries, tiers, values, sort, stop):
    """The first `stop` documents: listings with every word first, then those with some of the words."""
    chosen, scores = [], {}
    for query, tier in zip(queries, tiers, strict=True):
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


def execute(searcher, params, today=None):
    """Run `params` on `searcher` (a Whoosh searcher of our schema)."""
    today = today or _today()
    reader = searcher.reader()
    values = doc_values(reader)
    built = build(parse(params.q), searcher.schema["body"].analyzer, known=_known(reader))
    filters = params.filters or {}
    page = max(1, min(int(params.page or 1), MAX_PAGE))
    start, stop = (page - 1) * params.per_page, page * params.per_page
    sort = params.sort if params.sort in SORTS else "relevance"
    scores, full_total = {}, None
    if built is None:
        entry = _browse(reader, values, filters, today)
        final, counts = entry["final"], entry["counts"]
        sort = "newest" if sort == "relevance" else sort
        if sort not in entry["orders"]:
            entry["orders"][sort] = top_sorted(values, final, sort, len(final))
        chosen = entry["orders"][sort][start:stop]
    else:
        matcher = SetMatcher(searcher)
        full, docs, some = _match(matcher, built)
        final, counts = filter_and_count(values, docs, filters, today)
        if len(docs) == len(full):
            tiers = (final, [])
        else:
            full_set = frozenset(full)
            tiers = ([d for d in final if d in full_set], [d for d in final if d not in full_set])
        full_total = len(tiers[0])
        ordered, scores = _order(searcher, matcher, built, (built.all_terms, some), tiers, values, sort, stop)
        chosen = ordered[start:stop]
    terms = built.highlight_terms if built else ()
    hits = [_hit(searcher, values, docnum, terms, scores.get(docnum, 0.0)) for docnum in chosen]
    if full_total is not None:
        for rank, hit in enumerate(hits, start):
            hit.partial = rank >= full_total
    facets = {name: counts[name].most_common() for name in FACETS}
    return SearchResult(hits=hits, total=len(final), facets=facets, page=page, per_page=params.per_page,
                        empty_query=built is None, partial=full_total is not None and full_total < len(final),
                        terms=terms, full_total=len(final) if full_total is None else full_total)


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
