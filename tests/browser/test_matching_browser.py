"""A company opens its need, sees a suggested achievement with its reasons, and dismisses one."""

from playwright.sync_api import expect


def _publish(live_server, email):
    from marketplace.accounts.models import User
    from marketplace.listings.changes import record_change
    from marketplace.listings.models import Achievement, Need, Tag
    from marketplace.models_base import utcnow

    researcher_email, _password = live_server.create_user("researcher")
    with live_server.app_context() as session:
        company = session.query(User).filter_by(email=email).one()
        researcher = session.query(User).filter_by(email=researcher_email).one()
        need = Need(
            title="寻求石墨烯锂电池负极材料技术",
            summary="需要提高锂电池负极材料的循环寿命，要求中试以上。",
            industry="new_materials",
            region="nanchang",
            status="published",
            published_at=utcnow(),
            owner=company,
            organisation=company.organisation,
            min_maturity="pilot",
        )
        tags = {
            name: session.query(Tag).filter_by(name=name).one_or_none() or Tag(name=name)
            for name in ("石墨烯", "锂电池", "负极材料")
        }
        first = Achievement(
            title="石墨烯锂电池负极材料的制备",
            summary="以氧化石墨烯制备锂电池负极材料，循环寿命提高一倍。",
            industry="new_materials",
            region="nanchang",
            status="published",
            published_at=utcnow(),
            owner=researcher,
            organisation=researcher.organisation,
            maturity="pilot_small",
            tags=[tags["石墨烯"], tags["锂电池"]],
        )
        second = Achievement(
            title="石墨烯负极材料的规模化生产",
            summary="石墨烯负极材料用于锂电池，提高循环寿命。",
            industry="new_materials",
            region="ganzhou",
            status="published",
            published_at=utcnow(),
            owner=researcher,
            organisation=researcher.organisation,
            maturity="industrial",
            tags=[tags["石墨烯"], tags["负极材料"]],
        )
        session.add_all([need, first, second])
        session.flush()
        for listing in (need, first, second):
            record_change(listing.id)
        session.commit()
        return need.id


def test_company_sees_reasons_and_dismisses_a_suggestion(live_server, page, sign_in, screenshot):
    email, password = live_server.create_user("company")
    need_id = _publish(live_server, email)
    live_server.flask("match", "refresh")

    sign_in(page, email, password)
    page.goto(live_server.url(f"/needs/{need_id}"))
    section = page.locator("#suggestions")
    expect(section).to_contain_text("推荐的科技成果")
    first = section.locator("li[data-suggestion]").filter(has_text="石墨烯锂电池负极材料的制备")
    expect(first).to_contain_text("共同关键词")
    expect(first).to_contain_text("成熟度低于需求方要求（需求：中试，成果：小试）")
    screenshot("suggestions")

    first.locator("summary").click()
    first.get_by_label("原因").select_option("maturity")
    first.get_by_role("button", name="忽略").click()

    expect(page.locator("body")).to_contain_text("已忽略该推荐")
    expect(page.locator("#suggestions")).not_to_contain_text("石墨烯锂电池负极材料的制备")
    expect(page.locator("#suggestions")).to_contain_text("石墨烯负极材料的规模化生产")
