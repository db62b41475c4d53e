"""Operators' analytics of the whole funnel, suggestion → inquiry → accepted → 意向达成 → 签约 → 已登记, and of the
deals by industry, city, programme and month; owners' figures per listing.

Each report is a dict: key, title, columns (header labels), rows (lists), chart (how the page draws it). The
same rows feed the chart, the table beside it and the CSV/XLSX export.
"""

import statistics
from collections import Counter, defaultdict

from flask_babel import gettext as _
from sqlalchemy import func

from .. import taxonomy
from ..accounts.models import Organisation, User
from ..extensions import db
from ..listings.models import Listing
from .models import Inquiry, InquiryEvent

REACHED = {
    "agreed": ("agreed", "signed", "registered"),
    "signed": ("signed", "registered"),
    "registered": ("registered",),
}


def _suggestion_count():
    from ..matching.models import Suggestion

    return db.session.execute(db.select(func.count(Suggestion.id))).scalar()


def _reached_at():
    """{stage: {inquiry id: first time it reached that stage}} from the recorded moves and corrections."""
    out = {stage: {} for stage in REACHED}
    rows = db.session.execute(
        db.select(InquiryEvent.inquiry_id, InquiryEvent.to_state, InquiryEvent.created_at)
        .where(InquiryEvent.to_state.in_(REACHED["agreed"]))
        .order_by(InquiryEvent.id)
    )
    for inquiry_id, to_state, created_at in rows:
        for stage, states in REACHED.items():
            if to_state in states:
                out[stage].setdefault(inquiry_id, created_at)
    return out


def _median_days(pairs):
    days = [(end - start).total_seconds() / 86400 for start, end in pairs if start and end and end >= start]
    return round(statistics.median(days), 1) if days else None


def funnel():
    """The funnel's counts, conversions from the step before, and median days from the step before."""
    inquiries = db.session.execute(
        db.select(Inquiry.id, Inquiry.status, Inquiry.created_at, Inquiry.decided_at, Inquiry.origin)
    ).all()
    accepted = {i.id: i for i in inquiries if i.status == "accepted"}
    reached = _reached_at()
    steps = [
        (_("匹配推荐"), _suggestion_count(), None),
        (_("发送意向"), len(inquiries), None),
        (_("接受意向"), len(accepted), _median_days((i.created_at, i.decided_at) for i in accepted.values())),
        (
            _("意向达成"),
            len(reached["agreed"]),
            _median_days((accepted[k].decided_at, t) for k, t in reached["agreed"].items() if k in accepted),
        ),
        (
            _("签约"),
            len(reached["signed"]),
            _median_days((reached["agreed"].get(k), t) for k, t in reached["signed"].items()),
        ),
        (
            _("已登记"),
            len(reached["registered"]),
            _median_days((reached["signed"].get(k), t) for k, t in reached["registered"].items()),
        ),
    ]
    rows, previous = [], None
    for name, count, days in steps:
        rate = f"{count / previous * 100:.1f}%" if previous else "—"
        rows.append([name, count, rate, "—" if days is None else days])
        previous = count
    from_suggestions = sum(1 for i in inquiries if i.origin == "suggestion")
    return {
        "key": "funnel",
        "title": _("转化漏斗"),
        "chart": "funnel",
        "columns": [_("环节"), _("数量"), _("较上一环节转化率"), _("距上一环节的中位天数")],
        "rows": rows,
        "note": _("其中来自匹配推荐的意向：%(n)s 条；接受意向的中位天数即首次答复时间。", n=from_suggestions),
    }


def _group(label_of, vocabulary, title, key):
    rows = db.session.execute(
        db.select(label_of, Inquiry.stage, func.count(Inquiry.id))
        .join(Listing, Listing.id == Inquiry.listing_id)
        .where(Inquiry.status == "accepted")
        .group_by(label_of, Inquiry.stage)
    ).all()
    table = defaultdict(Counter)
    for code, stage, n in rows:
        table[code][stage] += n
    out = [
        [str(vocabulary.get(code, code or "—")), sum(c.values()), c["registered"]]
        for code, c in sorted(table.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    return {"key": key, "title": title, "chart": "bar", "columns": [_("类别"), _("洽谈数"), _("已登记")], "rows": out}


def by_industry():
    return _group(Listing.industry, taxonomy.INDUSTRIES, _("按行业的交易"), "industry")


def by_city():
    return _group(Listing.region, taxonomy.REGIONS, _("按地市的交易"), "city")


def by_programme():
    return _group(
        Listing.source_programme, taxonomy.SOURCE_PROGRAMMES, _("按来源计划的交易（含02/03专项）"), "programme"
    )


def contract_value_by_month():
    """Registered contracts: count and total amount (万元, exact) per month of signing."""
    rows = db.session.execute(
        db.select(Inquiry.signed_on, Inquiry.amount_wan).where(
            Inquiry.stage == "registered", Inquiry.signed_on.is_not(None)
        )
    ).all()
    months = defaultdict(lambda: [0, 0])
    for signed_on, amount in rows:
        bucket = months[signed_on.strftime("%Y-%m")]
        bucket[0] += 1
        bucket[1] += amount or 0
    out = [[month, n, f"{total:.2f}"] for month, (n, total) in sorted(months.items())]
    return {
        "key": "value",
        "title": _("技术合同金额（按签订月份）"),
        "chart": "line",
        "columns": [_("月份"), _("合同数"), _("金额（万元）")],
        "rows": out,
    }


def active_organisations(limit=10):
    """Organisations by inquiries sent and received."""
    counts = Counter()
    for side in (Inquiry.sender_id, Inquiry.recipient_id):
        rows = db.session.execute(
            db.select(User.organisation_id, func.count(Inquiry.id))
            .join(User, User.id == side)
            .group_by(User.organisation_id)
        ).all()
        for org_id, n in rows:
            counts[org_id] += n
    names = dict(
        db.session.execute(
            db.select(Organisation.id, Organisation.name).where(
                Organisation.id.in_([org_id for org_id, _n in counts.most_common(limit)])
            )
        ).all()
    )
    out = [[names.get(org_id, "—"), n] for org_id, n in counts.most_common(limit)]
    return {
        "key": "organisations",
        "title": _("最活跃的机构"),
        "chart": "bar",
        "columns": [_("机构"), _("发出和收到的意向")],
        "rows": out,
    }


REPORTS = {
    "funnel": funnel,
    "industry": by_industry,
    "city": by_city,
    "programme": by_programme,
    "value": contract_value_by_month,
    "organisations": active_organisations,
}


def all_reports():
    return [build() for build in REPORTS.values()]


def owner_rows(user):
    """For each of the user's listings: followers, inquiries by outcome and registered deals."""
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
    return [(listing, followers.get(listing.id, 0), outcome[listing.id]) for listing in listings]
