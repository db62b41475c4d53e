"""A company opens its need, sees a suggested achievement with its reasons, and dismisses one."""

from playwright.sync_api import expect


def _publish(live_server, email):
    researcher, _password = live_server.create_user("researcher")
    need_id = live_server.publish(
        "need",
        email,
        title="寻求石墨烯锂电池负极材料技术",
        summary="需要提高锂电池负极材料的循环寿命，要求中试以上。",
        industry="new_materials",
        region="nanchang",
        min_maturity="pilot",
    )
    common = {"industry": "new_materials", "owner_email": researcher}
    live_server.publish(
        "achievement",
        tags=("石墨烯", "锂电池"),
        title="石墨烯锂电池负极材料的制备",
        summary="以氧化石墨烯制备锂电池负极材料，循环寿命提高一倍。",
        region="nanchang",
        maturity="pilot_small",
        **common,
    )
    live_server.publish(
        "achievement",
        tags=("石墨烯", "负极材料"),
        title="石墨烯负极材料的规模化生产",
        summary="石墨烯负极材料用于锂电池，提高循环寿命。",
        region="ganzhou",
        maturity="industrial",
        **common,
    )
    return need_id


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
