"""`flask audit purge`: remove audit entries older than the retention period (AUDIT_RETENTION_DAYS)."""

import click
from flask.cli import AppGroup

from ..extensions import db
from ..templating import local_time
from .services import count_older_than, purge_batch, purge_cutoff, record

audit_cli = AppGroup("audit", help="安全审计日志。")


@audit_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="只统计将被删除的条数，不删除。")
@click.option(
    "--batch-size",
    default=1000,
    show_default=True,
    type=click.IntRange(1, 100000),
    help="每批删除的条数（每批单独提交）。",
)
def purge_command(dry_run, batch_size):
    """删除早于保留期（AUDIT_RETENTION_DAYS，至少 180 天）的审计日志；保留期内的条目不受影响。"""
    try:
        cutoff = purge_cutoff()
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    total = count_older_than(cutoff)
    click.echo(f"保留期起点：{local_time(cutoff)}（北京时间）；早于此时间的条目：{total} 条。")
    if dry_run:
        click.echo("试运行：未删除任何条目。")
        return
    done = 0
    while done < total:
        removed = purge_batch(cutoff, batch_size)
        db.session.commit()
        if not removed:
            break
        done += removed
        click.echo(f"已删除 {done}/{total} 条")
    record("audit.purge", target="audit_log", removed=done, cutoff=cutoff.isoformat(timespec="seconds"))
    db.session.commit()
    click.echo(f"完成：共删除 {done} 条。")


COMMANDS = [audit_cli]
