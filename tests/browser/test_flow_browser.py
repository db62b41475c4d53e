"""Issue 2, end to end: register, list an achievement with an attachment, verification, moderation, public view.

A researcher of a new (unverified) university registers through the form and cannot submit yet; an operator
verifies the organisation; the researcher submits; the operator approves; a visitor finds the achievement and
sees the public summary but not the confidential part, which the researcher still sees.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"  # as in conftest.py

ORG_NAME = "南昌测试大学"
TITLE = "稀土永磁电机高效控制技术"
SUMMARY = "面向新能源汽车驱动电机的稀土永磁同步电机控制算法，效率提升3%，已完成中试验证。"
SECRET = "保密：弱磁控制参数整定方法及电流环解耦的具体实现细节"
PASSWORD = "赣江之滨科研成果转化2026"


def stored(text):
    """What the forms store: NFKC, except that Chinese punctuation (，：) is kept as typed."""
    from marketplace.text import normalise_text

    return normalise_text(text)


@pytest.fixture
def new_page(browser, request):
    """new_page() opens another browser context (own cookies), closed at the end of the test."""
    contexts = []

    def _open():
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """shot(page, "step"): a full-page screenshot of any page, named after the test and the step."""

    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1]).strip("_")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, step):
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{step}.png"), full_page=True)

    return _shot


def register_researcher(page, live_server, email):
    page.goto(live_server.url("/account/register"))
    page.get_by_label("邮箱", exact=True).fill(email)
    page.get_by_label("姓名", exact=True).fill("李研究")
    page.get_by_label("联系电话（选填）").fill("0791-88888888")
    page.get_by_label("身份", exact=True).select_option(label="科研人员")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码", exact=True).fill(PASSWORD)
    page.get_by_role("radio", name="新建机构").check()
    page.get_by_label("机构名称", exact=True).fill(ORG_NAME)
    page.get_by_label("机构类型", exact=True).select_option(label="高校")
    page.get_by_label("所在地区", exact=True).select_option(label="南昌")
    page.get_by_label("我已阅读并同意《隐私政策》和《个人信息收集清单》").check()
    page.get_by_role("button", name="注册", exact=True).click()
    # the same answer for every address (no account enumeration); the new account signs in with its password
    expect(page.locator("body")).to_contain_text("注册申请已收到")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action*='/account/login'] button[type=submit]")
    page.wait_for_load_state()
    assert "/account/login" not in page.url


def fill_achievement(page, sample_pdf):
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("公开摘要", exact=True).fill(SUMMARY)
    page.get_by_label("详细技术方案", exact=True).fill(SECRET)
    page.get_by_label("所属行业", exact=True).select_option(label="新材料（含钨与稀土）")
    page.get_by_label("成熟度", exact=True).select_option(label="中试")
    page.get_by_label("关键词标签", exact=True).fill("稀土永磁、电机控制、新能源汽车")
    page.get_by_label("技术就绪度（TRL）").select_option(label="TRL 6")
    page.get_by_label("知识产权类型", exact=True).select_option(label="发明专利")
    page.get_by_label("知识产权状态", exact=True).select_option(label="已授权")
    page.get_by_label("知识产权编号", exact=True).fill("ZL201910000000.1")
    modes = page.get_by_role("group", name="合作方式")
    modes.get_by_label("技术转让").check()
    modes.get_by_label("技术许可").check()
    page.get_by_label("面议", exact=True).check()
    page.get_by_label("来源计划", exact=True).select_option(label="国家03专项")
    page.get_by_label("项目编号", exact=True).fill("2019ABA03001")
    page.get_by_label("验收状态", exact=True).select_option(label="已验收")
    page.get_by_label("联系人", exact=True).fill("李研究")
    page.get_by_label("联系电话", exact=True).fill("0791-88888888")
    page.get_by_label("附件", exact=True).set_input_files(str(sample_pdf))


def test_researcher_lists_an_achievement_that_a_visitor_finds(live_server, page, new_page, sign_in, shot, sample_pdf):
    # 1. A researcher registers with a new university, which starts unverified.
    email = f"li.yanjiu-{live_server.port}@ncu-test.edu.cn"
    register_researcher(page, live_server, email)
    shot(page, "1-registered")

    # 2. The achievement form, with an attachment: submitting is refused while the organisation is unverified.
    page.goto(live_server.url("/achievements/new"))
    expect(page.get_by_label("牵头单位", exact=True)).to_have_value(ORG_NAME)
    fill_achievement(page, sample_pdf)
    shot(page, "2-form")
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator("body")).to_contain_text("机构尚未通过实名认证，可先保存草稿，待机构认证通过后再提交审核。")
    expect(page.locator("body")).to_contain_text("草稿已保存。")
    expect(page.get_by_role("status").first).to_contain_text("草稿")
    expect(page.get_by_role("link", name="成果说明书.pdf")).to_be_visible()
    detail_url = page.url
    shot(page, "3-draft-not-submittable")

    # 3. An operator verifies the organisation through the operators' pages.
    ops = new_page()
    ops_email, ops_password = live_server.create_operator()
    sign_in(ops, ops_email, ops_password)
    ops.goto(live_server.url("/ops/organisations"))
    ops.get_by_label("认证状态").select_option(label="未认证")
    ops.get_by_role("button", name="筛选").click()
    row = ops.get_by_role("row").filter(has_text=ORG_NAME)
    expect(row).to_contain_text("高校")
    expect(row).to_contain_text("南昌")
    shot(ops, "4-ops-organisations")
    row.get_by_role("link", name=ORG_NAME).click()
    expect(ops.get_by_text(email)).to_be_visible()
    ops.once("dialog", lambda dialog: dialog.accept())
    ops.get_by_role("button", name="通过认证").click()
    expect(ops.locator("body")).to_contain_text(f"已认证机构“{ORG_NAME}”。")
    shot(ops, "5-ops-verified")

    # 4. The researcher now submits the draft for review.
    page.goto(detail_url)
    page.get_by_role("button", name="提交审核", exact=True).click()
    expect(page.locator("body")).to_contain_text("已提交审核，审核通过后公开。")
    expect(page.get_by_role("status").first).to_contain_text("已提交，等待运营人员审核。")
    shot(page, "6-submitted")

    # 5. The operator approves it from the moderation queue.
    ops.goto(live_server.url("/ops/moderation"))
    ops.get_by_role("row").filter(has_text=TITLE).get_by_role("link", name=TITLE).click()
    expect(ops.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(ops.get_by_text("国家03专项")).to_be_visible()
    shot(ops, "7-ops-review")
    ops.get_by_role("button", name="通过并公开").click()
    expect(ops.locator("body")).to_contain_text("没有待审核的内容。")
    shot(ops, "8-ops-approved")

    # 6. A visitor filters the public list by industry, finds the achievement and opens it.
    visitor = new_page()
    visitor.goto(live_server.url("/achievements"))
    visitor.get_by_label("行业", exact=True).select_option(label="新材料（含钨与稀土）")
    visitor.get_by_role("button", name="筛选").click()
    expect(visitor).to_have_url(re.compile(r"industry=new_materials"))
    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", name=TITLE)).to_be_visible()
    body = visitor.locator("body")
    expect(body).to_contain_text(stored(SUMMARY))
    expect(body).to_contain_text(ORG_NAME)
    expect(body).to_contain_text("面议")
    expect(body).to_contain_text("国家03专项")
    expect(body).to_contain_text("仅向已通过实名认证机构的会员开放")
    expect(body).not_to_contain_text(stored(SECRET))
    expect(body).not_to_contain_text("弱磁控制")
    expect(body).not_to_contain_text("ZL201910000000.1")
    expect(body).not_to_contain_text("0791-88888888")
    expect(visitor.get_by_role("link", name="成果说明书.pdf")).to_have_count(0)
    shot(visitor, "9-visitor-detail")

    # 7. The researcher still sees the confidential part and can download the attachment; the visitor cannot.
    page.goto(detail_url)
    expect(page.locator("body")).to_contain_text(stored(SECRET))
    link = page.get_by_role("link", name="成果说明书.pdf")
    expect(link).to_be_visible()
    attachment_url = live_server.url(link.get_attribute("href"))
    download = page.request.get(attachment_url)
    assert download.ok and download.body().startswith(b"%PDF-")
    refused = visitor.request.get(attachment_url, max_redirects=0)
    assert refused.status == 403 and b"%PDF-" not in refused.body()

    # 8. A member of another verified organisation sees the confidential part too, but not the contact.
    member = new_page()
    member_email, member_password = live_server.create_user("company")
    sign_in(member, member_email, member_password)
    member.goto(detail_url)
    expect(member.locator("body")).to_contain_text(stored(SECRET))
    expect(member.get_by_role("link", name="成果说明书.pdf")).to_be_visible()
    expect(member.locator("body")).not_to_contain_text("0791-88888888")
    shot(member, "10-verified-member")
