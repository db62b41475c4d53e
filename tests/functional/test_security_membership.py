"""Finding 3: a pending member (membership not confirmed) cannot publish under a verified organisation's name."""

from datetime import date, timedelta

from test_listings_forms import achievement_form

from marketplace.extensions import db
from marketplace.listings.models import Listing


def _pending_member(factory):
    org = factory.org("university", verified=True, name="南昌大学（测试）")
    factory.user("researcher", org=org)  # the organisation's confirmed founder
    return factory.user("researcher", org=org, membership_status="pending")


def _status(listing_id):
    db.session.expire_all()
    return db.session.get(Listing, listing_id).status


def test_a_pending_member_cannot_submit_a_draft(client, factory, login):
    member = _pending_member(factory)
    draft = factory.listing("achievement", owner=member, status="draft")
    login(member)
    resp = client.post(f"/achievements/{draft.id}/submit", follow_redirects=True)
    assert "成员身份尚待运营人员确认" in resp.get_data(as_text=True)
    assert _status(draft.id) == "draft"


def test_a_pending_member_cannot_save_and_submit_a_new_listing(client, factory, login):
    member = _pending_member(factory)
    login(member)
    resp = client.post("/achievements/new", data=achievement_form(action="submit"), follow_redirects=True)
    assert "成员身份尚待运营人员确认" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(Listing.status).filter_by(owner_id=member.id)).scalar_one() == "draft"


def test_a_pending_member_cannot_extend_an_expired_listing(client, factory, login):
    member = _pending_member(factory)
    listing = factory.listing(
        "achievement", owner=member, status="expired", valid_until=date.today() - timedelta(days=2)
    )
    login(member)
    new_date = (date.today() + timedelta(days=90)).isoformat()
    resp = client.post(f"/achievements/{listing.id}/extend", data={"valid_until": new_date})
    assert "成员身份尚待运营人员确认" in resp.get_data(as_text=True)
    assert _status(listing.id) == "expired"


def test_a_pending_member_cannot_send_a_revision_of_a_published_listing(client, factory, login):
    member = _pending_member(factory)
    listing = factory.listing("achievement", owner=member, status="published", title="原标题")
    login(member)
    resp = client.post(f"/achievements/{listing.id}/edit", data=achievement_form(title="冒名修改"))
    assert "成员身份尚待运营人员确认" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).pending_revision is None


def test_once_confirmed_the_member_can_submit(client, factory, login):
    member = _pending_member(factory)
    draft = factory.listing("achievement", owner=member, status="draft")
    member.membership_status = "active"
    db.session.commit()
    login(member)
    client.post(f"/achievements/{draft.id}/submit")
    assert _status(draft.id) == "submitted"


def test_the_review_page_shows_the_submitters_membership_state(client, factory, login):
    member = _pending_member(factory)
    listing = factory.listing("achievement", owner=member, status="submitted")
    login(factory.user("operator"))
    page = client.get(f"/ops/moderation/{listing.id}").get_data(as_text=True)
    assert "成员身份待确认" in page and "成员身份尚未确认" in page
    member.membership_status = "active"
    db.session.commit()
    page = client.get(f"/ops/moderation/{listing.id}").get_data(as_text=True)
    assert "成员身份已确认" in page and "成员身份尚未确认" not in page
