"""Following any published listing: its followers are told when it changes or goes offline."""

from marketplace.extensions import db
from marketplace.listings import services as listing_services
from marketplace.notifications.models import Notification


def _kinds(user):
    return [
        n.kind
        for n in db.session.execute(
            db.select(Notification).filter_by(user_id=user.id).order_by(Notification.id)
        ).scalars()
    ]


def test_followers_hear_of_approved_changes_and_withdrawal(app, client, factory, login):
    owner = factory.user("researcher")
    ach = factory.listing("achievement", owner=owner, title="热敏灸治疗仪")
    company = factory.user("company")
    login(company)
    page = client.get(f"/achievements/{ach.id}").get_data(as_text=True)
    assert "关注此条目" in page
    page = client.post(f"/matches/follow/{ach.id}", follow_redirects=True).get_data(as_text=True)
    assert "该条目更新或下线时会通知您" in page and "取消关注" in page

    operator = factory.user("operator")
    listing_services.update_listing(ach, owner, {"summary": "新增临床数据。"})
    listing_services.approve_revision(ach, operator)
    listing_services.withdraw_listing(ach, owner, "已转让")
    db.session.commit()
    assert _kinds(company) == ["listing_changed", "listing_withdrawn"]
    assert _kinds(owner) == ["revision_approved"]  # the owner hears of the decision, not as a follower
    page = client.get("/notifications/").get_data(as_text=True)
    assert "您关注的「热敏灸治疗仪」内容有更新。" in page and "您关注的「热敏灸治疗仪」已下线。" in page
