"""Operators' funnel: its counts equal what the test created; every report exports; owners see their figures."""

import csv
import io

from marketplace.extensions import db
from marketplace.inquiries import analytics, deals, services

FORM = {
    "cooperation_mode": "transfer",
    "budget_range": "from_50",
    "timeline": "within_3m",
    "message": "希望洽谈技术转让，请联系。",
}
CONTRACT = {
    "contract_type": "license",
    "amount_wan": __import__("decimal").Decimal("88.80"),
    "signed_on": __import__("datetime").date(2026, 9, 15),
    "registration_number": "2026360100000001",
    "registry": "江西省技术市场管理办公室",
}


def _market(factory):
    """Five inquiries: 1 pending, 1 declined, 3 accepted of which 2 agreed, 1 signed and registered."""
    researcher = factory.user("researcher")
    achievements = [
        factory.listing("achievement", owner=researcher, industry="rare_earth" if i % 2 else "new_materials")
        for i in range(5)
    ]
    sent = []
    for i, ach in enumerate(achievements):
        inquiry, _ = services.send_inquiry(
            factory.user("company"), ach, dict(FORM), origin="suggestion" if i < 2 else "listing"
        )
        sent.append(inquiry)
    services.decide(sent[1], researcher, "decline", "不合适")
    for inquiry in sent[2:]:
        services.decide(inquiry, researcher, "accept")
    for inquiry in sent[3:]:
        deals.move(inquiry, researcher, "agree", "negotiating")
    deals.move(sent[4], researcher, "sign", "agreed")
    deals.move(sent[4], researcher, "register", "signed", contract=CONTRACT)
    db.session.commit()
    return researcher, sent


def test_funnel_counts_equal_what_was_created(app, client, factory, login):
    researcher, _sent = _market(factory)
    report = analytics.funnel()
    counts = [row[1] for row in report["rows"]]
    assert counts[1:] == [5, 3, 2, 1, 1]
    assert report["rows"][2][2] == "60.0%"  # accepted / sent
    assert "来自匹配推荐的意向：2 条" in report["note"]
    value = analytics.contract_value_by_month()
    assert value["rows"] == [["2026-09", 1, "88.80"]]

    login(factory.user("operator"))
    page = client.get("/ops/analytics").get_data(as_text=True)
    assert "转化漏斗" in page and 'id="chart-funnel"' in page and "vendor/echarts.min.js" in page
    assert "<script>" not in page  # data travels in a JSON block read by static/js/analytics.js
    text = client.get("/ops/analytics/funnel.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "环节" and [r[1] for r in rows[2:]] == ["5", "3", "2", "1", "1"]
    for key in analytics.REPORTS:
        resp = client.get(f"/ops/analytics/{key}.xlsx")
        assert resp.status_code == 200 and resp.data[:2] == b"PK"

    login(researcher)
    page = client.get("/me/analytics").get_data(as_text=True)
    assert page.count("<tr>") == 6  # header + five listings
