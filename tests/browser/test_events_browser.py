"""Issue 8, end to end: an operator creates a 科技金融路演 and accepts the proposed line-up; a company and an
investor register and book a meeting; the schedule runs; the company downloads its .ics; an expert scores a
presenter; the operator checks people in and records an outcome. Screenshots of each step."""

import re
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "browser-test-pass-2026"
TITLE = "浏览器测试：稀土新材料科技金融路演"


@pytest.fixture
def open_as(browser, live_server, request):
    """open_as(email): a page in its own browser context, signed in as that user."""
    contexts = []

    def _open(email):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url("/account/login"))
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action*='/account/login'] button[type=submit]")
        page.wait_for_load_state()
        assert "/account/login" not in page.url
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1]).strip("_")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, step):
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{step}.png"), full_page=True)

    return _shot


def _world(live_server):
    """A presenter's achievement with an interested need (a stored suggestion) and an expert of another org."""
    from marketplace.accounts.models import User
    from marketplace.events import experts
    from marketplace.listings.models import Achievement, Need
    from marketplace.matching.models import Suggestion
    from marketplace.models_base import utcnow

    op, _ = live_server.create_operator()
    researcher, _ = live_server.create_user("researcher", name="王研究员", org_name="浏览器测试大学")
    company, _ = live_server.create_user("company", name="赵经理", org_name="浏览器测试电机有限公司")
    investor, _ = live_server.create_user("investor", name="钱投资", org_name="浏览器测试创投基金")
    live_server.create_user("researcher", name="孙教授", org_name="浏览器测试研究院")
    with live_server.app_context() as session:
        users = {u.email: u for u in session.query(User).all()}
        owner, buyer = users[researcher], users[company]
        ach = Achievement(
            title="高性能稀土永磁电机控制技术",
            summary="稀土永磁同步电机高效控制。",
            industry="new_materials",
            region="nanchang",
            status="published",
            owner=owner,
            organisation=owner.organisation,
            published_at=utcnow(),
            maturity="pilot",
        )
        need = Need(
            title="寻求稀土永磁电机高效控制方案",
            summary="电机效率提升。",
            industry="new_materials",
            region="nanchang",
            status="published",
            owner=buyer,
            organisation=buyer.organisation,
            published_at=utcnow(),
        )
        session.add_all([ach, need])
        session.flush()
        session.add(Suggestion(listing_id=need.id, candidate_id=ach.id, rank=1, score=0.8, factors=[]))
        expert_org = users[next(e for e in users if users[e].name == "孙教授")].organisation
        expert = experts.create_expert("周专家", "expert-browser@browser.test", expert_org, title="研究员")
        from marketplace.accounts.services import set_password

        set_password(expert.user, PASSWORD)
        session.commit()
    return op, researcher, company, investor, "expert-browser@browser.test"


def test_roadshow_journey(live_server, open_as, shot):
    op, researcher, company, investor, expert = _world(live_server)

    # the operator creates a 科技金融路演 and opens registration
    ops = open_as(op)
    ops.goto(live_server.url("/events/"))
    ops.get_by_role("link", name="活动管理").click()
    ops.get_by_role("link", name="新建活动").first.click()
    ops.get_by_label("活动类型").select_option(label="科技金融路演")
    ops.get_by_label("活动名称").fill(TITLE)
    ops.get_by_label("新材料（含钨与稀土）").check()
    ops.get_by_label("主题关键词").fill("稀土, 永磁")
    ops.get_by_label("地点").fill("南昌市 江西省科技大厦")
    ops.get_by_label("容量（人）").fill("50")
    shot(ops, "1-new-event")
    ops.get_by_role("button", name="保存").click()
    expect(ops.locator("body")).to_contain_text("活动草稿已保存")
    ops.get_by_role("button", name="发布并开放报名").click()
    expect(ops.locator("body")).to_contain_text("报名中")
    event_url = ops.url

    # the proposed line-up comes from the match graph; the operator accepts it and invites the presenter
    ops.get_by_role("link", name="路演项目编排").click()
    expect(ops.locator("body")).to_contain_text("高性能稀土永磁电机控制技术")
    expect(ops.locator("body")).to_contain_text("1 项技术需求与之匹配")
    shot(ops, "2-proposed-line-up")
    ops.get_by_role("button", name="全部采纳").click()
    ops.get_by_role("button", name="向待邀请的路演方发出邀请").click()
    expect(ops.locator("body")).to_contain_text("路演邀请已发出")
    expect(ops.locator("body")).to_contain_text("赵经理")  # the need's owner is proposed as an invitee
    shot(ops, "3-line-up-accepted")

    # meeting slots and tables
    ops.goto(event_url)
    ops.get_by_role("link", name="洽谈排程").click()
    ops.get_by_label("洽谈桌数").fill("5")
    ops.get_by_role("button", name="保存设置").click()
    expect(ops.locator("body")).to_contain_text("洽谈设置已保存")

    # a company and an investor register; the investor books a meeting with the company, who accepts
    buyer = open_as(company)
    buyer.goto(event_url)
    buyer.get_by_role("button", name="报名参加").click()
    expect(buyer.locator("body")).to_contain_text("报名成功")
    shot(buyer, "4-company-registered")
    money = open_as(investor)
    money.goto(event_url)
    money.get_by_role("button", name="报名参加").click()
    money.get_by_role("link", name="一对一洽谈").click()
    money.get_by_role("button", name="向 赵经理 预约洽谈").click()
    expect(money.locator("body")).to_contain_text("洽谈预约已发出")
    shot(money, "5-investor-books-meeting")
    buyer.get_by_role("link", name="一对一洽谈").click()
    buyer.get_by_role("button", name="接受").click()
    expect(buyer.locator("body")).to_contain_text("已接受洽谈预约")

    # the schedule runs
    ops.get_by_role("button", name="自动排程").click()
    expect(ops.locator("body")).to_contain_text("已安排 1 场洽谈")
    shot(ops, "6-schedule")

    # the company sees its agenda and downloads the .ics
    buyer.reload()
    expect(buyer.locator("body")).to_contain_text("钱投资")
    shot(buyer, "7-company-agenda")
    with buyer.expect_download() as info:
        buyer.get_by_role("link", name="下载日历文件（.ics）").click()
    cal = Calendar.from_ical(Path(info.value.path()).read_bytes())
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert len(cal.walk("VEVENT")) == 2

    # the operator assigns the expert, who scores the presenter
    ops.goto(event_url)
    ops.get_by_role("link", name="专家评审").click()
    presenter = ops.locator("section.card").filter(has_text="高性能稀土永磁电机控制技术")
    presenter.get_by_role("button", name="指派").click()
    expect(ops.locator("body")).to_contain_text("已指派专家 周专家")
    reviewer = open_as(expert)
    reviewer.get_by_role("link", name="我的评审任务").first.click()
    reviewer.get_by_role("link", name="高性能稀土永磁电机控制技术").click()
    for label, value in (("技术先进性", "8"), ("成熟度", "7"), ("市场前景", "9"), ("团队", "7"), ("投资价值", "8")):
        reviewer.get_by_label(label, exact=True).fill(value)
    reviewer.get_by_label("评审意见").fill("控制算法先进，建议尽快中试放大。")
    shot(reviewer, "8-expert-score-sheet")
    reviewer.get_by_role("button", name="提交评分").click()
    expect(reviewer.locator("body")).to_contain_text("评分已提交")

    # the operator checks the company in and records an outcome
    ops.goto(event_url)
    ops.get_by_role("link", name="签到名单").click()
    ops.get_by_role("button", name="为 赵经理 签到").click()
    expect(ops.locator("body")).to_contain_text("已签到 1 / 2 人")
    shot(ops, "9-check-in")
    ops.goto(event_url)
    ops.get_by_role("link", name="活动报告与成果").click()
    ops.get_by_label("成果类型").select_option(label="签约意向")
    ops.get_by_label("金额（万元，选填）").fill("300")
    ops.get_by_label("说明").fill("签订技术许可意向书")
    ops.get_by_role("button", name="登记").click()
    expect(ops.locator("body")).to_contain_text("签约意向金额合计 300 万元")
    expect(ops.locator("#chart-roles svg")).to_have_count(1)  # ECharts drew the chart
    shot(ops, "10-report")
