"""The workspace (/me): my listings by state, the next step for my role, my organisation's verification."""

import re


def test_workspace_groups_my_listings_by_state_with_counts(client, factory, login):
    owner = factory.user("researcher")
    factory.listing("achievement", owner=owner, status="draft", title="我的草稿")
    factory.listing("achievement", owner=owner, status="published", title="我的已发布")
    factory.listing("achievement", owner=owner, status="published", title="另一个已发布")
    factory.listing("achievement", status="published", title="别人的成果")
    login(owner)
    page = client.get("/me/").get_data(as_text=True)
    assert "我的草稿" in page and "我的已发布" in page and "别人的成果" not in page
    tabs = dict(re.findall(r'>([^<>]+) <span class="badge text-bg-light">(\d+)</span>', page))
    assert tabs["全部"] == "3" and tabs["草稿"] == "1" and tabs["已发布"] == "2" and tabs["已驳回"] == "0"
    drafts = client.get("/me/?status=draft").get_data(as_text=True)
    assert "我的草稿" in drafts and "我的已发布" not in drafts


def test_empty_workspace_offers_the_right_button_by_role(client, factory, login):
    login(factory.user("researcher"))
    page = client.get("/me/").get_data(as_text=True)
    assert "您还没有发布科技成果。" in page and "/achievements/new" in page and "/needs/new" not in page
    login(factory.user("company"))
    page = client.get("/me/").get_data(as_text=True)
    assert "您还没有发布技术需求。" in page and "/needs/new" in page


def test_unverified_org_gets_a_hint(client, factory, login):
    login(factory.user("company", org=factory.org(org_type="enterprise", verified=False)))
    page = client.get("/me/").get_data(as_text=True)
    assert "未认证" in page and "机构通过实名认证后，才能提交审核" in page


def test_pending_revisions_are_pointed_out(client, factory, login):
    from marketplace.models_base import utcnow

    listing = factory.listing(
        "achievement", status="published", pending_revision={"title": "新"}, revision_submitted_at=utcnow()
    )
    login(listing.owner)
    assert "修改待审核" in client.get("/me/").get_data(as_text=True)


def test_workspace_needs_sign_in(client):
    assert client.get("/me/").status_code == 302
