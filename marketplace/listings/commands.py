"""`flask listings ...` commands."""

import click
from flask.cli import AppGroup

from ..extensions import db
from ..transfer import commands as transfer_commands

listings_cli = AppGroup("listings", help="科技成果与技术需求：过期处理、导入导出。")


@listings_cli.command("expire")
def expire_command():
    """Mark published listings past their validity date as expired (run daily, e.g. from cron)."""
    from .services import expire_listings

    count = expire_listings()
    db.session.commit()
    click.echo(f"expired {count} listing(s)")


# Bulk import/export commands live in marketplace.transfer and join this group.
for _command in transfer_commands.COMMANDS:
    listings_cli.add_command(_command)

COMMANDS = [listings_cli]
