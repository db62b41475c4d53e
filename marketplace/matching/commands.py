"""`flask match ...`: run and evaluate the matcher on a labelled set; refresh stored suggestions."""

import json
import tempfile
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from . import evaluation

match_cli = AppGroup("match", help="供需匹配：评测与建议刷新。")


def _isolated_run(achievements, needs, limit, drop_category):
    """Import the records into a fresh temporary database (a second app) and rank every need there."""
    from .. import create_app
    from . import csl

    with tempfile.TemporaryDirectory(prefix="match-run-") as tmp:
        app = create_app(
            None,
            SECRET_KEY=current_app.config["SECRET_KEY"],
            SQLALCHEMY_DATABASE_URI="sqlite:///" + str(Path(tmp) / "match.db"),
            SEARCH_INDEX_DIR=str(Path(tmp) / "search_index"),
            UPLOAD_FOLDER=str(Path(tmp) / "uploads"),
            OUTBOX_DIR=str(Path(tmp) / "outbox"),
            SEARCH_BACKGROUND=False,
            MATCH_BACKGROUND=False,
            PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
        )
        with app.app_context():
            db.create_all()
            ids = csl.load_records(achievements, needs, drop_category=drop_category)
            db.session.commit()
            run = csl.rank_needs(ids, limit=limit)
            db.session.remove()
            db.engine.dispose()
    return run


@match_cli.command("run")
@click.option("--achievements", "achievements_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--needs", "needs_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--no-category", is_flag=True, help="忽略需求的学科门类（考察从文本推断领域的能力）。")
def run_command(achievements_path, needs_path, out_path, limit, no_category):
    """Rank achievements for every need of a CSL-format set in a temporary database; write JSONL."""
    started = time.time()
    run = _isolated_run(evaluation.read_jsonl(achievements_path), evaluation.read_jsonl(needs_path), limit, no_category)
    with open(out_path, "w", encoding="utf-8") as fh:
        for need_id, ranked in run.items():
            fh.write(json.dumps({"need_id": need_id, "ranked": ranked}, ensure_ascii=False) + "\n")
    click.echo(f"wrote {len(run)} rankings to {out_path} in {time.time() - started:.1f}s")


@match_cli.command("evaluate")
@click.option("--achievements", "achievements_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--needs", "needs_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--qrels", "qrels_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--no-category", is_flag=True, help="忽略需求的学科门类。")
@click.option(
    "--folds",
    default=0,
    type=click.IntRange(0, 20),
    help="按共享的分折协议评测：每折的需求在去掉其来源论文的成果池中排序（推荐 5）。",
)
def evaluate_command(achievements_path, needs_path, qrels_path, no_category, folds):
    """Run the matcher as `match run` does and print nDCG@10, Recall@10, MRR and P@5.

    With --folds K, the shared fold protocol: fold f ranks needs[f::K] over the pool without those needs' own
    papers, and the merged runs are scored against the merged fold qrels (what shared/eval/folds.py --score does).
    """
    achievements, needs = evaluation.read_jsonl(achievements_path), evaluation.read_jsonl(needs_path)
    qrels = evaluation.load_qrels(qrels_path)
    if not folds:
        run, judged = _isolated_run(achievements, needs, 10, no_category), qrels
    else:
        run, judged = {}, {}
        for n, (pool, fold_needs, fold_qrels) in enumerate(evaluation.folds(achievements, needs, qrels, folds)):
            run.update(_isolated_run(pool, fold_needs, 10, no_category))
            judged.update(fold_qrels)
            click.echo(f"fold {n}: {len(fold_needs)} needs over {len(pool)} achievements", err=True)
    metrics = evaluation.score(judged, run)
    click.echo(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()}))


@match_cli.command("refresh")
def refresh_command():
    """Recompute the stored suggestions of every published listing (after a bulk import)."""
    from . import services

    count = 0
    with click.progressbar(length=1, label="refreshing") as bar:
        for done, total in services.refresh_batches():
            db.session.commit()  # short transactions: the site keeps writing between batches
            bar.length = total
            bar.update(done - count)
            count = done
    click.echo(f"refreshed {count} listing(s)")


COMMANDS = [match_cli]
