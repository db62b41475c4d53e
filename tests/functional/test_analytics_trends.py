"""Operators' analytics over time and by actor: the monthly trend, listings by category per month, enterprise
tiers and brokers' results count exactly what the test created; medians come from the database's histogram."""

from decimal import Decimal

from test_analytics import CONTRACT, FORM

from marketplace.extensions import db
from marketplace.inquiries import analytics, analytics_sql, analytics_trends, deals, services
from marketplace.inquiries.models import BoardPair
from marketplace.models_base import utcnow


def _market(factory):
    """A gazelle company sends three inquiries to a researcher this month: one declined, two accepted (one
    brokered, agreed, signed and registered for 88.80 万元); the broker also has one board pair introduced."""
    researcher = factory.user("researcher")
    gazelle = factory.org(org_type="enterprise")
    gazelle.qualification_codes = ["gazelle", "high_tech"]
    company = factory.user("company", org=gazelle)
    broker = factory.user("researcher", org=factory.org(org_type="service"), name="周经纪")
    broker.role = "broker"
    achievements = [factory.listing("achievement", owner=researcher, industry="tcm") for _ in range(3)]
    need = factory.listing("need", owner=company, industry="new_materials")
    sent = [services.send_inquiry(company, ach, dict(FORM))[0] for ach in achievements]
    services.decide(sent[0], researcher, "decline", "不合适")
    for inquiry in sent[1:]:
        services.decide(inquiry, researcher, "accept")
    sent[2].broker_id = broker.id
    deals.move(sent[2], researcher, "agree", "negotiating")
    deals.move(sent[2], researcher, "sign", "agreed")
    deals.move(sent[2], researcher, "register", "signed", contract=CONTRACT)
    db.session.add(
        BoardPair(need_id=need.id, achievement_id=achievements[0].id, status="introduced", broker_id=broker.id)
    )
    db.session.commit()
    return researcher, company, broker


def test_trend_tiers_and_brokers_count_what_was_created(app, factory, client, login):
    _market(factory)
    month = utcnow().strftime("%Y-%m")
    assert analytics_trends.monthly_trend()["rows"] == [[month, 3, 2, 1, 1]]

    tiers = {row[0]: row[1:] for row in analytics_trends.by_tier()["rows"]}
    assert tiers["瞪羚企业"] == [1, 3, 2, 1]  # the need; three inquiries sent, two accepted, one registered
    assert tiers["高新技术企业"] == [1, 3, 2, 1]
    assert tiers["种子独角兽"] == [0, 0, 0, 0]

    assert analytics_trends.brokers_results()["rows"] == [["周经纪", 1, 1, 1, 1, 1, 1, "88.80"]]

    industry = analytics_trends.listings_by_industry_over_time()
    assert industry["columns"][1:] == ["中医药", "新材料（含钨与稀土）"]
    assert industry["rows"] == [[month, 3, 1]]

    login(factory.user("operator"))
    page = client.get("/ops/analytics").get_data(as_text=True)
    for key in ("trend", "tier", "brokers", "industry_time", "city_time", "programme_time"):
        assert f'id="chart-{key}"' in page
        assert client.get(f"/ops/analytics/{key}.csv").status_code == 200


def test_medians_from_a_histogram_follow_the_usual_definition():
    assert analytics_sql.median_of_histogram([]) is None
    assert analytics_sql.median_of_histogram([(2.0, 1), (1.0, 1), (5.0, 1)]) == 2.0
    assert analytics_sql.median_of_histogram([(1.0, 2), (3.0, 2)]) == 2.0
    assert analytics_sql.median_of_histogram([(0.5, 3), (9.0, 1)]) == 0.5
    assert analytics_sql.from_cents(8880) == Decimal("88.80")


def test_funnel_medians_are_days_between_steps(app, factory):
    researcher, _company, _broker = _market(factory)
    rows = analytics.funnel()["rows"]
    assert [r[1] for r in rows[1:]] == [3, 2, 1, 1, 1]
    assert all(r[3] == 0.0 for r in rows[2:])  # everything happened within the test run
