"""The listing lifecycle: every allowed transition, the forbidden ones, expiry and revisions of published listings."""

from datetime import date, timedelta

import pytest
from test_listings_forms import achievement_form

from marketplace.extensions import db
from marketplace.listings import services
from marketplace.listings.models import Listing, ListingChange, ListingEvent


def reload(listing_id):
    db.session.expire_all()
    return db.session.get(Listing, listing_id)


def index_changes(listing_id):
    return db.session.scalar(
        db.select(db.func.count()).select_from(ListingChange).where(ListingChange.listing_id == listing_id)
    )


def last_event(listing_id):
    return (
        db.session.execute(
            db.select(ListingEvent).where(ListingEvent.listing_id == listing_id).order_by(ListingEvent.id.desc())
        )
        .scalars()
        .first()
    )


@pytest.mark.parametrize("start", ["draft", "rejected", "withdrawn"])
def test_owner_submits_from_draft_rejected_or_withdrawn(client, factory, login, start):
    listing = factory.listing("achievement", status=start)
    login(listing.owner)
    before = index_changes(listing.id)
    resp = client.post(f"/achievements/{listing.id}/submit", follow_redirects=True)
    assert "已提交审核" in resp.get_data(as_text=True)
    listing = reload(listing.id)
    assert listing.status == "submitted" and listing.submitted_at is not None
    event = last_event(listing.id)
    assert (event.action, event.from_status, event.to_status, event.actor_id) == (
        "submit",
        start,
        "submitted",
        listing.owner_id,
    )
    assert index_changes(listing.id) == before + 1


@pytest.mark.parametrize("start", ["submitted", "published", "expired"])
def test_submit_from_other_states_is_refused_and_changes_nothing(client, factory, login, start):
    listing = factory.listing("achievement", status=start)
    login(listing.owner)
    events = len(listing.events)
    resp = client.post(f"/achievements/{listing.id}/submit", follow_redirects=True)
    assert "当前状态" in resp.get_data(as_text=True)
    listing = reload(listing.id)
    assert listing.status == start and len(listing.events) == events


def test_unverified_org_cannot_submit(client, factory, login):
    owner = factory.user("researcher", org=factory.org(verified=False))
    listing = factory.listing("achievement", owner=owner, status="draft")
    login(owner)
    page = client.post(f"/achievements/{listing.id}/submit", follow_redirects=True).get_data(as_text=True)
    assert "机构尚未通过实名认证，可先保存草稿" in page
    assert reload(listing.id).status == "draft"


def test_visitor_and_other_owner_cannot_submit_withdraw_or_delete(client, factory, login):
    draft = factory.listing("achievement", status="draft")
    published = factory.listing("achievement", status="published")
    visitor = client.post(f"/achievements/{draft.id}/submit")
    assert visitor.status_code == 302 and "/account/login" in visitor.headers["Location"]
    login(factory.user("researcher"))
    assert client.post(f"/achievements/{draft.id}/submit").status_code == 403
    assert client.post(f"/achievements/{published.id}/withdraw").status_code == 403
    assert client.post(f"/achievements/{draft.id}/delete").status_code == 403
    assert client.post("/achievements/999999/submit").status_code == 404
    assert reload(draft.id).status == "draft" and reload(published.id).status == "published"


def test_operator_approves_and_rejects_with_a_reason(client, factory, login):
    first = factory.listing("achievement", status="submitted")
    second = factory.listing("need", status="submitted")
    operator = factory.user("operator")
    login(operator)
    client.post(f"/ops/moderation/{first.id}/decide", data={"decision": "approve", "target": "listing"})
    first = reload(first.id)
    assert first.status == "published" and first.published_at is not None
    assert (last_event(first.id).action, last_event(first.id).actor_id) == ("approve", operator.id)

    resp = client.post(f"/ops/moderation/{second.id}/decide", data={"decision": "reject", "reason": ""})
    assert resp.status_code == 422 and "驳回时请填写原因" in resp.get_data(as_text=True)
    assert reload(second.id).status == "submitted"
    client.post(f"/ops/moderation/{second.id}/decide", data={"decision": "reject", "reason": "缺少技术指标"})
    second = reload(second.id)
    assert second.status == "rejected" and second.rejection_reason == "缺少技术指标"
    assert last_event(second.id).reason == "缺少技术指标"

    login(second.owner)
    page = client.get(f"/needs/{second.id}").get_data(as_text=True)
    assert "驳回原因：缺少技术指标" in page and "审核驳回" in page


def test_approve_by_non_operator_is_403_and_missing_is_404(client, factory, login):
    listing = factory.listing("achievement", status="submitted")
    login(listing.owner)
    assert client.post(f"/ops/moderation/{listing.id}/decide", data={"decision": "approve"}).status_code == 403
    assert client.get("/ops/moderation").status_code == 403
    login(factory.user("operator"))
    assert client.post("/ops/moderation/999999/decide", data={"decision": "approve"}).status_code == 404
    assert reload(listing.id).status == "submitted"


def test_approving_a_listing_not_in_the_queue_is_refused(client, factory, login):
    listing = factory.listing("achievement", status="draft")
    login(factory.user("operator"))
    client.post(f"/ops/moderation/{listing.id}/decide", data={"decision": "approve"})
    assert reload(listing.id).status == "draft"


def test_owner_withdraws_with_an_optional_reason_and_resubmits(client, factory, login):
    listing = factory.listing("achievement", status="published")
    login(listing.owner)
    client.post(f"/achievements/{listing.id}/withdraw", data={"reason": "已与企业达成合作"})
    listing = reload(listing.id)
    assert listing.status == "withdrawn"
    assert (last_event(listing.id).action, last_event(listing.id).reason) == ("withdraw", "已与企业达成合作")
    assert client.get(f"/achievements/{listing.id}").status_code == 200  # the owner still sees it
    client.post(f"/achievements/{listing.id}/submit")
    assert reload(listing.id).status == "submitted"


def test_withdrawn_listing_is_gone_from_public_pages(client, factory, login):
    listing = factory.listing("achievement", status="published", title="将被撤回的成果")
    login(listing.owner)
    client.post(f"/achievements/{listing.id}/withdraw", data={})
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get(f"/achievements/{listing.id}").status_code == 404
    assert "将被撤回的成果" not in client.get("/achievements").get_data(as_text=True)


def test_withdrawing_a_draft_is_refused(client, factory, login):
    listing = factory.listing("achievement", status="draft")
    login(listing.owner)
    page = client.post(f"/achievements/{listing.id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "当前状态" in page and reload(listing.id).status == "draft"


def test_owner_deletes_a_draft_but_not_a_published_listing(client, factory, login):
    draft = factory.listing("achievement", status="draft")
    published = factory.listing("achievement", status="published", owner=draft.owner)
    draft_id = draft.id
    login(draft.owner)
    client.post(f"/achievements/{published.id}/delete")
    assert reload(published.id) is not None
    client.post(f"/achievements/{draft_id}/delete")
    assert reload(draft_id) is None
    assert index_changes(draft_id) >= 2  # created, then deleted: the index drops it


# ---------------------------------------------------------------- expiry


def test_expire_command_expires_listings_past_validity_and_prints_a_count(runner, factory):
    old = factory.listing("achievement", status="published", valid_until=date.today() - timedelta(days=2))
    fresh = factory.listing("achievement", status="published")
    draft = factory.listing("achievement", status="draft", valid_until=date.today() - timedelta(days=2))
    result = runner.invoke(args=["listings", "expire"])
    assert result.exit_code == 0, result.output
    assert "expired 1 listing(s)" in result.output
    assert reload(old.id).status == "expired"
    assert (last_event(old.id).action, last_event(old.id).actor_id) == ("expire", None)
    assert reload(fresh.id).status == "published" and reload(draft.id).status == "draft"
    assert "expired 0 listing(s)" in runner.invoke(args=["listings", "expire"]).output


def test_serving_processes_expire_listings_without_cron(app, factory):
    """The workers' expiry round (marketplace.listings.housekeeping) does what the command does, once per listing."""
    from marketplace.listings import housekeeping

    old_id = factory.listing("achievement", status="published", valid_until=date.today() - timedelta(days=1)).id
    db.session.remove()
    assert housekeeping.run_once(app) == 1
    assert housekeeping.run_once(app) == 0
    assert reload(old_id).status == "expired"
    assert last_event(old_id).action == "expire"


def test_listing_past_validity_is_hidden_before_the_command_runs(client, factory):
    listing = factory.listing(
        "achievement", status="published", title="已过期成果", valid_until=date.today() - timedelta(days=2)
    )
    assert "已过期成果" not in client.get("/achievements").get_data(as_text=True)
    assert client.get(f"/achievements/{listing.id}").status_code == 404
    assert "已过期成果" not in client.get(f"/orgs/{listing.organisation_id}").get_data(as_text=True)


def test_owner_extends_an_expired_listing_and_it_goes_back_for_review(client, factory, login):
    listing = factory.listing("achievement", status="expired", valid_until=date.today() - timedelta(days=2))
    login(listing.owner)
    resp = client.post(f"/achievements/{listing.id}/extend", data={"valid_until": "2001-01-01"})
    assert "新的有效期必须晚于今天。" in resp.get_data(as_text=True)
    assert reload(listing.id).status == "expired"
    new_date = date.today() + timedelta(days=100)
    client.post(f"/achievements/{listing.id}/extend", data={"valid_until": new_date.isoformat()})
    listing = reload(listing.id)
    assert (listing.status, listing.valid_until) == ("submitted", new_date)
    assert last_event(listing.id).action == "extend"


def test_extend_only_for_expired_listings(client, factory, login):
    listing = factory.listing("achievement", status="draft")
    login(listing.owner)
    later = (date.today() + timedelta(days=100)).isoformat()
    client.post(f"/achievements/{listing.id}/extend", data={"valid_until": later})
    assert reload(listing.id).status == "draft"


# ---------------------------------------------------------------- revisions of published listings


def test_editing_a_published_listing_keeps_the_old_version_online_until_approved(client, factory, login):
    listing = factory.listing("achievement", status="published", title="原标题 石墨烯负极")
    owner, operator = listing.owner, factory.user("operator")
    login(owner)
    resp = client.post(
        f"/achievements/{listing.id}/edit",
        data=achievement_form(title="新标题 石墨烯负极二代", tags="石墨烯 二代"),
        follow_redirects=True,
    )
    assert "修改待审核（公开页面仍显示原版本）" in resp.get_data(as_text=True)
    listing = reload(listing.id)
    assert listing.status == "published" and listing.title == "原标题 石墨烯负极"
    assert listing.pending_revision["title"] == "新标题 石墨烯负极二代"
    assert last_event(listing.id).action == "revision_submitted"
    # the edit form shows the pending version to the owner
    assert "新标题 石墨烯负极二代" in client.get(f"/achievements/{listing.id}/edit").get_data(as_text=True)

    other = factory.user("researcher")
    login(other)
    public = client.get(f"/achievements/{listing.id}").get_data(as_text=True)
    assert "原标题 石墨烯负极" in public and "新标题" not in public
    assert "原标题 石墨烯负极" in client.get("/achievements").get_data(as_text=True)

    login(operator)
    review = client.get(f"/ops/moderation/{listing.id}").get_data(as_text=True)
    assert "原标题 石墨烯负极" in review and "新标题 石墨烯负极二代" in review
    before = index_changes(listing.id)
    client.post(f"/ops/moderation/{listing.id}/decide", data={"decision": "approve", "target": "revision"})
    listing = reload(listing.id)
    assert listing.title == "新标题 石墨烯负极二代" and listing.status == "published"
    assert listing.tag_names == sorted(["石墨烯", "二代"])
    assert listing.pending_revision is None and listing.revision_submitted_at is None
    assert last_event(listing.id).action == "revision_approved"
    assert index_changes(listing.id) == before + 1
    assert "新标题 石墨烯负极二代" in client.get(f"/achievements/{listing.id}").get_data(as_text=True)


def test_rejected_revision_is_discarded_with_a_reason(client, factory, login):
    listing = factory.listing("achievement", status="published", title="保持不变的标题")
    login(listing.owner)
    client.post(f"/achievements/{listing.id}/edit", data=achievement_form(title="被驳回的修改"))
    login(factory.user("operator"))
    resp = client.post(f"/ops/moderation/{listing.id}/decide", data={"decision": "reject", "target": "revision"})
    assert resp.status_code == 422
    client.post(
        f"/ops/moderation/{listing.id}/decide",
        data={"decision": "reject", "target": "revision", "reason": "价格与описание不符"},
    )
    listing = reload(listing.id)
    assert listing.title == "保持不变的标题" and listing.pending_revision is None
    assert listing.status == "published"
    assert (last_event(listing.id).action, last_event(listing.id).reason) == ("revision_rejected", "价格与описание不符")


def test_withdrawing_with_a_pending_revision_applies_it_to_the_offline_listing(client, factory, login):
    listing = factory.listing("achievement", status="published", title="旧版")
    login(listing.owner)
    client.post(f"/achievements/{listing.id}/edit", data=achievement_form(title="新版"))
    client.post(f"/achievements/{listing.id}/withdraw")
    listing = reload(listing.id)
    assert (listing.status, listing.title, listing.pending_revision) == ("withdrawn", "新版", None)


def test_service_refuses_forbidden_transitions_without_changes(app, factory):
    listing = factory.listing("achievement", status="draft")
    operator = factory.user("operator")
    with pytest.raises(services.ListingError):
        services.approve_listing(listing, operator)
    with pytest.raises(services.NotAllowed):
        services.approve_listing(listing, listing.owner)
    with pytest.raises(services.ListingError):
        services.withdraw_listing(listing, listing.owner)
    with pytest.raises(services.ListingError):
        services.reject_listing(factory.listing("achievement", status="submitted"), operator, "  ")
    assert listing.status == "draft" and len(listing.events) == 0


def test_every_state_change_is_recorded_with_who_and_why(client, factory, login):
    owner = factory.user("researcher")
    operator = factory.user("operator")
    login(owner)
    client.post("/achievements/new", data=achievement_form(action="submit"))
    listing_id = db.session.scalar(db.select(Listing.id))
    login(operator)
    client.post(f"/ops/moderation/{listing_id}/decide", data={"decision": "reject", "reason": "请补充摘要"})
    login(owner)
    client.post(f"/achievements/{listing_id}/edit", data=achievement_form(action="submit"))
    login(operator)
    client.post(f"/ops/moderation/{listing_id}/decide", data={"decision": "approve"})
    login(owner)
    client.post(f"/achievements/{listing_id}/withdraw", data={"reason": "暂停转让"})
    events = (
        db.session.execute(
            db.select(ListingEvent).where(ListingEvent.listing_id == listing_id).order_by(ListingEvent.id)
        )
        .scalars()
        .all()
    )
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("create", None, "draft"),
        ("submit", "draft", "submitted"),
        ("reject", "submitted", "rejected"),
        ("edit", "rejected", "rejected"),
        ("submit", "rejected", "submitted"),
        ("approve", "submitted", "published"),
        ("withdraw", "published", "withdrawn"),
    ]
    assert [e.actor_id for e in events] == [owner.id, owner.id, operator.id, owner.id, owner.id, operator.id, owner.id]
    assert index_changes(listing_id) == len(events)
    history = client.get(f"/achievements/{listing_id}").get_data(as_text=True)
    assert "请补充摘要" in history and "暂停转让" in history and operator.name in history


def test_emptied_validity_keeps_the_previous_date(client, factory, login):
    keep = date.today() + timedelta(days=50)
    listing = factory.listing("achievement", status="draft", valid_until=keep)
    login(listing.owner)
    client.post(f"/achievements/{listing.id}/edit", data=achievement_form(valid_until=""))
    listing = reload(listing.id)
    assert listing.valid_until == keep
    assert listing.lead_institution == listing.organisation.name


def test_company_edits_a_published_need_through_review(client, factory, login):
    from test_listings_forms import need_form

    need = factory.listing("need", status="published", title="原需求", hide_org_name=False)
    login(need.owner)
    client.post(f"/needs/{need.id}/edit", data=need_form(title="新需求", hide_org_name="y"))
    need = reload(need.id)
    assert (need.title, need.hide_org_name) == ("原需求", False)
    login(factory.user("operator"))
    client.post(f"/ops/moderation/{need.id}/decide", data={"decision": "approve", "target": "revision"})
    need = reload(need.id)
    assert (need.title, need.hide_org_name, need.region) == ("新需求", True, "jiujiang")
