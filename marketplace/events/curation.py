"""Line-ups from the match graph: presenters and people to invite for an event's theme, each with reasons.

Presenters are published achievements that fit the theme (an industry of the event, or one of its keywords as a
tag) ranked by how many published needs have them among their stored suggestions, then by the summed and the best
score. People to invite are the owners of needs whose suggestions contain the presenters, and investors who follow
a presenter. Reasons are stored and passed as language-neutral items ({key, params}) and rendered by `describe`.
"""

import itertools

from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from .. import taxonomy
from ..extensions import db
from ..listings.models import Achievement, Listing, Tag, listing_tags
from ..listings.services import market_today
from ..listings.visibility import public_condition
from ..matching.models import Follow, Suggestion
from .models import Invitation, Presenter

PROPOSALS = 12
INVITEES = 40
NEEDS_SHOWN = 3
CHUNK = 900  # ids per IN (...) list, well under every database's parameter limit
VERIFY_BATCH = 24  # candidates whose suggesting needs are checked together
RANKED_PAGE = 240  # theme candidates read per page, best first (a proposal usually needs the first page only)
SUGGESTIONS = Suggestion.__table__


def _public(kind, today):
    """Public listings of one kind (listings.queries.public_condition: published and within validity)."""
    return db.and_(Listing.kind == kind, public_condition(today))


def _theme_query(event, today):
    """SELECT of the ids of the public achievements that fit the theme: an event industry, or a theme keyword as
    a tag (a UNION of two index-only look-ups: an OR across them would scan every achievement); None without a
    theme."""
    parts = []
    if event.industry_codes:
        parts.append(
            db.select(Listing.id).where(_public("achievement", today), Listing.industry.in_(event.industry_codes))
        )
    if event.tag_names:
        tagged = (
            db.select(listing_tags.c.listing_id)
            .join(Tag, Tag.id == listing_tags.c.tag_id)
            .where(Tag.name.in_(event.tag_names))
        )
        parts.append(db.select(Listing.id).where(Listing.id.in_(tagged), _public("achievement", today)))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else db.union(*parts)


def _ranked_theme(event, today, exclude=()):
    """(achievement id, suggestions received, their summed score) over the theme, most and strongest first, read
    a page at a time: the database aggregates the covering index on match_suggestions (candidate_id, listing_id,
    score), so no suggestion row reaches Python. Achievements nobody's suggestions contain are left out."""
    theme = _theme_query(event, today)
    if theme is None:
        return
    count, total = db.func.count().label("n"), db.func.sum(SUGGESTIONS.c.score).label("total")
    query = (
        db.select(SUGGESTIONS.c.candidate_id, count, total)
        .where(SUGGESTIONS.c.candidate_id.in_(theme))
        .group_by(SUGGESTIONS.c.candidate_id)
        .order_by(count.desc(), total.desc(), SUGGESTIONS.c.candidate_id)
    )
    if exclude:
        query = query.where(SUGGESTIONS.c.candidate_id.not_in(list(exclude)))
    connection = db.session.connection()  # Core rows: no ORM processing
    for offset in itertools.count(0, RANKED_PAGE):
        rows = connection.execute(query.limit(RANKED_PAGE).offset(offset)).all()
        yield from rows
        if len(rows) < RANKED_PAGE:
            return


def _public_needs(need_ids, today):
    """The public needs among `need_ids` (primary-key look-ups, in chunks)."""
    ids = list(need_ids)
    found = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            db.session.execute(
                db.select(Listing.id).where(Listing.id.in_(ids[start : start + CHUNK]), _public("need", today))
            ).scalars()
        )
    return found


def _interest(candidate_ids):
    """candidate id -> [(score, listing id)] of every stored suggestion that has it as candidate, strongest first
    (index-only reads of match_suggestions; whether each suggesting listing is a public need is checked later)."""
    out = {}
    ids = list(candidate_ids)
    for start in range(0, len(ids), CHUNK):
        rows = db.session.execute(  # Core columns: no ORM row processing for thousands of rows
            db.select(SUGGESTIONS.c.candidate_id, SUGGESTIONS.c.listing_id, SUGGESTIONS.c.score).where(
                SUGGESTIONS.c.candidate_id.in_(ids[start : start + CHUNK])
            )
        ).all()
        for cand, listing_id, score in rows:
            out.setdefault(cand, []).append((score, listing_id))
    for entries in out.values():
        entries.sort(key=lambda e: (-e[0], e[1]))
    return out


def _rank_key(cand, entries):
    return (-len(entries), -round(sum(s for s, _n in entries), 6), cand)


def _bound_key(cand, count, total):
    """A key no candidate's _rank_key over public needs can beat: the count and sum over all suggesting listings
    (fewer needs, or a smaller sum, only make a key larger); the margin covers _rank_key's rounding."""
    return (-count, -(total + 1e-6), cand)


def _best_candidates(ranked, limit, today):
    """The `limit` best candidates counting only public needs, exact but reading as few suggestions as possible.

    `ranked` gives the candidates by their count over all suggesting listings, an upper bound of the count over
    public needs; the visit stops once that bound cannot beat the current last place. Only the visited
    candidates' suggestions are read, and whether each suggesting listing is a public need is checked for
    those only."""
    chosen = []
    ranked = iter(ranked)
    while batch := list(itertools.islice(ranked, VERIFY_BATCH)):
        if len(chosen) >= limit and _bound_key(*batch[0]) > chosen[limit - 1][0]:
            break
        ids = [cand for cand, _n, _t in batch]
        interest = _interest(ids)
        public = _public_needs({n for c in ids for _s, n in interest.get(c, ())}, today)
        for cand in ids:
            entries = [(s, n) for s, n in interest.get(cand, ()) if n in public]
            if entries:
                chosen.append((_rank_key(cand, entries), cand, entries))
        chosen.sort()
        del chosen[limit:]
    return [(cand, entries) for _key, cand, entries in chosen]


def propose_presenters(event, limit=PROPOSALS, exclude=()):
    """[(achievement, reasons)] best first: theme fit, then most and strongest interested needs."""
    today = market_today()
    ranked = _best_candidates(_ranked_theme(event, today, exclude), limit, today)
    if not ranked:
        return []
    ids = [ach_id for ach_id, _e in ranked]
    listings = {a.id: a for a in db.session.execute(db.select(Achievement).where(Achievement.id.in_(ids))).scalars()}
    needed = {need for _a, entries in ranked for _s, need in entries[:NEEDS_SHOWN]}
    titles = dict(db.session.execute(db.select(Listing.id, Listing.title).where(Listing.id.in_(needed))).all())
    out = []
    for ach_id, entries in ranked:
        best = [(titles[n], round(s, 2)) for s, n in entries[:NEEDS_SHOWN]]
        out.append((listings[ach_id], _presenter_reasons(event, listings[ach_id], len(entries), entries[0][0], best)))
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

    presenters = (
        db.session.execute(db.select(Presenter).where(Presenter.event_id == event.id, Presenter.status != "declined"))
        .scalars()
        .all()
    )
    listing_ids = [p.listing_id for p in presenters]
    if not listing_ids:
        return []
    today = market_today()
    presenter_owners = {p.listing.owner_id for p in presenters}
    invited = set(db.session.execute(db.select(Invitation.user_id).where(Invitation.event_id == event.id)).scalars())
    titles = {p.listing_id: p.listing.title for p in presenters}
    interest = _interest(listing_ids)
    public = _public_needs({n for entries in interest.values() for _s, n in entries}, today)
    pairs = [(score, need, cand) for cand, entries in interest.items() for score, need in entries if need in public]
    needs = (
        {
            n.id: n
            for n in db.session.execute(
                db.select(Listing).where(Listing.id.in_({need for _s, need, _c in pairs}))
            ).scalars()
        }
        if pairs
        else {}
    )
    found = {}
    for score, need_id, cand in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        need = needs[need_id]
        entry = found.setdefault(need.owner_id, {"score": 0.0, "pairs": []})
        entry["score"] = max(entry["score"], score)
        if len(entry["pairs"]) < NEEDS_SHOWN:
            entry["pairs"].append([need.title, titles[cand]])
    ach = aliased(Listing)
    followers = db.session.execute(
        db.select(Follow.user_id, ach.title)
        .join(ach, ach.id == Follow.listing_id)
        .join(User, User.id == Follow.user_id)
        .where(Follow.listing_id.in_(listing_ids), User.role == "investor")
    ).all()
    for user_id, ach_title in followers:
        found.setdefault(user_id, {"score": 0.0, "pairs": []}).setdefault("follows", []).append(ach_title)
    skip = presenter_owners | invited
    ranked = sorted(((uid, e) for uid, e in found.items() if uid not in skip), key=lambda x: (-x[1]["score"], x[0]))
    users = {
        u.id: u
        for u in db.session.execute(db.select(User).where(User.id.in_([uid for uid, _e in ranked[:limit]]))).scalars()
    }
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
