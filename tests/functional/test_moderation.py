"""Operators' moderation queue: submitted listings and pending revisions, oldest first, with filters."""

import re
from datetime import timedelta

from test_listings_forms import achievement_form

from marketplace.extensions import db
from marketplace.models_base import utcnow


def queue_titles(page):
    return re.findall(r'<a href="/ops/moderation/\d+">([^<]+)</a>', page)


def test_queue_lists_submissions_and_revisions_oldest_first(client, factory, login):
    now = utcnow()
    factory.listing("achievement", status="submitted", title="较新的提交", submitted_at=now - timedelta(hours=1))
    factory.listing("need", status="submitted", title="最早的提交", submitted_at=now - timedelta(days=2))
    factory.listing(
        "achievement",
        status="published",
        title="有修改的成果",
        pending_revision={"title": "改"},
        revision_submitted_at=now - timedelta(days=1),
    )
    factory.listing("achievement", status="published", title="无修改的成果")
    factory.listing("achievement", status="draft", title="草稿")
    login(factory.user("operator"))
    page = client.get("/ops/moderation").get_data(as_text=True)
    assert queue_titles(page) == ["最早的提交", "有修改的成果", "较新的提交"]
    assert "修改待审" in page and "新提交" in page


def test_queue_filters(client, factory, login):
    factory.listing("achievement", status="submitted", title="人工智能成果", industry="ai", region="ganzhou")
    factory.listing("need", status="submitted", title="中医药需求", industry="tcm", region="nanchang")
    factory.listing(
        "achievement",
        status="published",
        title="修改中",
        industry="ai",
        pending_revision={"title": "x"},
        revision_submitted_at=utcnow(),
    )
    login(factory.user("operator"))

    def found(query):
        return sorted(queue_titles(client.get("/ops/moderation?" + query).get_data(as_text=True)))

    assert found("kind=need") == ["中医药需求"]
    assert found("industry=ai") == ["人工智能成果", "修改中"]
    assert found("region=ganzhou") == ["人工智能成果"]
    assert found("type=revision") == ["修改中"]
    assert found("type=new") == ["中医药需求", "人工智能成果"]
    assert "没有待审核的内容。" in client.get("/ops/moderation?kind=need&industry=ai").get_data(as_text=True)


def test_queue_paginates(client, factory, login, app):
    app.config["LISTINGS_PER_PAGE"] = 2
    for i in range(3):
        factory.listing("need", status="submitted", title=f"需求{i}", submitted_at=utcnow() - timedelta(hours=10 - i))
    login(factory.user("operator"))
    assert queue_titles(client.get("/ops/moderation").get_data(as_text=True)) == ["需求0", "需求1"]
    assert queue_titles(client.get("/ops/moderation?page=2").get_data(as_text=True)) == ["需求2"]


def test_review_page_shows_the_full_listing_including_confidential_fields(client, factory, login):
    listing = factory.listing(
        "achievement", status="submitted", title="待审成果", description="保密方案内容", contact_phone="13812345678"
    )
    login(factory.user("operator"))
    page = client.get(f"/ops/moderation/{listing.id}").get_data(as_text=True)
    assert "待审成果" in page and "保密方案内容" in page and "13812345678" in page
    assert "通过并公开" in page and "驳回" in page
    assert client.get("/ops/moderation/999999").status_code == 404


def test_revision_review_shows_a_field_by_field_diff(client, factory, login):
    listing = factory.listing("achievement", status="published", title="旧的标题", industry="ai")
    login(listing.owner)
    client.post(
        f"/achievements/{listing.id}/edit",
        data=achievement_form(title="新的标题", industry="tcm", summary=listing.summary),
    )
    login(factory.user("operator"))
    page = client.get(f"/ops/moderation/{listing.id}").get_data(as_text=True)
    diff = page.split("修改内容（原 → 新）")[1].split("当前公开版本")[0]
    assert "旧的标题" in diff and "新的标题" in diff
    assert "人工智能" in diff and "中医药" in diff
    assert "来源计划" not in diff  # unchanged fields are left out
    assert "通过修改" in page and "驳回修改" in page


def test_non_operators_cannot_see_the_queue(client, factory, login):
    listing = factory.listing("achievement", status="submitted")
    assert client.get("/ops/moderation").status_code == 302  # visitors: sign in first
    login(factory.user("company"))
    assert client.get("/ops/moderation").status_code == 403
    assert client.get(f"/ops/moderation/{listing.id}").status_code == 403
    assert db.session.get(type(listing), listing.id).status == "submitted"
