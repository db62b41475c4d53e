"""Technology assessments: a financial institution requests one, operators assign experts (conflict rule), the
expert writes it, and only the requester, the achievement's owner and operators can read it."""

from marketplace.events import assessments, experts
from marketplace.events.models import Assessment, AssessmentRequest
from marketplace.extensions import db
from marketplace.notifications.models import Notification

SHEET = {
    "advancement": "9",
    "maturity": "6",
    "market": "8",
    "team": "7",
    "investment": "8",
    "comments": "核心专利 3 项，中试已完成，建议关注量产良率。",
}


def _world(factory):
    operator = factory.user("operator")
    uni = factory.org("university", name="南昌大学评估测试")
    owner = factory.user("researcher", org=uni)
    bank = factory.org("investor", name="赣江科技银行")
    investor = factory.user("investor", org=bank)
    ach = factory.listing("achievement", owner=owner, title="稀土永磁同步电机控制技术", status="published")
    same_org = experts.create_expert("王研究员", "wang@example.cn", uni, title="研究员")
    outsider = experts.create_expert("李教授", "li@example.cn", factory.org("university", name="江西理工测试"))
    db.session.commit()
    return operator, owner, investor, ach, same_org, outsider


def _links(user, endpoint):
    notes = db.session.execute(db.select(Notification).where(Notification.user_id == user.id)).scalars().all()
    return [n for n in notes if n.endpoint == endpoint]


def test_request_assign_write_and_read(client, factory, login, app):
    operator, owner, investor, ach, same_org, outsider = _world(factory)
    login(investor)
    assert "申请专家技术评估" in client.get(f"/achievements/{ach.id}").get_data(as_text=True)
    resp = client.post(f"/events/assessments/request/{ach.id}", data={"message": ""})
    assert "请填写评估需求" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(AssessmentRequest)).scalar() == 0
    resp = client.post(f"/events/assessments/request/{ach.id}", data={"message": "请评估产业化前景与专利稳定性"})
    assert resp.status_code == 302
    item = db.session.execute(db.select(AssessmentRequest)).scalar_one()
    assert _links(operator, "events.assessment_detail")  # the queue is told

    # a second open request for the same achievement is refused with a reason
    resp = client.post(f"/events/assessments/request/{ach.id}", data={"message": "再申请一次"})
    assert "您已申请评估这项成果" in resp.get_data(as_text=True)

    login(operator)
    queue = client.get("/events/assessments/queue").get_data(as_text=True)
    assert "稀土永磁同步电机控制技术" in queue and "赣江科技银行" in queue
    page = client.get(f"/events/assessments/{item.id}").get_data(as_text=True)
    assert "本单位成果，回避" in page
    # conflict rule: the expert from the achievement's own organisation is refused
    resp = client.post(f"/events/assessments/{item.id}/assign", data={"expert_id": same_org.id}, follow_redirects=True)
    assert "回避规则" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count()).select_from(Assessment)).scalar() == 0
    client.post(f"/events/assessments/{item.id}/assign", data={"expert_id": outsider.id})
    assessment = db.session.execute(db.select(Assessment)).scalar_one()
    assert _links(outsider.user, "events.assessment_sheet") and len(_links(investor, "events.assessment_detail")) == 1

    # only the assigned expert writes it; a sheet without scores is refused in Chinese
    assert client.get(f"/events/assessments/sheet/{assessment.id}").status_code == 403
    login(outsider.user)
    assert "稀土永磁同步电机控制技术" in client.get("/events/reviews/mine").get_data(as_text=True)
    resp = client.post(f"/events/assessments/sheet/{assessment.id}", data={"comments": "好"})
    assert "请打分" in resp.get_data(as_text=True)
    assert client.post(f"/events/assessments/sheet/{assessment.id}", data=SHEET).status_code == 302
    db.session.refresh(item)
    assert item.status == "completed"
    # requester and owner are told, with an absolute link in the e-mail
    assert len(_links(investor, "events.assessment_detail")) == 2 and _links(owner, "events.assessment_detail")
    from test_events_lineup import _outbox

    mails = [m for m in _outbox(app) if investor.email in m]
    assert any(f"{app.config['EXTERNAL_BASE_URL']}/events/assessments/{item.id}" in m for m in mails), mails

    for reader in (investor, owner, operator):
        login(reader)
        page = client.get(f"/events/assessments/{item.id}").get_data(as_text=True)
        assert "核心专利 3 项" in page and "加权综合" in page, reader.role
    login(investor)
    assert "稀土永磁同步电机控制技术" in client.get("/events/assessments").get_data(as_text=True)


def test_nobody_else_reads_the_written_assessment(client, factory, login):
    operator, owner, investor, ach, same_org, outsider = _world(factory)
    item = assessments.request_assessment(investor, ach, "请评估")
    assessment, _created = assessments.assign(item, outsider)
    assessments.submit(assessment, outsider.user, {k: 7 for k in SHEET if k != "comments"}, "机密评估意见")
    db.session.commit()
    other_investor = factory.user("investor", org=factory.org("investor", name="另一家投资机构"))
    company = factory.user("company")
    for reader in (other_investor, company, same_org.user):
        login(reader)
        assert client.get(f"/events/assessments/{item.id}").status_code == 403
        assert "机密评估意见" not in client.get("/events/assessments").get_data(as_text=True)
    # the expert who wrote it sees it on their sheet, not through the request page
    login(outsider.user)
    assert client.get(f"/events/assessments/{item.id}").status_code == 403


def test_only_verified_investors_request_and_only_published_achievements(client, factory, login):
    operator, owner, investor, ach, same_org, outsider = _world(factory)
    login(factory.user("company"))
    assert client.get(f"/events/assessments/request/{ach.id}").status_code == 403
    unverified = factory.user("investor", org=factory.org("investor", name="未认证投资机构", verified=False))
    login(unverified)
    assert client.get(f"/events/assessments/request/{ach.id}").status_code == 403
    draft = factory.listing("achievement", owner=owner, status="draft")
    login(investor)
    assert client.get(f"/events/assessments/request/{draft.id}").status_code == 404
