"""Line-ups from the match graph: presenters and people to invite for an event's theme, each with reasons.

Presenters are published achievements that fit the theme (an industry of the event, or one of its keywords as a
tag) ranked by how many published needs have them among their stored suggestions, then by the summed and the best
score. People to invite are the owners of needs whose suggestions contain the presenters, and investors who follow
a presenter. Reasons are stored and passed as language-neutral items ({key, params}) and rendered by `describe`.
"""
from flask_babel import gettext as _
from sqlalchemy import func, or_
from sqlalchemy.orm import aliased

from .. import taxonomy
from ..extensions import db
from ..listings.models import Achievement, Listing, Tag, listing_tags
from ..listings.queries import public_condition
from ..listings.services import market_today
from ..matching.models import Follow, Suggestion
from .models import Invitation, Presenter

PROPOSALS = 12
INVITEES = 40
NEEDS_SHOWN = 3


def _theme_condition(event):
    """SQL: the achievement fits the theme (an event industry, or a theme keyword among its tags)."""
    parts = []
    if event.industry_codes:
        parts.append(Listing.industry.in_(event.industry_codes))
    if event.tag_names:
        tagged = (db.select(listing_tags.c.listing_id).join(Tag, Tag.id == listing_tags.c.tag_id)
                  .where(Tag.name.in_(event.tag_names)))
        parts.append(Listing.id.in_(tagged))
    return or_(*parts) if parts else None


def _public_need(need, today):
    return db.and_(need.kind == "need", need.status == "published",
                   or_(need.valid_until.is_(None), need.valid_until >= today))


def propose_presenters(event, limit=PROPOSALS, exclude=()):
    """[(achievement, reasons)] best first: theme fit, then most and strongest interested needs."""
    theme = _theme_condition(event)
    if theme is None:
        return []
    today = market_today()
    need = aliased(Listing)
    count = func.count(Suggestion.id)
    query = (
        db.select(Suggestion.candidate_id, count, func.sum(Suggestion.score), func.max(Suggestion.score))
        .join(Listing, Listing.id == Suggestion.candidate_id)
        .join(need, need.id == Suggestion.listing_id)
        .where(Listing.kind == "achievement", public_condition(today), theme, _public_need(need, today))
        .group_by(Suggestion.candidate_id)
        .order_by(count.desc(), func.sum(Suggestion.score).desc(), Suggestion.candidate_id)
        .limit(limit + len(exclude))
    )
    rows = [r for r in db.session.execute(query).all() if r[0] not in set(exclude)][:limit]
    if not rows:
        return []
    ids = [r[0] for r in rows]
    listings = {a.id: a for a in db.session.execute(db.select(Achievement).where(Achievement.id.in_(ids))).scalars()}
    best = _best_needs(ids, today)
    out = []
    for ach_id, n, _total, top in rows:
        ach = listings[ach_id]
        out.append((ach, _presenter_reasons(event, ach, n, top, best.get(ach_id, []))))
    return out


def _best_needs(achievement_ids, today):
    """achievement id -> [(need title, score)] of its strongest interested needs.

    Two indexed look-ups (suggestions by candidate, then the needs by primary key) rather than one join, so that
    no database can choose to start from the listings table."""
    rows = db.session.execute(
        db.select(Suggestion.candidate_id, Suggestion.listing_id, Suggestion.score)
        .where(Suggestion.candidate_id.in_(achievement_ids))
        .order_by(Suggestion.candidate_id, Suggestion.score.desc(), Suggestion.listing_id)
    ).all()
    needs = dict(db.session.execute(
        db.select(Listing.id, Listing.title).where(Listing.id.in_({r[1] for r in rows}), _public_need(Listing, today))
    ).all()) if rows else {}
    out = {}
    for ach_id, need_id, score in rows:
        if need_id in needs and len(out.setdefault(ach_id, [])) < NEEDS_SHOWN:
            out[ach_id].append((needs[need_id], round(score, 2)))
    return out


def _presenter_reasons(event, ach, n_needs, top_score, needs):
    reasons = []
    if ach.industry in event.industry_codes:
        reasons.append({"key": "industry", "params": {"industry": ach.industry}})
    shared = [t for t in ach.tag_names if t in event.tag_names]
    if shared:
        reasons.append({"key": "tags", "params": {"tags": shared}})
    reasons.append({"key": "needs", "params": {"n": n_needs, "best": round(top_score, 2)}})
    if needs:
        reasons.append({"key": "need_titles", "params": {"titles": [t for t, _s in needs]}})
    return reasons


def propose_invitees(event, limit=INVITEES):
    """[(user, reasons)]: owners of needs matching the event's presenters, investors following them."""
    from ..accounts.models import User

    presenters = db.session.execute(
        db.select(Presenter).where(Presenter.event_id == event.id, Presenter.status != "declined")
    ).scalars().all()
    listing_ids = [p.listing_id for p in presenters]
    if not listing_ids:
        return []
    today = market_today()
    presenter_owners = {p.listing.owner_id for p in presenters}
    invited = set(db.session.execute(
        db.select(Invitation.user_id).where(Invitation.event_id == event.id)).scalars())
    need = aliased(Listing)
    ach = aliased(Listing)
    rows = db.session.execute(
        db.select(need.owner_id, need.title, ach.title, Suggestion.score)
        .join(need, need.id == Suggestion.listing_id)
        .join(ach, ach.id == Suggestion.candidate_id)
        .where(Suggestion.candidate_id.in_(listing_ids), _public_need(need, today))
        .order_by(Suggestion.score.desc(), need.id)
    ).all()
    found = {}
    for owner_id, need_title, ach_title, score in rows:
        entry = found.setdefault(owner_id, {"score": 0.0, "pairs": []})
        entry["score"] = max(entry["score"], score)
        if len(entry["pairs"]) < NEEDS_SHOWN:
            entry["pairs"].append([need_title, ach_title])
    followers = db.session.execute(
        db.select(Follow.user_id, ach.title).join(ach, ach.id == Follow.listing_id)
        .join(User, User.id == Follow.user_id)
        .where(Follow.listing_id.in_(listing_ids), User.role == "investor")
    ).all()
    for user_id, ach_title in followers:
        found.setdefault(user_id, {"score": 0.0, "pairs": []}).setdefault("follows", []).append(ach_title)
    skip = presenter_owners | invited
    ranked = sorted(((uid, e) for uid, e in found.items() if uid not in skip), key=lambda x: (-x[1]["score"], x[0]))
    users = {u.id: u for u in db.session.execute(
        db.select(User).where(User.id.in_([uid for uid, _e in ranked[:limit]]))).scalars()}
    out = []
    for uid, entry in ranked[:limit]:
        user = users[uid]
        if user.is_disabled:
            continue
        reasons = [{"key": "need_match", "params": {"need": n, "achievement": a}} for n, a in entry["pairs"]]
        reasons += [{"key": "follows", "params": {"achievement": a}} for a in entry.get("follows", [])[:2]]
        out.append((user, reasons))
    return out


def describe(item):
    """One reason in the current language."""
    key, p = item["key"], item.get("params", {})
    if key == "industry":
        return _("行业符合活动主题：%(industry)s", industry=taxonomy.label(taxonomy.INDUSTRIES, p["industry"]))
    if key == "tags":
        return _("关键词符合活动主题：%(tags)s", tags=_("、").join(p["tags"]))
    if key == "needs":
        return _("%(n)s 项技术需求与之匹配（最高匹配度 %(best)s）", n=p["n"], best=p["best"])
    if key == "need_titles":
        return _("匹配的需求：%(titles)s", titles=_("；").join(p["titles"]))
    if key == "need_match":
        return _("其需求“%(need)s”与路演项目“%(achievement)s”匹配", need=p["need"], achievement=p["achievement"])
    if key == "follows":
        return _("关注了路演项目“%(achievement)s”", achievement=p["achievement"])
    return key
