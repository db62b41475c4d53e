"""`flask search run/evaluate` rank in a temporary database exactly as the search page does."""

import json
import re
from pathlib import Path

from marketplace.extensions import db
from marketplace.listings.models import Listing

DATA = Path(__file__).resolve().parents[1] / "data" / "search"
QUERIES = ["控制", "研究 方法", "模型", "保鲜 技术", "中国", "高血压"]


def _files(tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "".join(
            json.dumps({"query_id": f"q{i}", "text": text}, ensure_ascii=False) + "\n" for i, text in enumerate(QUERIES)
        ),
        encoding="utf-8",
    )
    return DATA / "docs.jsonl", queries


def test_search_run_agrees_with_the_search_page(runner, client, factory, tmp_path):
    docs, queries = _files(tmp_path)
    out = tmp_path / "run.jsonl"
    result = runner.invoke(args=["search", "run", "--docs", str(docs), "--queries", str(queries), "--out", str(out)])
    assert result.exit_code == 0, result.output
    run = {r["query_id"]: r["ranked"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert db.session.execute(db.select(db.func.count(Listing.id))).scalar() == 0  # the app's data untouched

    owner = factory.user("researcher")
    external = {}
    for line in docs.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        listing = factory.listing(
            owner=owner, title=rec["title"], summary=rec["summary"], external_id=rec["external_id"]
        )
        external[listing.id] = rec["external_id"]
    for i, text in enumerate(QUERIES):
        page = client.get("/search/", query_string={"q": text}).get_data(as_text=True)
        shown = [external[int(n)] for n in re.findall(r'data-listing-id="(\d+)"', page)]
        assert shown, text
        assert shown == run[f"q{i}"][: len(shown)], text


def test_search_evaluate_prints_the_shared_scorers_metrics(runner, tmp_path):
    docs, queries = _files(tmp_path)
    qrels = tmp_path / "qrels.tsv"
    ids = [json.loads(line)["external_id"] for line in docs.read_text(encoding="utf-8").splitlines()]
    qrels.write_text(
        "query_id\tdoc_id\tgrade\n" + "".join(f"q{i}\t{ids[i]}\t2\n" for i in range(len(QUERIES))), encoding="utf-8"
    )
    result = runner.invoke(
        args=["search", "evaluate", "--docs", str(docs), "--queries", str(queries), "--qrels", str(qrels)]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output.strip().splitlines()[-1])
    assert set(metrics) == {"ndcg10", "recall10", "mrr", "p5", "needs"} and metrics["needs"] == len(QUERIES)
