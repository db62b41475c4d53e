"""Home page and small site-wide pages."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import func

from ..accounts.validation import same_site_path
from ..extensions import db
from ..listings.models import Listing
from ..listings.visibility import public_condition
from ..pagination import cached_rows
from . import bp


@bp.route("/")
def index():
    """Home: market counts and the newest published listings of each kind."""
    counts = dict(cached_rows(db.select(Listing.kind, func.count()).where(public_condition()).group_by(Listing.kind)))
    latest = {}
    for kind in ("achievement", "need"):  # plain rows of what the list shows: no ORM objects, no tags loaded
        latest[kind] = db.session.execute(
            db.select(Listing.id, Listing.kind, Listing.title, Listing.industry, Listing.region)
            .where(Listing.kind == kind, public_condition())
            .order_by(Listing.published_at.desc(), Listing.id.desc())
            .limit(6)
        ).all()
    from ..events.services import upcoming_events

    next_events = db.session.execute(upcoming_events(limit=3)).scalars().all()
    return render_template("main/index.html", counts=counts, latest=latest, next_events=next_events)


@bp.route("/lang/<code>")
def set_language(code):
    """Switch the interface language, then go back to the page the user was on (same site only)."""
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    target = same_site_path(request.referrer) or url_for("main.index")
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"] + [("lang", code)]
    return redirect(urlunsplit(("", "", parts.path, urlencode(query), "")))


@bp.route("/healthz")
def healthz():
    """Liveness probe for load balancers and the run script."""
    db.session.execute(db.select(1))
    return {"status": "ok"}
