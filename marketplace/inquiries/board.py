"""Queries of the operators' board of strong pairs and of a broker's desk (我的撮合): filters and pages."""

from flask_babel import lazy_gettext as _l

from .. import taxonomy
from ..extensions import db
from ..matching.services import strongest_pairs_query
from ..pagination import paginate
from .models import BoardPair, Inquiry
from .pipeline import PAIR_STATUSES, STAGES

BOARD_PER_PAGE = 30
DESK_PER_PAGE = 20
# The board's status filter: "active" (default) hides pairs marked not a fit; "all" shows everything.
STATUS_FILTER = {"active": _l("全部进行中（不含不合适）"), "all": _l("全部"), **PAIR_STATUSES}


def read_filters(args):
    """The board's filters from the query string; unknown values are dropped."""
    percent = args.get("min_percent", type=int)
    out = {
        "industry": args.get("industry") if args.get("industry") in taxonomy.INDUSTRIES else "",
        "region": args.get("region") if args.get("region") in taxonomy.REGIONS else "",
        "min_percent": min(max(percent, 0), 100) if percent is not None else None,
        "status": args.get("status") if args.get("status") in STATUS_FILTER else "active",
        "broker": args.get("broker", type=int),
    }
    return out


def _status_condition(status):
    if status == "all":
        return None
    if status == "active":
        return db.or_(BoardPair.id.is_(None), BoardPair.status != "not_fit")
    if status == "open":
        return db.or_(BoardPair.id.is_(None), BoardPair.status == "open")
    return BoardPair.status == status


def board_page(filters, page=1):
    """One page of strong pairs with the filters applied, and {(need id, achievement id): BoardPair} for it."""
    query, need, cand = strongest_pairs_query()
    from ..matching.models import Suggestion

    query = query.outerjoin(
        BoardPair,
        db.and_(BoardPair.need_id == Suggestion.listing_id, BoardPair.achievement_id == Suggestion.candidate_id),
    )
    conditions = [_status_condition(filters["status"])]
    if filters["industry"]:
        conditions.append(db.or_(need.industry == filters["industry"], cand.industry == filters["industry"]))
    if filters["region"]:
        conditions.append(db.or_(need.region == filters["region"], cand.region == filters["region"]))
    if filters["min_percent"] is not None:
        conditions.append(Suggestion.percent >= filters["min_percent"])
    if filters["broker"]:
        conditions.append(BoardPair.broker_id == filters["broker"])
    query = query.where(*[c for c in conditions if c is not None])
    result = paginate(query, per_page=BOARD_PER_PAGE, page=page)
    keys = [(s.listing_id, s.candidate_id) for s in result.items]
    pairs = {}
    if keys:
        rows = db.session.execute(
            db.select(BoardPair).where(db.tuple_(BoardPair.need_id, BoardPair.achievement_id).in_(keys))
        ).scalars()
        pairs = {(p.need_id, p.achievement_id): p for p in rows}
    return result, pairs


def desk_pairs(user, status="", page=1):
    """A broker's desk, first tab: the board pairs assigned to them, by status, latest handled first."""
    query = db.select(BoardPair).where(BoardPair.broker_id == user.id)
    if status in PAIR_STATUSES:
        query = query.where(BoardPair.status == status)
    return paginate(query.order_by(BoardPair.updated_at.desc(), BoardPair.id.desc()), per_page=DESK_PER_PAGE, page=page)


def desk_deals(user, stage="", page=1):
    """A broker's desk, second tab: the inquiries and deals assigned to them, by stage ("pending": not yet open)."""
    query = db.select(Inquiry).where(Inquiry.broker_id == user.id)
    if stage == "pending":
        query = query.where(Inquiry.status == "pending")
    elif stage in STAGES:
        query = query.where(Inquiry.stage == stage)
    return paginate(
        query.order_by(Inquiry.last_activity_at.desc(), Inquiry.id.desc()), per_page=DESK_PER_PAGE, page=page
    )
