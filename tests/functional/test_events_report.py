"""After the event: outcomes, the event report (charts with tables) and the yearly plan."""

from events_support import make_event

from marketplace.events import lineup, meetings, services
from marketplace.events.models import Outcome
from marketplace.extensions import db


def test_outcomes_and_report(client, factory, login):
    operator = factory.user("operator")
    event = make_event(operator)
    company = factory.user("company")
    investor = factory.user("investor")
    ach = factory.listing("achievement", title="稀土永磁电机")
    presenter = lineup.add_presenter(event.id, ach)
    for person in (company, investor):
        services.register(event.id, person)
    m = meetings.request_meeting(event, investor, company)
    meetings.respond(m, company, True)
    services.transition(event.id, "finish", operator)
    db.session.commit()
    login(operator)
    resp = client.post(f"/events/{event.id}/report", data={"kind": "intent", "amount": "abc"}, follow_redirects=True)
    assert "金额请填写数字" in resp.get_data(as_text=True)
    client.post(
        f"/events/{event.id}/report",
        data={"kind": "intent", "amount": "350", "presenter_id": presenter.id, "note": "签订技术转让意向书"},
    )
    client.post(f"/events/{event.id}/report", data={"kind": "inquiry", "note": "两家企业约定实地考察"})
    assert db.session.execute(db.select(db.func.count()).select_from(Outcome)).scalar() == 2
    page = client.get(f"/events/{event.id}/report").get_data(as_text=True)
    assert "签约意向金额合计 350 万元" in page and "签订技术转让意向书" in page
    # each chart has its data block and its table
    for chart in ("roles", "cities", "meetings", "outcomes"):
        assert f'id="data-{chart}"' in page
    assert "<td>企业用户</td><td>1</td>" in page and "<td>投资人</td><td>1</td>" in page
    assert "<td>已接受</td><td>1</td>" in page
    assert "/static/vendor/echarts.min.js" in page and "<script>" not in page


def test_yearly_plan_counts_events_per_month_against_the_target(client, factory, login):
    operator = factory.user("operator")
    event = make_event(operator)
    make_event(operator, event_type="matchmaking", status="draft")
    login(operator)
    year = services.to_local(event.starts_at).year
    page = client.get(f"/events/plan?year={year}").get_data(as_text=True)
    assert "年度活动计划" in page and 'id="data-plan"' in page
    assert "差 11 场" in page  # one roadshow of the 12 a year
