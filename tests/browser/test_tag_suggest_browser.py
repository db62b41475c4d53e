"""While writing a listing, a researcher asks for tag suggestions and adds one with a click."""

from playwright.sync_api import expect


def test_tag_suggestions_fill_the_tags_field(live_server, page, sign_in, screenshot):
    email, password = live_server.create_user("researcher")
    sign_in(page, email, password)
    page.goto(live_server.url("/achievements/new"))
    page.get_by_label("标题", exact=True).fill("基于窄带物联网的智能水表远程抄表系统")
    page.get_by_label("公开摘要").fill("采用NB-IoT模组实现远程抄表，石墨烯电池供电，功耗低。")
    page.get_by_role("button", name="根据标题和简介推荐标签").click()
    chip = page.locator("[data-tag-chips] button").first
    expect(chip).to_be_visible()
    term = chip.inner_text().removeprefix("+ ").strip()
    chip.click()
    expect(page.locator("input[name=tags]")).to_have_value(term)
    screenshot("tag-suggestions")
