"""Operators' analytics of the whole funnel, suggestion → inquiry → accepted → 意向达成 → 签约 → 已登记, and of the
deals by industry, city, programme and month; owners' figures per listing.

Each report is a dict: key, title, columns (header labels), rows (lists), chart (how the page draws it). The
same rows feed the chart, the table beside it and the CSV/XLSX export.
"""

from collections import Counter, defaultdict

from flask import g
from flask_babel import gettext as _
from sqlalchemy import func

from .. import taxonomy
from ..accounts.models import Organisation, User
from ..extensions import db
from ..listings.models import Listing
from . import analytics_sql as sql
from . import analytics_trends as trends
from . import listing_views
from .models import Inquiry


def _suggestion_count():
    from ..matching.models import Suggestion

    return db.session.execute(db.select(func.count(Suggestion.id))).scalar()


def _median_days(start, end, *where):
    """Median of (end - start) in days over inquiries, from a histogram the database groups (0.1 day buckets)."""
    bucket = sql.tenth_days(start, end).label("bucket")
    rows = db.session.execute(
        db.select(bucket, func.count())
        .where(start.is_not(None), end.is_not(None), end >= start, *where)
        .group_by(bucket)
    ).all()
    median = sql.median_of_histogram([(b / 10, n) for b, n in rows])
    return None if median is None else round(median, 1)


def monthly_counts():
    """Per month of sending: inquiries, accepted, from suggestions, reached 意向达成, 签约, 已登记 (one scan of the
    inquiries, shared by the funnel's totals and the monthly trend)."""
    i = Inquiry
    month = sql.month_of(i.created_at).label("month")

    def compute():
        return db.session.execute(
            db.select(
                month,
                func.count(i.id),
                sql.count_if(i.status == "accepted"),
                sql.count_if(i.origin == "suggestion"),
                func.count(i.agreed_at),
                func.count(i.signed_at),
                func.count(i.registered_at),
            )
            .group_by(month)
            .order_by(month)
        ).all()

    return once_per_request("monthly_counts", compute)


def _funnel_steps():
    """[(step, count, median days from the step before)] and the inquiries that came from suggestions: one scan of
    the inquiries for the counts (each deal keeps when it first reached each step) and one per median."""
    i = Inquiry
    totals = [sum(row[k] or 0 for row in monthly_counts()) for k in range(1, 7)]
    sent, accepted, from_suggestions, agreed, signed, registered = totals
    steps = [
        (_("匹配推荐"), _suggestion_count(), None),
        (_("发送意向"), sent, None),
        (_("接受意向"), accepted, _median_days(i.created_at, i.decided_at, i.status == "accepted")),
        (_("意向达成"), agreed, _median_days(i.decided_at, i.agreed_at, i.status == "accepted")),
        (_("签约"), signed, _median_days(i.agreed_at, i.signed_at)),
        (_("已登记"), registered, _median_days(i.signed_at, i.registered_at)),
    ]
    return steps, from_suggestions or 0


def funnel():
    """The funnel's counts, conversions from the step before, and median days from the step before."""
    steps, from_suggestions = _funnel_steps()
    rows, previous = [], None
    for name, count, days in steps:
        count = count or 0
        rate = f"{count / previous * 100:.1f}%" if previous else "—"
        rows.append([name, count, rate, "—" if days is None else days])
        previous = count
    return {
        "key": "funnel",
        "title": _("转化漏斗"),
        "chart": "funnel",
        "columns": [_("环节"), _("数量"), _("较上一环节转化率"), _("距上一环节的中位天数")],
        "rows": rows,
        "note": _("其中来自匹配推荐的意向：%(n)s 条；接受意向的中位天数即首次答复时间。", n=from_suggestions),
    }


def once_per_request(key, compute):
    """A query several reports share runs once per page (flask.g); an export of one report runs it alone."""
    cache = g.setdefault("inquiry_analytics", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _deal_groups():
    """Accepted inquiries counted by their listing's industry, city and programme and by stage: one GROUP BY."""
    return db.session.execute(
        db.select(Listing.industry, Listing.region, Listing.source_programme, Inquiry.stage, func.count(Inquiry.id))
        .join(Listing, Listing.id == Inquiry.listing_id)
        .where(Inquiry.status == "accepted")
        .group_by(Listing.industry, Listing.region, Listing.source_programme, Inquiry.stage)
    ).all()


def _group(position, vocabulary, title, key):
    table = defaultdict(Counter)
    for row in once_per_request("deal_groups", _deal_groups):
        table[row[position]][row[3]] += row[4]
    out = [
        [str(vocabulary.get(code, code or "—")), sum(c.values()), c["registered"]]
        for code, c in sorted(table.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    return {"key": key, "title": title, "chart": "bar", "columns": [_("类别"), _("洽谈数"), _("已登记")], "rows": out}


def by_industry():
    return _group(0, taxonomy.INDUSTRIES, _("按行业的交易"), "industry")


def by_city():
    return _group(1, taxonomy.REGIONS, _("按地市的交易"), "city")


def by_programme():
    return _group(2, taxonomy.SOURCE_PROGRAMMES, _("按来源计划的交易（含02/03专项）"), "programme")


def contract_value_by_month():
    """Registered contracts: count and total amount (万元, exact) per month of signing."""
    month = sql.month_of(Inquiry.signed_on).label("month")
    rows = db.session.execute(
        db.select(month, func.count(Inquiry.id), func.sum(sql.cents(Inquiry.amount_wan)))
        .where(Inquiry.stage == "registered", Inquiry.signed_on.is_not(None))
        .group_by(month)
        .order_by(month)
    ).all()
    return {
        "key": "value",
        "title": _("技术合同金额（按签订月份）"),
        "chart": "line",
        "series": [2],
        "columns": [_("月份"), _("合同数"), _("金额（万元）")],
        "rows": [[m, n, f"{sql.from_cents(total):.2f}"] for m, n, total in rows],
    }


def org_counts():
    """{organisation id: Counter(all, accepted, registered)} of the inquiries its members sent or received (a member
    on both sides counts twice, as before): two GROUP BYs shared by the organisations' and the tiers' reports."""

    def compute():
        by_user = defaultdict(Counter)
        for side in (Inquiry.sender_id, Inquiry.recipient_id):  # grouped on the indexed column, no join
            rows = db.session.execute(
                db.select(
                    side,
                    func.count(Inquiry.id),
                    sql.count_if(Inquiry.status == "accepted"),
                    sql.count_if(Inquiry.stage == "registered"),
                ).group_by(side)
            ).all()
            for user_id, n, accepted, registered in rows:
                by_user[user_id].update(all=n, accepted=accepted or 0, registered=registered or 0)
        org_of = dict(db.session.execute(db.select(User.id, User.organisation_id)).all())  # users << inquiries
        counts = defaultdict(Counter)
        for user_id, c in by_user.items():
            counts[org_of.get(user_id)].update(c)
        return counts

    return once_per_request("org_counts", compute)


def active_organisations(limit=10):
    """Organisations by inquiries sent and received."""
    top = sorted(((c["all"], org_id) for org_id, c in org_counts().items()), key=lambda t: (-t[0], t[1]))[:limit]
    names = dict(
        db.session.execute(
            db.select(Organisation.id, Organisation.name).where(Organisation.id.in_([org_id for _n, org_id in top]))
        ).all()
    )
    return {
        "key": "organisations",
        "title": _("最活跃的机构"),
        "chart": "bar",
        "columns": [_("机构"), _("发出和收到的意向")],
        "rows": [[names.get(org_id, "—"), n] for n, org_id in top],
    }


def _reports():
    return {
        "funnel": funnel,
        "trend": trends.monthly_trend,
        "industry": by_industry,
        "city": by_city,
        "programme": by_programme,
        "tier": trends.by_tier,
        "industry_time": trends.listings_by_industry_over_time,
        "city_time": trends.listings_by_city_over_time,
        "programme_time": trends.listings_by_programme_over_time,
        "value": contract_value_by_month,
        "organisations": active_organisations,
        "brokers": trends.brokers_results,
    }


REPORTS = _reports()


def all_reports():
    return [build() for build in REPORTS.values()]


def owner_rows(user):
    """For each of the user's listings: views, followers, inquiries by outcome and registered deals."""
    from ..matching.models import Follow

    listings = (
        db.session.execute(db.select(Listing).where(Listing.owner_id == user.id).order_by(Listing.created_at.desc()))
        .scalars()
        .all()
    )
    ids = [listing.id for listing in listings]
    followers = dict(
        db.session.execute(
            db.select(Follow.listing_id, func.count(Follow.id))
            .where(Follow.listing_id.in_(ids))
            .group_by(Follow.listing_id)
        ).all()
    )
    outcome = defaultdict(Counter)
    for listing_id, status, stage, n in db.session.execute(
        db.select(Inquiry.listing_id, Inquiry.status, Inquiry.stage, func.count(Inquiry.id))
        .where(Inquiry.listing_id.in_(ids))
        .group_by(Inquiry.listing_id, Inquiry.status, Inquiry.stage)
    ):
        outcome[listing_id][status] += n
        outcome[listing_id]["all"] += n
        if stage == "registered":
            outcome[listing_id]["registered"] += n
    views = listing_views.views_of(ids)
    return [
        (listing, views.get(listing.id, 0), followers.get(listing.id, 0), outcome[listing.id]) for listing in listings
    ]
