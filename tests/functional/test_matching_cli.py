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
    # at most 5 each: pairs under the score threshold are not suggested (and so not in the run)
    assert all(len(r["ranked"]) <= 5 and all(a.startswith("dev-a") for a in r["ranked"]) for r in lines)
    assert sum(len(r["ranked"]) for r in lines) >= 10
    assert db.session.execute(db.select(db.func.count(Listing.id))).scalar() == 0


def test_match_evaluate_prints_the_metrics(runner):
    for extra in ([], ["--no-category"]):
        result = runner.invoke(args=["match", "evaluate", *ARGS, "--qrels", str(DATA / "matching_qrels.tsv"), *extra])
        assert result.exit_code == 0, result.output
        metrics = json.loads(result.output.strip().splitlines()[-1])
        assert set(metrics) == {"ndcg10", "recall10", "mrr", "p5", "needs"} and metrics["needs"] == 5
        assert metrics["ndcg10"] > 0.5


CSL = ["--achievements", str(DATA / "csl_achievements_200.jsonl"), "--needs", str(DATA / "csl_needs_30.jsonl")]


def _read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_stored_suggestions_equal_the_evaluated_rankings(app, runner, tmp_path):
    """What `flask match run` measures is what the live updater stores: same ids, same order (full text)."""
    from marketplace.listings.changes import record_change
    from marketplace.matching import csl, services
    from marketplace.matching.models import Suggestion

    achievements = _read(DATA / "csl_achievements_200.jsonl")
    # A need whose title says nothing: only its description (an achievement's abstract) can find that achievement.
    needs = _read(DATA / "csl_needs_30.jsonl") + [
        {
            "external_id": "body-only",
            "kind": "need",
            "title": "寻求技术合作",
            "description": achievements[7]["summary"],
            "category": achievements[7]["category"],
        }
    ]
    needs_path = tmp_path / "needs.jsonl"
    needs_path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in needs) + "\n", encoding="utf-8")
    out = tmp_path / "run.jsonl"
    result = runner.invoke(
        args=[
            "match",
            "run",
            CSL[0],
            CSL[1],
            "--needs",
            str(needs_path),
            "--out",
            str(out),
            "--limit",
            str(services.SUGGESTIONS_KEPT),
        ]
    )
    assert result.exit_code == 0, result.output
    evaluated = {r["need_id"]: r["ranked"] for r in _read(out)}
    assert evaluated["body-only"][0] == achievements[7]["external_id"]

    # The same records published into the app's own database, then the background updater's step until done.
    ids = csl.load_records(achievements, needs)
    for listing_id in ids.values():
        record_change(listing_id)
    db.session.commit()
    while services.process_changes():
        db.session.commit()
    by_id = {v: k for k, v in ids.items()}
    stored = {}
    for s in db.session.execute(db.select(Suggestion).order_by(Suggestion.listing_id, Suggestion.rank)).scalars():
        stored.setdefault(by_id[s.listing_id], []).append(by_id[s.candidate_id])
    assert len(evaluated) == 31
    for need_id, ranked in evaluated.items():
        assert stored[need_id] == ranked, need_id


def test_tags_that_repeat_after_normalisation_do_not_crash_the_loader(runner, tmp_path):
    rows = _read(DATA / "matching_achievements.jsonl")
    rows[0]["tags"] = ["T细胞", "免疫", "T细胞"]
    rows[1]["tags"] = [" 2", "2", "Ｔ细胞", "t细胞"]
    rows[2]["tags"] = ["长" * 45 + "甲", "长" * 45 + "乙"]  # the same once cut to 40 characters
    path = tmp_path / "achievements.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "run.jsonl"
    result = runner.invoke(
        args=[
            "match",
            "run",
            "--achievements",
            str(path),
            "--needs",
            str(DATA / "matching_needs.jsonl"),
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert len(_read(out)) == 5


def _reference_folds():
    """shared/eval/folds.py (its copy in tests/data when the shared tree is absent)."""
    import importlib.util
    import sys

    root = Path(__file__).resolve().parents[2]
    path = next(
        p for p in (root.parent / "shared" / "eval" / "folds.py", DATA / "reference_eval" / "folds.py") if p.exists()
    )
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location("reference_folds", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def test_fold_evaluation_agrees_with_the_shared_fold_protocol(runner, tmp_path):
    """`match evaluate --folds 5` == folds.py's split, `match run` on each fold, and folds.py --score."""
    reference = _reference_folds()
    set_dir = tmp_path / "set"
    set_dir.mkdir()
    for name, src in (
        ("achievements.jsonl", "matching_achievements.jsonl"),
        ("needs.jsonl", "matching_needs.jsonl"),
        ("qrels.tsv", "matching_qrels.tsv"),
    ):
        (set_dir / name).write_bytes((DATA / src).read_bytes())
    reference.split(set_dir, tmp_path / "folds", 5)
    for fold in sorted((tmp_path / "folds").glob("fold*")):
        result = runner.invoke(
            args=[
                "match",
                "run",
                "--achievements",
                str(fold / "achievements.jsonl"),
                "--needs",
                str(fold / "needs.jsonl"),
                "--out",
                str(fold / "ours.jsonl"),
            ]
        )
        assert result.exit_code == 0, result.output
    expected = {
        k: round(v, 4) if isinstance(v, float) else v for k, v in reference.merged(tmp_path / "folds", "ours").items()
    }

    result = runner.invoke(
        args=["match", "evaluate", *ARGS, "--qrels", str(DATA / "matching_qrels.tsv"), "--folds", "5"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == expected
    assert expected["needs"] == 5
    # and the protocol matters: without the folds the need's own paper is in the pool
    plain = runner.invoke(args=["match", "evaluate", *ARGS, "--qrels", str(DATA / "matching_qrels.tsv")])
    assert json.loads(plain.output.strip().splitlines()[-1]) != expected


def test_match_refresh_recomputes_every_published_listing(runner, factory):
    from marketplace.matching import services

    need = factory.listing("need", title="寻求石墨烯锂电池负极材料技术", summary="锂电池负极材料的循环寿命。")
    ach = factory.listing(
        "achievement",
        title="石墨烯锂电池负极材料的制备",
        summary="以氧化石墨烯制备锂电池负极材料。",
        tags=["石墨烯", "锂电池"],
    )
    assert services.suggestions_for(need) == []
    result = runner.invoke(args=["match", "refresh"])
    assert result.exit_code == 0, result.output
    assert "refreshed 2 listing(s)" in result.output
    db.session.expire_all()
    assert [s.candidate_id for s in services.suggestions_for(need)] == [ach.id]


def _stored_lists():
    from marketplace.matching.models import Suggestion

    stored = {}
    for s in db.session.execute(db.select(Suggestion).order_by(Suggestion.listing_id, Suggestion.rank)).scalars():
        stored.setdefault(s.listing_id, []).append((s.candidate_id, s.percent))
    return stored


def test_a_bulk_import_drained_in_batches_leaves_the_lists_a_full_refresh_computes(app, runner):
    """Issue 12 item 6: the updater shares the reverse-side work of a bulk import across its batches (a
    counterpart already computed from current pools, or changed later in the log, is not recomputed), and
    still stores for every listing, on both sides, exactly what `flask match refresh` stores."""
    from marketplace.listings.changes import record_changes
    from marketplace.matching import csl, services

    ids = csl.load_records(_read(DATA / "csl_achievements_200.jsonl"), _read(DATA / "csl_needs_30.jsonl"))
    record_changes(sorted(ids.values(), reverse=True))  # needs first: their counterparts change later in the log
    db.session.commit()
    batches = 0
    while services.process_changes(batch=40):
        db.session.commit()
        batches += 1
    assert batches >= 5
    drained = _stored_lists()
    assert len(drained) >= 40  # the needs and the achievements they suggest

    result = runner.invoke(args=["match", "refresh"])
    assert result.exit_code == 0, result.output
    assert "refreshed 230 listing(s)" in result.output
    assert _stored_lists() == drained
