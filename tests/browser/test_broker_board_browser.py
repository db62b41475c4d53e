"""A broker's introduction from the operators' board: the operator filters the board and assigns a broker, the
broker introduces the two sides from 我的撮合, and contact details appear only once both sides agreed."""

from playwright.sync_api import expect

NEED = "寻求陶瓷窑炉余热回收技术"
ACH = "陶瓷辊道窑余热梯级利用技术"


def _pair(live_server, company_email, researcher_email, broker_email):
    """A published need and achievement in 景德镇 and their stored suggestion (the board's strongest pair)."""
    from marketplace.accounts.models import User
    from marketplace.listings.models import Achievement, Need
    from marketplace.matching.models import Suggestion
    from marketplace.models_base import utcnow

    with live_server.app_context() as session:
        company = session.query(User).filter_by(email=company_email).one()
        researcher = session.query(User).filter_by(email=researcher_email).one()
        company.phone, researcher.phone = "0798-82220001", "0798-82220002"
        session.query(User).filter_by(email=broker_email).one().role = "broker"
        common = dict(industry="energy_env", region="jingdezhen", status="published", published_at=utcnow())
        need = Need(title=NEED, summary="陶瓷窑炉排烟温度高，需要余热回收方案。", owner=company, **common)
        need.organisation = company.organisation
        ach = Achievement(
            title=ACH, summary="辊道窑余热梯级利用，节能 20%。", owner=researcher, maturity="industrial", **common
        )
        ach.organisation = researcher.organisation
        session.add_all([need, ach])
        session.flush()
        session.add(Suggestion(listing_id=need.id, candidate_id=ach.id, rank=1, score=99.0, percent=96, factors=[]))
        session.commit()


def test_a_broker_introduces_a_strong_pair_and_both_consent(live_server, browser, page, sign_in, screenshot):
    company_email, password = live_server.create_user("company", name="陶经理")
    researcher_email, _ = live_server.create_user("researcher", name="窑教授")
    broker_email, _ = live_server.create_user("researcher", name="钱经纪")
    operator_email, _ = live_server.create_operator()
    _pair(live_server, company_email, researcher_email, broker_email)

    # The operator filters the board by city and assigns the broker to the pair.
    sign_in(page, operator_email, password)
    page.goto(live_server.url("/matches/board"))
    page.get_by_label("地市").select_option("jingdezhen")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("tr", has_text=NEED)
    row.locator("select[name=broker_id]").select_option(label="钱经纪")
    row.get_by_role("button", name="指派经纪人").click()
    expect(page.locator("tr", has_text=NEED)).to_contain_text("已指派经纪人")
    screenshot("1-board-assigned")

    # The broker introduces the two sides from 我的撮合.
    broker = browser.new_context(locale="zh-CN").new_page()
    sign_in(broker, broker_email)
    broker.goto(live_server.url("/broker/desk"))
    broker.locator("tr", has_text=NEED).get_by_role("link", name="引荐双方").click()
    broker.get_by_label("意向合作方式").select_option("service")
    broker.get_by_label("预算范围").select_option("from_50")
    broker.get_by_label("预期时间").select_option("within_6m")
    broker.get_by_label("留言").fill("两位好：该余热利用技术与贵方需求高度吻合，建议洽谈。")
    broker.get_by_role("button", name="发出引荐").click()
    expect(broker.locator("#introduction")).to_contain_text("钱经纪")
    inquiry_url = broker.url

    # The company agrees first: still no contact details on either side.
    company = browser.new_context(locale="zh-CN").new_page()
    sign_in(company, company_email)
    company.goto(inquiry_url)
    expect(company.locator("#contacts")).not_to_contain_text("0798-82220002")
    company.get_by_role("button", name="同意引荐").click()
    expect(company.locator("#introduction")).to_contain_text("需求方：已同意")
    expect(company.locator("#contacts")).not_to_contain_text("0798-82220002")

    # The researcher agrees: both see each other's contact details.
    researcher = browser.new_context(locale="zh-CN").new_page()
    sign_in(researcher, researcher_email)
    researcher.goto(inquiry_url)
    researcher.get_by_role("button", name="同意引荐").click()
    expect(researcher.locator("#contacts")).to_contain_text("0798-82220001")
    page.goto(inquiry_url)  # the operator's view of the opened introduction
    expect(page.locator("#inquiry-status")).to_have_text("已接受")
    screenshot("2-introduction-accepted")
    company.goto(inquiry_url)
    expect(company.locator("#contacts")).to_contain_text("0798-82220002")
    for other in (broker, company, researcher):
        other.context.close()
