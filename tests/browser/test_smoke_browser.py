"""A real browser sees the Chinese home page, can switch to English, and can sign in."""

import re

from playwright.sync_api import expect


def test_home_page_renders_chinese_and_switches_to_english(live_server, page, screenshot):
    page.goto(live_server.url("/"))

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("body")).to_contain_text("江西省常设技术交易市场")
    expect(page).to_have_title(re.compile("技术交易市场"))
    screenshot("zh")

    page.get_by_role("link", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="中文")).to_be_visible()
    expect(page.get_by_role("link", name="登录", exact=True)).to_have_count(0)  # the navigation is translated
    # The choice sticks for the rest of the visit.
    page.goto(live_server.url("/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_user_created_by_the_harness_can_sign_in_and_out(live_server, page, sign_in):
    email, password = live_server.create_user("researcher")

    sign_in(page, email, password)

    expect(page.get_by_role("button", name="退出")).to_be_visible()
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
