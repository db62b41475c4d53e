"""`flask search ...`: rebuild, status, reconcile, sync; run and evaluate the ranking on a labelled set."""

import json
import time

import click
from flask import current_app
from flask.cli import AppGroup

from . import evaluation, services

search_cli = AppGroup("search", help="全文搜索索引：重建、状态、校对。")


@search_cli.command("rebuild")
def rebuild_command():
    """Build a new index from the database beside the live one and swap it in (search keeps working)."""
    with click.progressbar(length=services.public_count(), label="重建索引", show_pos=True) as bar:
        count = services.rebuild(progress=bar.update)
    click.echo(f"索引已重建并切换：{count} 条已发布内容。")


@search_cli.command("status")
def status_command():
    """Published listings in the database vs documents in the index, pending changes, lag, watermark."""
    info = services.status()
    click.echo(f"索引目录：{info['index'] or '（尚未建立）'}")
    click.echo(f"数据库中公开内容：{info['published']}")
    click.echo(f"索引中文档：{info['documents']}")
    click.echo(f"待应用变更：{info['pending']}（延迟 {info['lag_seconds']:.1f} 秒）")
    click.echo(f"水位（已应用的变更编号）：{info['watermark']}，待确认的编号区间：{info['gaps']}")
    click.echo("领域词典：" + ("与索引一致" if info["dictionary_current"] else "已变化，请运行 flask search rebuild"))


@search_cli.command("reconcile")
@click.option("--dry-run", is_flag=True, help="只报告差异，不修复。")
def reconcile_command(dry_run):
    """Find documents missing from, extra in, or stale in the index (ids + updated_at) and repair them."""
    found = services.reconcile(repair=not dry_run)
    for key, text in (("missing", "索引缺少"), ("extra", "索引多余"), ("stale", "索引过期")):
        ids = found[key]
        shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
        click.echo(f"{text}：{len(ids)} 条" + (f"（{shown}）" if ids else ""))
    if any(found.values()):
        click.echo("仅报告，未修复。" if dry_run else "已修复。")
    else:
        click.echo("索引与数据库一致。")


@search_cli.command("sync")
def sync_command():
    """Apply pending changes of the log to the index now."""
    click.echo(f"已应用 {services.sync()} 条内容的变更。")


_FILE = click.Path(exists=True, dir_okay=False)


@search_cli.command("run")
@click.option("--docs", "docs_path", required=True, type=_FILE, help="JSONL: external_id, title, summary.")
@click.option("--queries", "queries_path", required=True, type=_FILE, help="JSONL: query_id, text.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
def run_command(docs_path, queries_path, out_path):
    """Rank every query as the search page does, in a temporary database and index; write JSONL."""
    started = time.time()
    run = evaluation.isolated_run(docs_path, queries_path, secret_key=current_app.config["SECRET_KEY"])
    evaluation.write_run(run, out_path)
    click.echo(f"wrote {len(run)} rankings to {out_path} in {time.time() - started:.1f}s")


@search_cli.command("evaluate")
@click.option("--docs", "docs_path", required=True, type=_FILE)
@click.option("--queries", "queries_path", required=True, type=_FILE)
@click.option("--qrels", "qrels_path", required=True, type=_FILE, help="TSV: query_id, doc_id, grade.")
def evaluate_command(docs_path, queries_path, qrels_path):
    """Run as `search run` does and print the shared scorer's nDCG@10, Recall@10, MRR and P@5."""
    from ..matching.evaluation import load_qrels, score

    run = evaluation.isolated_run(docs_path, queries_path, secret_key=current_app.config["SECRET_KEY"])
    metrics = score(load_qrels(qrels_path), run)
    click.echo(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()}))


COMMANDS = [search_cli]
