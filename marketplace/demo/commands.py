"""`flask demo ...`: load the demo catalogue and show the demo sign-ins."""

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

demo_cli = AppGroup("demo", help="演示数据：加载演示机构、账号与成果/需求。")


@demo_cli.command("load")
@click.option("--force", is_flag=True, help="Add missing demo records even when the market already has listings.")
def load_command(force):
    """Load the demo catalogue (only into a market without listings, unless --force)."""
    result = services.load_demo(force=force)
    if result.skipped:
        click.echo("Demo data: the market already has listings; nothing loaded (use --force to add missing records).")
        return
    db.session.commit()
    click.echo(
        f"Demo data loaded: {result.organisations} organisations, {result.users} users, "
        f"{result.achievements} achievements, {result.needs} needs "
        f"({', '.join(f'{k} {v}' for k, v in sorted(result.by_status.items()))})."
    )


@demo_cli.command("logins")
def logins_command():
    """Print the demo accounts (one per role) and their password."""
    click.echo(f"  Demo accounts (password for all: {services.DEMO_PASSWORD}):")
    for role, email, org in services.demo_logins():
        click.echo(f"    {role:<11} {email:<26} {org}")


COMMANDS = [demo_cli]
