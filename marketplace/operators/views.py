"""Operator dashboard and the mail outbox."""

import re

from flask import abort, current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func

from ..accounts.models import Organisation, User
from ..extensions import db
from ..listings.models import Listing
from ..mail import message_summary, outbox_names, read_outbox_message
from . import bp
from .decorators import operator_required

# A reset link in an e-mail is a password: operators reading the outbox must not be able to use it.
RESET_LINK_RE = re.compile(r"(/account/reset/)[A-Za-z0-9_.\-]+")


def masked_summary(msg):
    """The message's headers and body with every password-reset token replaced by a mark."""
    summary = message_summary(msg)
    summary["body"] = RESET_LINK_RE.sub(lambda m: m.group(1) + _("（令牌已隐藏）"), summary["body"])
    return summary


def _grouped_counts(*columns, where=None):
    stmt = db.select(*columns, func.count()).group_by(*columns)
    if where is not None:
        stmt = stmt.where(where)
    rows = db.session.execute(stmt).all()
    if len(columns) == 1:
        return {row[0]: row[1] for row in rows}
    return {tuple(row[:-1]): row[-1] for row in rows}


def _count(model, *conditions):
    return db.session.execute(db.select(func.count()).select_from(model).where(*conditions)).scalar_one()


@bp.route("/")
@operator_required
def index():
    """Dashboard: what waits for an operator, and the market in numbers."""
    stats = {
        "users_by_role": _grouped_counts(User.role),
        "users_disabled": _count(User, User.is_disabled.is_(True)),
        "memberships_pending": _count(User, User.membership_status == "pending"),
        "orgs_by_status": _grouped_counts(Organisation.verification_status),
        "listings": _grouped_counts(Listing.kind, Listing.status),
        "submissions_waiting": _count(Listing, Listing.status == "submitted"),
        "revisions_waiting": _count(Listing, Listing.revision_submitted_at.is_not(None)),
    }
    return render_template("operators/index.html", stats=stats)


@bp.route("/outbox")
@operator_required
def outbox():
    """Messages the market wrote to the outbox folder (when no mail server is configured), newest first."""
    folder = current_app.config["OUTBOX_DIR"]
    messages = []
    for name in outbox_names(folder):
        msg = read_outbox_message(folder, name)
        if msg is not None:
            messages.append((name, masked_summary(msg)))
    return render_template("operators/outbox.html", messages=messages, smtp=bool(current_app.config.get("MAIL_SERVER")))


@bp.route("/outbox/<name>")
@operator_required
def outbox_message(name):
    """One message of the outbox. Only generated names inside the outbox folder can be opened."""
    msg = read_outbox_message(current_app.config["OUTBOX_DIR"], name)
    if msg is None:
        abort(404)
    return render_template("operators/outbox_message.html", name=name, message=masked_summary(msg))
