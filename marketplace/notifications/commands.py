"""`flask notifications digest`: the daily e-mail digest (run from cron once a day); `send`: pending e-mails."""

import click
from flask.cli import AppGroup

from ..extensions import db
from . import services

notifications_cli = AppGroup("notifications", help="Notification e-mails.")


@notifications_cli.command("digest")
def digest():
    """Send each digest user one e-mail with everything not yet e-mailed (at most once a day)."""
    sent = services.send_digests()
    db.session.commit()
    click.echo(f"digests sent: {sent}")


@notifications_cli.command("send")
def send():
    """Send the e-mails of notifications still waiting (users who want them at once)."""
    total = 0
    while True:
        sent = services.send_pending_emails()
        db.session.commit()
        total += sent
        if sent < services.EMAIL_BATCH:
            break
    click.echo(f"e-mails sent: {total}")


COMMANDS = [notifications_cli]
