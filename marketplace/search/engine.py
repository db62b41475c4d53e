"""One search over an open searcher: query, drill-down facet counts, one sorted page, highlighted snippets.

Database-free, so the benchmark and the web service run exactly the same code.
"""
from dataclasses import dataclass, field
from datetime import date

from .facets import doc_values, filter_and_count, top_sorted
from .query import build, highlight, parse
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
    return int(date.today().strftime("%Y%m%d"))


def execute(searcher, params, today=None):
    """Run `params` on `searcher` (a Whoosh searcher of our schema)."""
    today = today or _today()
    reader = searcher.reader()
    values = doc_values(reader)
    tokenizer = searcher.schema["body"].analyzer
    built = build(parse(params.q), tokenizer)
    partial = False
    query = None
    if built is None:
        docs = list(reader.all_doc_ids())
    else:
        query = built.all_terms
        docs = list(searcher.docs_for_query(query))
        if not docs and built.any_terms is not built.all_terms:
            query, partial = built.any_terms, True
            docs = list(searcher.docs_for_query(query))
    final, counts = filter_and_count(values, docs, params.filters or {}, today)
    page = max(1, min(int(params.page or 1), MAX_PAGE))
    per_page = params.per_page
    start, stop = (page - 1) * per_page, page * per_page
    sort = params.sort if params.sort in SORTS else "relevance"
    scores = {}
    if query is not None and sort == "relevance":
        allow = set(final) if len(final) != len(docs) else None
        results = searcher.search(query, filter=allow, limit=stop) if final else []
        chosen = [hit.docnum for hit in results][start:stop]
        scores = {hit.docnum: hit.score for hit in results} if final else {}
    else:
        chosen = top_sorted(values, final, "newest" if sort == "relevance" else sort, stop)[start:stop]
    terms = built.highlight_terms if built else ()
    hits = []
    for docnum in chosen:
        stored = searcher.stored_fields(docnum)
        hits.append(Hit(
            listing_id=int(stored["id"]),
            kind=values["kind"][docnum],
            fields=stored,
            title_html=highlight(stored.get("title", ""), terms),
            snippet_html=highlight(stored.get("text", ""), terms, width=SNIPPET_CHARS),
            score=scores.get(docnum, 0.0),
        ))
    facets = {name: counts[name].most_common() for name in FACETS}
    return SearchResult(hits=hits, total=len(final), facets=facets, page=page, per_page=per_page,
                        empty_query=built is None, partial=partial, terms=terms)


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
