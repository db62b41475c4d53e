"""Home page and small site-wide pages."""
from flask import redirect, render_template, request, url_for
from sqlalchemy import func

from ..extensions import db
from ..listings.models import Listing
from ..listings.queries import public_condition
from . import bp


@bp.route("/")
def index():
    """Home: market counts and the newest published listings of each kind."""
    counts = dict(
        db.session.execute(
            db.select(Listing.kind, func.count()).where(public_condition()).group_by(Listing.kind)
        ).all()
    )
    latest = {}
    for kind in ("achievement", "need"):
        latest[kind] = (
            db.session.execute(
                db.select(Listing)
                .where(Listing.kind == kind, public_condition())
                .order_by(Listing.published_at.desc(), Listing.id.desc())
                .limit(6)
            )
            .scalars()
            .all()
        )
    from ..events.services import upcoming_events

    next_events = db.session.execute(upcoming_events(limit=3)).scalars().all()
    return render_template("main/index.html", counts=counts, latest=latest, next_events=next_events)


@bp.route("/lang/<code>")
def set_language(code):
    """Switch the interface language, then go back where the user was."""
    target = request.referrer or url_for("main.index")
    if not target.startswith(request.host_url):
        target = url_for("main.index")
    return redirect(f"{target}{'&' if '?' in target else '?'}lang={code}")


@bp.route("/healthz")
def healthz():
    """Liveness probe for load balancers and the run script."""
    db.session.execute(db.select(1))
    return {"status": "ok"}
