"""The main journey of contact and deals: a company finds an achievement in its suggestions, sends an interest,
signs the NDA, the researcher accepts, they exchange a message with an attachment, an operator assigns a broker,
the deal goes to 已登记, and the operator's funnel chart shows it."""

from pathlib import Path

from playwright.sync_api import expect


def _market(live_server, company_email, researcher_email, broker_email):
    from marketplace.accounts.models import User
    from marketplace.inquiries.models import NdaRequirement
    from marketplace.listings.changes import record_change
    from marketplace.listings.models import Achievement, Need, Tag
    from marketplace.models_base import utcnow

    with live_server.app_context() as session:
        company = session.query(User).filter_by(email=company_email).one()
        researcher = session.query(User).filter_by(email=researcher_email).one()
        researcher.phone = "0791-86660000"
        session.query(User).filter_by(email=broker_email).one().role = "broker"
        tags = [session.query(Tag).filter_by(name=n).one_or_none() or Tag(name=n) for n in ("稀土", "永磁电机")]
        need = Need(
            title="寻求稀土永磁电机节能技术",
            summary="需要高效稀土永磁电机设计与制造技术，用于空压机节能改造。",
            industry="new_materials",
            region="ganzhou",
            status="published",
            published_at=utcnow(),
            owner=company,
            organisation=company.organisation,
            tags=tags,
        )
        ach = Achievement(
            title="高效稀土永磁电机设计与制造技术",
            summary="稀土永磁电机效率达到 IE5，适用于空压机、水泵节能改造。",
            description="保密：定子冲片工艺参数与磁钢配方。",
            industry="new_materials",
            region="ganzhou",
            status="published",
            published_at=utcnow(),
            owner=researcher,
            organisation=researcher.organisation,
            maturity="industrial",
            tags=tags,
        )
        session.add_all([need, ach])
        session.flush()
        session.add(NdaRequirement(listing_id=ach.id, set_by_id=researcher.id))
        for listing in (need, ach):
            record_change(listing.id)
        session.commit()
        return ach.id


def test_from_suggestion_to_registered_contract(live_server, browser, page, sign_in, screenshot, sample_pdf):
    company_email, password = live_server.create_user("company", name="王经理")
    researcher_email, _ = live_server.create_user("researcher", name="李教授")
    broker_email, _ = live_server.create_user("researcher", name="赵经纪")
    operator_email, _ = live_server.create_operator()
    ach_id = _market(live_server, company_email, researcher_email, broker_email)
    live_server.flask("match", "refresh")

    # The company finds the achievement among its suggestions and sends an interest.
    sign_in(page, company_email, password)
    page.goto(live_server.url("/matches/"))
    card = page.locator("li[data-suggestion]").filter(has_text="高效稀土永磁电机设计与制造技术")
    card.get_by_role("link", name="发送合作意向").click()
    page.get_by_label("意向合作方式").select_option("license")
    page.get_by_label("预算范围").select_option("from_200")
    page.get_by_label("预期时间").select_option("within_6m")
    page.get_by_label("留言").fill("我们计划在空压机产品线上使用该电机技术，希望洽谈技术许可。")
    screenshot("1-interest-form")
    page.get_by_role("button", name="发送", exact=True).click()
    expect(page.locator("#inquiry-status")).to_have_text("待答复")
    expect(page.locator("#contacts")).not_to_contain_text("0791-86660000")
    screenshot("2-interest-sent")

    # The detailed tier needs the NDA: the company signs it and reads the confidential text.
    page.goto(live_server.url(f"/achievements/{ach_id}"))
    expect(page.locator("#nda-gate")).to_be_visible()
    page.get_by_role("link", name="阅读并签署保密协议").click()
    page.get_by_label("我已阅读并同意以上保密协议").check()
    screenshot("3-nda")
    page.get_by_role("button", name="签署并查看详细资料").click()
    expect(page.locator("body")).to_contain_text("定子冲片工艺参数与磁钢配方")

    # The researcher accepts; contact details open on both sides.
    researcher = browser.new_context(locale="zh-CN").new_page()
    sign_in(researcher, researcher_email)
    expect(researcher.locator("nav")).to_contain_text("洽谈")
    researcher.goto(live_server.url("/inbox?box=received"))
    researcher.get_by_role("link", name="高效稀土永磁电机设计与制造技术").click()
    expect(researcher.locator("#contacts")).not_to_contain_text("王经理")
    researcher.get_by_role("button", name="接受意向").click()
    expect(researcher.locator("#contacts")).to_contain_text("王经理")
    inquiry_url = researcher.url.split("#")[0]

    # They exchange a message with an attachment; the reader's receipt shows.
    page.goto(inquiry_url)
    expect(page.locator("#contacts")).to_contain_text("0791-86660000")
    page.get_by_label("消息").fill("附上我们的空压机参数，请查收。")
    page.locator("#thread input[type=file]").set_input_files(str(sample_pdf))
    page.get_by_role("button", name="发送消息").click()
    expect(page.locator("#thread")).to_contain_text("附上我们的空压机参数")
    researcher.goto(inquiry_url)
    expect(researcher.locator("#thread")).to_contain_text(sample_pdf.name)
    researcher.get_by_label("消息").fill("收到，下周安排样机测试。")
    researcher.get_by_role("button", name="发送消息").click()
    page.goto(inquiry_url)
    expect(page.locator(".read-receipt").first).to_have_text("已读")
    screenshot("4-thread")

    # An operator assigns a broker.
    operator = browser.new_context(locale="zh-CN").new_page()
    sign_in(operator, operator_email)
    operator.goto(inquiry_url)
    broker_value = operator.locator("#broker_id option", has_text="赵经纪").get_attribute("value")
    operator.locator("#broker_id").select_option(broker_value)
    operator.get_by_role("button", name="指派").click()
    expect(operator.locator("#broker")).to_contain_text("赵经纪")

    # The deal goes to 已登记.
    researcher.goto(inquiry_url)
    researcher.get_by_role("button", name="确认意向达成").click()
    researcher.get_by_role("button", name="确认已签约").click()
    researcher.get_by_label("合同类型").select_option("license")
    researcher.get_by_label("合同金额（万元）").fill("120.50")
    researcher.get_by_label("签订日期").fill("2026-11-20")
    researcher.get_by_label("登记编号").fill("2026360100009999")
    researcher.get_by_role("button", name="提交登记信息").click()
    expect(researcher.locator("#deal-stage")).to_have_text("已登记")
    expect(researcher.locator("#contract")).to_contain_text("120.50 万元")
    researcher.screenshot(path=str(_shot_path(page, "5-registered")), full_page=True)

    # The operator's funnel shows the registered contract, chart and table.
    operator.goto(live_server.url("/ops/analytics"))
    expect(operator.locator("#chart-funnel canvas")).to_have_count(1)
    expect(operator.locator("#table-funnel")).to_contain_text("已登记")
    last_row = operator.locator("#table-funnel tbody tr").last
    expect(last_row.locator("td").nth(1)).to_have_text("1")
    operator.screenshot(path=str(_shot_path(page, "6-funnel")), full_page=True)
    researcher.context.close()
    operator.context.close()


def _shot_path(page, step):
    """Screenshots of the other participants' pages, next to the test's own."""
    folder = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"test_from_suggestion_to_registered_contract-{step}.png"
