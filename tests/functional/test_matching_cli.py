"""`flask match run/evaluate` work on a temporary database and leave the app's data alone."""
import json
from pathlib import Path

from marketplace.extensions import db
from marketplace.listings.models import Listing

DATA = Path(__file__).resolve().parents[1] / "data"
ARGS = ["--achievements", str(DATA / "matching_achievements.jsonl"), "--needs", str(DATA / "matching_needs.jsonl")]


def test_match_run_writes_one_ranking_per_need(runner, tmp_path):
    out = tmp_path / "run.jsonl"
    result = runner.invoke(args=["match", "run", *ARGS, "--out", str(out), "--limit", "5"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["need_id"] for r in lines} == {f"dev-n00{i}" for i in range(5)}
    assert all(len(r["ranked"]) == 5 and all(a.startswith("dev-a") for a in r["ranked"]) for r in lines)
    assert db.session.execute(db.select(db.func.count(Listing.id))).scalar() == 0


def test_match_evaluate_prints_the_metrics(runner):
    for extra in ([], ["--no-category"]):
        result = runner.invoke(args=["match", "evaluate", *ARGS, "--qrels", str(DATA / "matching_qrels.tsv"), *extra])
        assert result.exit_code == 0, result.output
        metrics = json.loads(result.output.strip().splitlines()[-1])
        assert set(metrics) == {"ndcg10", "recall10", "mrr", "p5", "needs"} and metrics["needs"] == 5
        assert metrics["ndcg10"] > 0.5
