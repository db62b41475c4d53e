"""Notifications: operators' decisions reach the user in the app and by e-mail; settings; the daily digest."""

from marketplace.extensions import db
from marketplace.notifications import services
from marketplace.notifications.models import Notification


def _outbox(app):
    from marketplace.mail import message_summary, outbox_names, read_outbox_message

    folder = app.config["OUTBOX_DIR"]
    return [message_summary(read_outbox_message(folder, n)) for n in outbox_names(folder)]


def _kinds(user):
    return [
        n.kind
        for n in db.session.execute(
            db.select(Notification).filter_by(user_id=user.id).order_by(Notification.id)
        ).scalars()
    ]


def test_rejected_listing_tells_the_owner_why_in_the_app_and_by_email(app, client, factory, login):
    owner = factory.user("researcher")
    listing = factory.listing("achievement", owner=owner, status="submitted", title="稀土永磁电机")
    login(factory.user("operator"))
    resp = client.post(
        f"/ops/moderation/{listing.id}/decide", data={"decision": "reject", "reason": "缺少知识产权证明"}
    )
    assert resp.status_code == 302
    assert _kinds(owner) == ["listing_rejected"]
    mails = _outbox(app)
    assert len(mails) == 1 and mails[0]["to"] == owner.email
    assert "缺少知识产权证明" in mails[0]["body"]
    assert f"{app.config['EXTERNAL_BASE_URL']}/achievements/{listing.id}" in mails[0]["body"]

    login(owner)
    assert "1 条未读" in client.get("/").get_data(as_text=True)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "“稀土永磁电机”未通过审核，原因：缺少知识产权证明" in page
    assert "条未读" not in client.get("/").get_data(as_text=True)  # opening the list marked it read


def test_approval_verification_and_membership_notify(app, client, factory, login):
    owner = factory.user("researcher")
    listing = factory.listing("achievement", owner=owner, status="submitted")
    org = factory.org("enterprise", verified=False, name="赣州稀土新材料有限公司")
    member = factory.user("company", org=org)
    joiner = factory.user("company", org=org, membership_status="pending")
    login(factory.user("operator"))
    client.post(f"/ops/moderation/{listing.id}/decide", data={"decision": "approve"})
    client.post(f"/ops/organisations/{org.id}/verify")
    client.post(f"/ops/users/{joiner.id}/approve")
    assert _kinds(owner) == ["listing_approved"]
    assert _kinds(member) == ["org_verified"]  # the pending member was not yet confirmed
    assert _kinds(joiner) == ["membership_approved"]
    client.post(f"/ops/organisations/{org.id}/reject", data={"reason": "营业执照已过期"})
    login(member)
    assert "未通过实名认证，原因：营业执照已过期" in client.get("/notifications/").get_data(as_text=True)


def test_old_address_redirects(client, factory, login):
    login(factory.user("company"))
    resp = client.get("/matches/notifications")
    assert resp.status_code == 301 and resp.headers["Location"].endswith("/notifications/")


def test_a_kind_switched_off_is_not_created_and_email_can_be_off(app, client, factory, login):
    owner = factory.user("researcher")
    login(owner)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "发布审核结果" in page and "每天一封汇总邮件" in page
    groups = ["matches", "followed", "account", "inquiries", "messages", "deals"]  # moderation off
    assert client.post("/notifications/settings", data={"groups": groups, "email_mode": "off"}).status_code == 302
    services.about_listing(owner, "listing_approved", factory.listing("achievement", owner=owner))
    note = services.about_listing(owner, "inquiry_received", factory.listing("achievement", owner=owner))
    db.session.commit()
    assert _kinds(owner) == ["inquiry_received"]
    assert note.emailed_at is not None and services.send_pending_emails() == 0
    assert _outbox(app) == []


def test_daily_digest_sends_one_email_once_a_day(app, runner, factory):
    user = factory.user("researcher")
    services.save_settings(user, [], "digest")
    for title in ("锂电池负极", "窄带物联网水表"):
        services.about_listing(user, "listing_approved", factory.listing("achievement", owner=user, title=title))
    db.session.commit()
    assert services.send_pending_emails() == 0  # digest users get no single e-mails
    result = runner.invoke(args=["notifications", "digest"])
    assert "digests sent: 1" in result.output
    mails = _outbox(app)
    assert len(mails) == 1 and "锂电池负极" in mails[0]["body"] and "窄带物联网水表" in mails[0]["body"]
    services.about_listing(user, "listing_approved", factory.listing("achievement", owner=user))
    db.session.commit()
    assert "digests sent: 0" in runner.invoke(args=["notifications", "digest"]).output  # not twice a day
