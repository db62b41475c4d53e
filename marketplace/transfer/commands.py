"""`flask listings import FILE` and `flask listings export`: bulk transfer of listings (JSONL, CSV, XLSX)."""

import logging
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .. import taxonomy
from ..audit import record
from ..background import lower_priority
from ..dbsetup import optimize, read_only
from ..extensions import db
from .exporter import export_listings
from .formats import FORMATS, FormatError, detect_format
from .importer import ImportSetupError, default_owner, find_organisation, run_import

log = logging.getLogger(__name__)

REPORT_LIMIT = 200
OPTIMIZE_AFTER_ROWS = 1000  # ANALYZE after imports this large (the planner needs statistics at 100k rows)


def _progress(label, length):
    return click.progressbar(length=length, label=label, show_pos=True, file=sys.stderr)


def _resolve_options(org, owner):
    """The --org organisation and --owner user (None when not given); ImportSetupError when unknown."""
    from .importer import find_owner
    from .rows import RowError

    organisation = find_organisation(org) if org else None
    if org and organisation is None:
        raise ImportSetupError(f"未知机构：{org}（请填写机构名称或编号）")
    user = None
    if owner:
        if organisation is None:
            raise ImportSetupError("使用 --owner 时请同时用 --org 指定机构")
        try:
            user = find_owner(owner, organisation)
        except RowError as err:
            raise ImportSetupError(str(err)) from err
    elif organisation is not None and default_owner(organisation) is None:
        raise ImportSetupError(f"机构“{organisation.name}”没有可用成员作为发布者，请先添加成员或用 --owner 指定")
    return organisation, user


def _sync_search_index():
    """Apply the recorded index changes now, if the search feature offers it (they are durable anyway)."""
    try:
        from ..search import services
    except ImportError:
        return
    sync = getattr(services, "sync", None)
    if sync is None:
        return
    try:
        with read_only():  # the index phase only reads the database: SQLite's write lock stays free
            sync(progress=None)
    except Exception as err:  # the database is committed; the change log lets the index catch up later
        log.warning("search index sync after import failed: %r", err)
        click.echo(f"提示：搜索索引暂未更新（{err}）；变更已记录，稍后会自动应用。", err=True)


def _echo_report(report, dry_run):
    for line in report.warning_lines():
        click.echo(f"提示 {line}")
    for line in report.error_lines(REPORT_LIMIT):
        click.echo(line, err=True)
    verb = "将" if dry_run else "已"
    click.echo(
        f"共 {report.rows} 行：{verb}新建 {report.created} 条，{verb}更新 {report.updated} 条，"
        f"未变化 {report.unchanged} 条，错误 {len(report.errors)} 行。"
    )


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="文件格式；默认按扩展名判断。")
@click.option("--org", help="拥有这些记录的机构（名称或编号）；文件有 organisation 列时可省略。")
@click.option("--owner", help="发布者邮箱；默认为该机构的第一位正式成员。")
@click.option("--publish", is_flag=True, help="导入后直接发布（运营操作，记入状态日志）；默认保存为草稿。")
@click.option("--skip-bad", is_flag=True, help="跳过有错误的行，导入其余各行；默认有任何错误行则全部不导入。")
@click.option("--dry-run", is_flag=True, help="只校验并报告，不写入数据库。")
@click.option("--no-index", is_flag=True, help="不立即更新搜索索引（变更已记录，由后台更新程序稍后应用）。")
@with_appcontext
def import_command(file, fmt, org, owner, publish, skip_bad, dry_run, no_index):
    """导入科技成果/技术需求（JSONL、CSV 或 XLSX）。按 external_id 识别：再次导入同一记录会更新它，不会重复。

    \b
    列：external_id、kind（achievement/need 或 科技成果/技术需求）、title、summary（需求可用 description）、
    tags（列表，或用 ; , 、 分隔）、field（学科）、category（门类），以及任一字段名，如 industry、region、
    maturity、trl、cooperation_modes、price_wan（或“面议”）、valid_until（YYYY-MM-DD）、deadline、
    organisation、owner。可填代码或中文名称（如 region 填“南昌”）。status 列会被忽略。

    空单元格表示“不提供”：新记录取默认值，已有记录保留原值。已发布的记录再次导入后仍保持发布。
    有任何错误行时默认不导入（退出码 1），并逐行报告“第 N 行: 原因”。
    """
    try:
        fmt = detect_format(file, fmt)
        with read_only():  # reading the options (and, in run_import, the file) takes no SQLite write lock
            organisation, user = _resolve_options(org, owner)
        report = run_import(file, fmt, organisation, user, publish=publish, skip_bad=skip_bad, progress=_progress)
    except (FormatError, ImportSetupError) as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from err
    except SQLAlchemyError as err:  # e.g. another import added the same external_id meanwhile
        db.session.rollback()
        log.exception("import of %s failed", file)
        reason = getattr(err, "orig", None) or err
        raise click.ClickException(f"写入数据库失败，整个导入已撤销，未写入任何记录：{reason}") from err
    except Exception:
        db.session.rollback()
        raise
    _echo_report(report, dry_run)
    if report.errors and not skip_bad:
        db.session.rollback()
        click.echo("文件中有错误行，未导入任何记录（修正后重新导入，或使用 --skip-bad 只导入正确的行）。", err=True)
        raise SystemExit(1)
    if dry_run:
        db.session.rollback()
        click.echo("试运行：未写入数据库。")
        return
    db.session.commit()
    click.echo(f"导入完成：{report.imported} 条记录已写入。")
    if report.imported >= OPTIMIZE_AFTER_ROWS:
        optimize(db.engine)  # fresh planner statistics for lists and counts; on PostgreSQL counts read the index only
    if report.imported and not no_index:
        lower_priority(current_app)  # indexing (and its forked writers) holds no database lock: the site goes first
        _sync_search_index()


@click.command("export")
@click.option("--kind", type=click.Choice(list(taxonomy.LISTING_KINDS)), help="只导出科技成果或技术需求。")
@click.option("--status", type=click.Choice(list(taxonomy.LISTING_STATUSES)), help="只导出该状态的记录，如 published。")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="文件格式；默认按 --out 的扩展名判断。")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True), help="输出文件。")
@click.option(
    "--include-confidential",
    is_flag=True,
    help="同时导出保密字段（科技成果的详细技术方案、联系人、联系电话、联系邮箱、发布者邮箱）。"
    "默认不导出；仅供运营人员在受控环境中使用。",
)
@with_appcontext
def export_command(kind, status, fmt, out, include_confidential):
    """导出科技成果/技术需求，列与导入相同（导出的文件可以再导入）。CSV 为带 BOM 的 UTF-8，Excel 可直接打开。"""
    try:
        fmt = detect_format(out, fmt)
    except FormatError as err:
        raise click.ClickException(str(err)) from err
    partial = f"{out}.part"
    with open(partial, "wb") as stream:
        count = export_listings(stream, fmt, kind=kind, status=status, include_confidential=include_confidential)
    os.replace(partial, out)  # readers never see a half-written file
    record(
        "export.listings",
        target="listings",
        via="cli",
        format=fmt,
        rows=count,
        kind=kind,
        status=status,
        file=os.path.abspath(out),
        include_confidential=include_confidential,
    )
    db.session.commit()
    note = "（含保密字段）" if include_confidential else "（不含保密字段）"
    click.echo(f"已导出 {count} 条记录到 {out}{note}。")


COMMANDS = [import_command, export_command]
