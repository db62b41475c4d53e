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


def test_an_outcome_links_the_follow_up_inquiry_opened_from_the_event(client, factory, login):
    operator = factory.user("operator")
    event = make_event(operator)
    company = factory.user("company")
    outsider = factory.user("company")
    ach = factory.listing("achievement", title="稀土永磁电机")
    other_ach = factory.listing("achievement", title="不在路演中的成果")
    presenter = lineup.add_presenter(event.id, ach)
    services.register(event.id, company)
    db.session.commit()
    # a participant opens an inquiry about a presenter from the event page
    login(company)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/inquiries/new/{ach.id}" in page
    from marketplace.inquiries.models import Inquiry

    values = dict(cooperation_mode="transfer", budget_range="from_50", timeline="within_6m", message="路演后约谈")
    follow_up = Inquiry(listing_id=ach.id, sender_id=company.id, recipient_id=ach.owner_id, **values)
    unrelated = Inquiry(listing_id=other_ach.id, sender_id=company.id, recipient_id=other_ach.owner_id, **values)
    stranger = Inquiry(listing_id=ach.id, sender_id=outsider.id, recipient_id=ach.owner_id, **values)
    db.session.add_all([follow_up, unrelated, stranger])
    db.session.commit()
    login(operator)
    page = client.get(f"/events/{event.id}/report").get_data(as_text=True)
    assert f'<option value="{follow_up.id}">' in page
    assert f'<option value="{unrelated.id}">' not in page and f'<option value="{stranger.id}">' not in page
    # an inquiry outside the event is not taken
    client.post(f"/events/{event.id}/report", data={"kind": "inquiry", "inquiry_id": unrelated.id})
    client.post(f"/events/{event.id}/report", data={"kind": "inquiry", "inquiry_id": follow_up.id, "note": "实地考察"})
    outcomes = db.session.execute(db.select(Outcome).order_by(Outcome.id)).scalars().all()
    assert [o.inquiry_id for o in outcomes] == [None, follow_up.id]
    assert outcomes[1].presenter_id == presenter.id  # the inquiry's achievement is the presenter
    page = client.get(f"/events/{event.id}/report").get_data(as_text=True)
    assert f'href="/inquiries/{follow_up.id}"' in page
