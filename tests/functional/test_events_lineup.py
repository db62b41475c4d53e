"""Line-ups from the match graph: proposed presenters and invitees with reasons, agenda editing, answers."""

import os

from events_support import make_event

from marketplace.events import curation, lineup
from marketplace.events.models import Invitation, Presenter
from marketplace.extensions import db
from marketplace.matching.models import Follow, Suggestion


def _suggest(need, ach, score):
    db.session.add(Suggestion(listing_id=need.id, candidate_id=ach.id, rank=1, score=score, factors=[]))
    db.session.commit()


def _world(factory):
    operator = factory.user("operator")
    event = make_event(operator, industries="new_materials", tags="稀土")
    strong = factory.listing("achievement", title="稀土永磁电机", industry="new_materials")
    many = factory.listing("achievement", title="钨基硬质合金", industry="new_materials")
    tagged = factory.listing("achievement", title="稀土发光材料", industry="electronics", tags=["稀土"])
    off_theme = factory.listing("achievement", title="中药提取工艺", industry="tcm")
    lonely = factory.listing("achievement", title="无人问津的新材料", industry="new_materials")
    needs = [factory.listing("need", title=f"需求{i}") for i in range(3)]
    _suggest(needs[0], strong, 0.9)
    for need in needs:
        _suggest(need, many, 0.3)
    _suggest(needs[1], tagged, 0.5)
    _suggest(needs[2], off_theme, 0.95)
    draft_need = factory.listing("need", status="draft", title="草稿需求")
    _suggest(draft_need, lonely, 0.99)
    return (
        operator,
        event,
        dict(strong=strong, many=many, tagged=tagged, off_theme=off_theme, lonely=lonely, needs=needs),
    )


def test_proposals_rank_by_most_and_strongest_interested_needs(app, factory):
    _operator, event, w = _world(factory)
    proposed = curation.propose_presenters(event)
    titles = [a.title for a, _r in proposed]
    # three needs beat one; among one-need achievements the stronger score first; off-theme and need-less out
    assert titles == ["钨基硬质合金", "稀土永磁电机", "稀土发光材料"]
    reasons = {a.title: [curation.describe(r) for r in rs] for a, rs in proposed}
    assert "3 项技术需求与之匹配（最高匹配度 0.3）" in reasons["钨基硬质合金"]
    assert any("关键词符合活动主题：稀土" == r for r in reasons["稀土发光材料"])
    assert any(r.startswith("行业符合活动主题") for r in reasons["稀土永磁电机"])


def test_real_matcher_suggestions_feed_the_proposals(app, factory):
    from marketplace.matching import services as matching

    operator = factory.user("operator")
    event = make_event(operator, industries="new_materials", tags="石墨烯")
    ach = factory.listing("achievement", title="石墨烯锂电池负极材料", tags=["石墨烯"])
    factory.listing("need", title="寻求石墨烯电池负极材料技术", tags=["石墨烯"])
    matching.refresh_all()
    db.session.commit()
    assert [a.id for a, _r in curation.propose_presenters(event)] == [ach.id]


def test_operator_accepts_line_up_orders_invites_and_presenter_answers(client, factory, login, app):
    operator, event, w = _world(factory)
    investor = factory.user("investor")
    db.session.add(Follow(user_id=investor.id, listing_id=w["strong"].id))
    db.session.commit()
    login(operator)
    page = client.get(f"/events/{event.id}/lineup").get_data(as_text=True)
    assert "钨基硬质合金" in page and "全部采纳" in page
    client.post(f"/events/{event.id}/lineup/add", data={"all": "1"})
    agenda = lineup.presenters_of(event.id)
    assert [p.listing.title for p in agenda] == ["钨基硬质合金", "稀土永磁电机", "稀土发光材料"]
    assert agenda[0].reasons  # the reasons travel with the presenter
    client.post(f"/events/{event.id}/presenters/{agenda[2].id}/move/up")
    client.post(f"/events/{event.id}/presenters/{agenda[0].id}/remove")
    db.session.expire_all()
    assert [p.listing.title for p in lineup.presenters_of(event.id)] == ["稀土发光材料", "稀土永磁电机"]
    # invitees: owners of needs matching the presenters, and the investor following one
    invitees = {u.id: rs for u, rs in curation.propose_invitees(event)}
    assert investor.id in invitees and w["needs"][0].owner_id in invitees and w["needs"][1].owner_id in invitees
    assert w["needs"][2].owner_id not in invitees  # its need matches only the removed and the off-theme ones
    page = client.get(f"/events/{event.id}/lineup").get_data(as_text=True)
    assert "其需求“需求0”与路演项目“稀土永磁电机”匹配" in page and "关注了路演项目“稀土永磁电机”" in page
    client.post(f"/events/{event.id}/invitations", data={"user_id": [str(investor.id)]})
    assert db.session.execute(db.select(Invitation.user_id)).scalars().all() == [investor.id]
    client.post(f"/events/{event.id}/presenters/invite")
    mails = _outbox(app)
    owner = w["tagged"].owner
    assert any(owner.email in m and "路演邀请" in m and f"/events/{event.id}" in m for m in mails)
    assert any(investor.email in m and f"/events/{event.id}" in m for m in mails)
    # the owner sees the invitation on the event page and confirms; another user may not answer
    presenter = db.session.execute(db.select(Presenter).where(Presenter.listing_id == w["tagged"].id)).scalar_one()
    login(factory.user("researcher"))
    assert (
        client.post(f"/events/{event.id}/presenters/{presenter.id}/respond", data={"answer": "confirm"}).status_code
        == 403
    )
    login(owner)
    assert "确认参加" in client.get(f"/events/{event.id}").get_data(as_text=True)
    client.post(f"/events/{event.id}/presenters/{presenter.id}/respond", data={"answer": "confirm"})
    db.session.expire_all()
    assert db.session.get(Presenter, presenter.id).status == "confirmed"


def _outbox(app):
    folder = app.config["OUTBOX_DIR"]
    from marketplace.mail import message_summary, read_outbox_message

    out = []
    for name in sorted(os.listdir(folder)):
        summary = message_summary(read_outbox_message(folder, name))
        out.append(f"{summary['to']}\n{summary['subject']}\n{summary['body']}")
    return out
