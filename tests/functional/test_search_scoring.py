"""Search ranking scores each query leaf by leaf (search/treescore.py): its BM25F scores must be Whoosh's own,
on a real index of several segments with deleted documents, for the queries the search box builds."""

import itertools

import pytest
from whoosh import query as wq

from marketplace.extensions import db
from marketplace.search import dictionary, engine, evaluation, ranking
from marketplace.search.caches import QueryCaches
from marketplace.search.index import IndexStore
from marketplace.search.query import build
from marketplace.search.schema import document
from marketplace.search.treescore import score_tier

DATA = "tests/data/csl_achievements_200.jsonl"
QUERIES = [
    "控制",  # one word
    "系统",
    "模型 方法",  # two words
    "飞行器 控制器",
    "传感器 检测 技术",
    "姿态控制系统",  # one typed word that becomes a phrase of its parts
    "非线性控制",
    '"控制系统"',  # a quoted phrase
    "评测机构",  # the organisation (facts)
    "评测 算法",
    "nonexistentword",
]


@pytest.fixture
def searcher(app, tmp_path):
    """A searcher on an index of the test listings written in three commits (three segments), with some of the
    first segment's documents deleted and written again, and our weighting."""
    with app.app_context():
        evaluation.load_documents(evaluation.read_jsonl(DATA))
        db.session.commit()
        from marketplace.listings.models import Achievement

        listings = Achievement.query.order_by(Achievement.id).all()
        store = IndexStore(tmp_path / "index")
        name = store.create(dictionary.dictionary_terms())
        for batch in (listings[:90], listings[90:150], listings[150:]):
            writer = store.writer(name)
            for listing in batch:
                writer.add_document(**document(listing))
            writer.commit(merge=False)
        writer = store.writer(name)
        for listing in listings[:90:7]:
            writer.update_document(**document(listing))  # deletes the old copy in segment one
        writer.commit(merge=False)
        searcher = store.open(name).searcher(weighting=ranking._Weighting(B=ranking.BM25_B, K1=ranking.BM25_K1))
        yield searcher
        searcher.close()


def _queries(searcher, text):
    reader = searcher.reader()
    built = build(
        engine.parse(text),
        searcher.schema["body"].analyzer,
        known=engine._known(reader),
        fields=engine._text_fields(searcher.schema),
        indexed=engine._indexed(reader),
    )
    if built is None:
        return []
    found = [built.all_terms, built.any_terms, built.scoring(built.all_terms), built.scoring(built.any_terms)]
    found += [q for q in (*built.words, *built.typed, built.facts) if q is not None]
    return found


def test_leaf_scores_are_whooshs(searcher):
    reader = searcher.reader()
    assert len(reader.leaf_readers()) >= 3 and reader.doc_count() < reader.doc_count_all()  # segments, deletions
    live = engine.live_docs(reader)
    tiers = [live, live[::2], live[1::3][:40]]
    checked = 0
    caches = QueryCaches()
    for text, tier, _again in itertools.product(QUERIES, tiers, (1, 2)):  # twice: leaves from the cache
        for query in _queries(searcher, text):
            whoosh = {hit.docnum: hit.score for hit in searcher.search(query, filter=set(tier), limit=None)}
            ours = score_tier(searcher, query, tier, caches)
            assert ours.keys() == whoosh.keys(), (text, query)
            assert all(abs(ours[d] - whoosh[d]) <= 1e-9 for d in ours), (text, query)
            assert ours == whoosh, (text, query)  # to the last bit: sums grouped as Whoosh groups them
            checked += len(ours)
    assert checked > 1000
    assert any(isinstance(q, wq.Phrase) for q in _queries(searcher, "姿态控制系统")[4:])  # a phrase was scored


def test_ranking_keeps_whooshs_top_hits(searcher):
    """bm25_rank's page: Whoosh's best max(limit * 5, RERANK_DEPTH) by BM25F, re-ordered by the length prior."""
    live = engine.live_docs(searcher.reader())
    for text in QUERIES[:6]:
        for query in _queries(searcher, text)[:3]:
            results = searcher.search(query, filter=set(live), limit=ranking.RERANK_DEPTH)
            prior = ranking.length_prior(searcher.reader())
            expected = {hit.docnum: hit.score * prior(hit.docnum) for hit in results}
            ranked, scores = ranking.bm25_rank(searcher, query, live, 20, QueryCaches())
            assert ranked == sorted(expected, key=lambda d: (-expected[d], d))[:20]
            assert scores.keys() == expected.keys()
