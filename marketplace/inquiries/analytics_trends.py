"""Operators' analytics over time and by actor: the monthly trend of the funnel, new listings by industry, city and
programme per month, listings and deals by enterprise tier, and brokers' results.

Each report has the shape of analytics.py's (key, title, columns, rows, chart; `series`: the columns a line chart
draws) and is aggregated in the database: a few rows come back, never one per deal.
"""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func

from .. import taxonomy
from ..accounts.models import Organisation, User
from ..extensions import db
from ..listings.models import Listing
from ..models_base import utcnow
from . import analytics_sql as sql
from .models import BoardPair, Inquiry

MONTHS = 24  # how far back the monthly reports look
TOP_CATEGORIES = 6  # series of a "by category over time" chart; the rest are summed as 其他


def _since():
    return utcnow() - timedelta(days=31 * MONTHS)


def monthly_trend():
    """Inquiries sent per month (the last MONTHS), and how many of them were accepted and reached 签约 / 已登记."""
    from .analytics import monthly_counts

    first = _since().strftime("%Y-%m")
    rows = [row for row in monthly_counts() if row[0] and row[0] >= first]
    return {
        "key": "trend",
        "title": _("月度趋势（按发送意向的月份）"),
        "chart": "line",
        "series": [1, 2, 3, 4],
        "columns": [_("月份"), _("发送意向"), _("接受意向"), _("签约"), _("已登记")],
        "rows": [
            [m, n, accepted or 0, signed or 0, registered or 0] for m, n, accepted, _s, _a, signed, registered in rows
        ],
    }


def _listings_over_time(column, vocabulary, key, title):
    """New listings published per month, one series per leading category (the rest summed as 其他)."""
    month = sql.month_of(Listing.published_at).label("month")
    rows = db.session.execute(
        db.select(month, column, func.count(Listing.id))
        .where(Listing.published_at.is_not(None), Listing.published_at >= _since())
        .group_by(month, column)
    ).all()
    totals = {}
    for _m, code, n in rows:
        totals[code] = totals.get(code, 0) + n
    leading = [code for code, _n in sorted(totals.items(), key=lambda kv: -kv[1])[:TOP_CATEGORIES]]
    others = len(totals) > len(leading)
    table = {}
    for m, code, n in rows:
        line = table.setdefault(m, [0] * (len(leading) + others))
        line[leading.index(code) if code in leading else -1] += n
    columns = [_("月份")] + [str(vocabulary.get(c, c or "—")) for c in leading] + ([_("其他")] if others else [])
    return {
        "key": key,
        "title": title,
        "chart": "line",
        "series": list(range(1, len(columns))),
        "columns": columns,
        "rows": [[m, *table[m]] for m in sorted(table)],
    }


def listings_by_industry_over_time():
    return _listings_over_time(Listing.industry, taxonomy.INDUSTRIES, "industry_time", _("每月新发布条目（按行业）"))


def listings_by_city_over_time():
    return _listings_over_time(Listing.region, taxonomy.REGIONS, "city_time", _("每月新发布条目（按地市）"))


def listings_by_programme_over_time():
    return _listings_over_time(
        Listing.source_programme, taxonomy.SOURCE_PROGRAMMES, "programme_time", _("每月新发布成果（按来源计划）")
    )


def by_tier():
    """Per enterprise tier (科技型企业梯次培育): its organisations' listings, and the inquiries their members sent or
    received, accepted and registered (the per-organisation counts, summed by tier in Python: organisations are
    few next to deals)."""
    from .analytics import org_counts

    tiers = db.session.execute(
        db.select(Organisation.id, Organisation.qualifications).where(Organisation.qualifications != "")
    ).all()
    listings = (
        dict(
            db.session.execute(
                db.select(Listing.organisation_id, func.count(Listing.id))
                .where(Listing.organisation_id.in_([org_id for org_id, _q in tiers]))
                .group_by(Listing.organisation_id)
            ).all()
        )
        if tiers
        else {}
    )
    counts = org_counts()
    table = {code: [0, 0, 0, 0] for code in taxonomy.QUALIFICATIONS}
    for org_id, qualifications in tiers:
        for code in set(qualifications.split(",")) & set(table):
            c = counts.get(org_id, {})
            for i, value in enumerate(
                (listings.get(org_id, 0), c.get("all", 0), c.get("accepted", 0), c.get("registered", 0))
            ):
                table[code][i] += value
    return {
        "key": "tier",
        "title": _("按企业梯次的条目与交易"),
        "chart": "bar",
        "series": [1, 2, 4],
        "columns": [_("企业梯次"), _("条目"), _("参与的意向"), _("已接受"), _("已登记")],
        "rows": [[str(label), *table[code]] for code, label in taxonomy.QUALIFICATIONS.items()],
    }


def brokers_results():
    """Per broker: board pairs assigned and introduced, inquiries brokered, accepted, signed, registered, value."""
    pairs = {
        broker_id: (n, introduced or 0)
        for broker_id, n, introduced in db.session.execute(
            db.select(BoardPair.broker_id, func.count(BoardPair.id), sql.count_if(BoardPair.status == "introduced"))
            .where(BoardPair.broker_id.is_not(None))
            .group_by(BoardPair.broker_id)
        )
    }
    deals = {
        row[0]: row[1:]
        for row in db.session.execute(
            db.select(
                Inquiry.broker_id,
                func.count(Inquiry.id),
                sql.count_if(Inquiry.status == "accepted"),
                sql.count_if(Inquiry.stage.in_(("signed", "registered"))),
                sql.count_if(Inquiry.stage == "registered"),
                func.sum(sql.cents(Inquiry.amount_wan)),
            )
            .where(Inquiry.broker_id.is_not(None))
            .group_by(Inquiry.broker_id)
        )
    }
    ids = set(pairs) | set(deals)
    names = dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    rows = []
    for broker_id in ids:
        assigned, introduced = pairs.get(broker_id, (0, 0))
        n, accepted, signed, registered, cents = deals.get(broker_id, (0, 0, 0, 0, 0))
        rows.append(
            [
                names.get(broker_id, "—"),
                assigned,
                introduced,
                n,
                accepted or 0,
                signed or 0,
                registered or 0,
                f"{sql.from_cents(cents):.2f}",
            ]
        )
    rows.sort(key=lambda r: (-r[6], -r[3], r[0]))
    return {
        "key": "brokers",
        "title": _("技术经纪人业绩"),
        "chart": "bar",
        "series": [3, 6],
        "columns": [
            _("技术经纪人"),
            _("指派的配对"),
            _("已引荐"),
            _("经纪的意向"),
            _("已接受"),
            _("签约"),
            _("已登记"),
            _("合同金额（万元）"),
        ],
        "rows": rows,
    }
