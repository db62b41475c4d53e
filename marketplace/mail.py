"""Outgoing email: SMTP when MAIL_SERVER is set, else an .eml file in the outbox folder.

The outbox lets a market without a mail server (and the tests) read what would have been sent;
operators browse it at /ops/outbox.
"""

import email.policy
import logging
import os
import re
import secrets
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

# Generated names only: a UTC timestamp (so names sort by time) and a random suffix.
OUTBOX_NAME_RE = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}\.eml$")


def build_message(to, subject, body, sender, attachments=()):
    """A plain-text message; `attachments`: (filename, "type/subtype", bytes) each, e.g. an .ics agenda."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body, charset="utf-8")
    for filename, content_type, data in attachments:
        maintype, _slash, subtype = content_type.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def send_mail(to, subject, body, config=None, attachments=()):
    """Send one plain-text message (with attachments); True on success. Failures are logged, never raised."""
    config = config or current_app.config
    msg = build_message(to, subject, body, config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost", attachments)
    try:
        if config.get("MAIL_SERVER"):
            _send_smtp(msg, config)
        else:
            path = write_to_outbox(msg, config["OUTBOX_DIR"])
            log.info("mail to %s written to %s", to, path)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail to %s", to)
        return False
    return True


def _send_smtp(msg, config):
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=15) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def write_to_outbox(msg, outbox_dir):
    """Write the message atomically (temporary file, then rename) under a sortable generated name."""
    folder = Path(outbox_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    tmp = folder / f".{path.name}.tmp"
    tmp.write_bytes(msg.as_bytes(policy=email.policy.SMTPUTF8))
    os.replace(tmp, path)
    return path


def outbox_names(outbox_dir, limit=200):
    """Names of the messages in the outbox, newest first."""
    try:
        names = [name for name in os.listdir(outbox_dir) if OUTBOX_NAME_RE.match(name)]
    except FileNotFoundError:
        return []
    return sorted(names, reverse=True)[:limit]


def read_outbox_message(outbox_dir, name):
    """The parsed message of that name, or None. Only generated names directly in the folder are read."""
    if not OUTBOX_NAME_RE.match(name or ""):
        return None
    path = Path(outbox_dir) / name
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return email.message_from_bytes(data, policy=email.policy.default)


def message_summary(msg):
    """The headers and the plain-text body of a parsed message, as strings."""
    part = msg.get_body(preferencelist=("plain",))
    body = part.get_content() if part is not None else ""
    return {
        "from": str(msg.get("From", "")),
        "to": str(msg.get("To", "")),
        "subject": str(msg.get("Subject", "")),
        "date": str(msg.get("Date", "")),
        "body": body,
    }
