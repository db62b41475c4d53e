"""Public browsing, detail pages and their confidential tier, organisation pages."""

import re
from decimal import Decimal

from marketplace.extensions import db
from marketplace.listings.attachments import Upload, store_uploads


def titles(page):
    return re.findall(r'<h2 class="h6 mb-1"><a href="[^"]+">([^<]+)</a>', page)


def test_lists_show_only_published_listings_of_their_kind(client, factory):
    factory.listing("achievement", title="已发布成果")
    factory.listing("achievement", status="draft", title="草稿成果")
    factory.listing("achievement", status="submitted", title="待审成果")
    factory.listing("need", title="已发布需求")
    page = client.get("/achievements").get_data(as_text=True)
    assert titles(page) == ["已发布成果"]
    assert titles(client.get("/needs").get_data(as_text=True)) == ["已发布需求"]


def test_filters_by_industry_region_maturity_mode_programme_and_band(client, factory):
    factory.listing(
        "achievement",
        title="甲",
        industry="ai",
        region="ganzhou",
        maturity="lab",
        cooperation_modes=["equity"],
        source_programme="nsfc",
        price_wan=Decimal("5"),
    )
    factory.listing(
        "achievement",
        title="乙",
        industry="ai",
        region="nanchang",
        maturity="pilot",
        cooperation_modes=["transfer", "license"],
        source_programme="national_03",
        price_wan=Decimal("80"),
    )
    factory.listing(
        "achievement",
        title="丙",
        industry="tcm",
        region="nanchang",
        maturity="pilot",
        cooperation_modes=["license"],
        price_negotiable=True,
    )

    def found(query):
        return sorted(titles(client.get("/achievements?" + query).get_data(as_text=True)))

    assert found("industry=ai") == ["乙", "甲"]
    assert found("industry=ai&region=nanchang") == ["乙"]
    assert found("maturity=pilot") == ["丙", "乙"]
    assert found("mode=license") == ["丙", "乙"]
    assert found("mode=equity") == ["甲"]
    assert found("programme=nsfc") == ["甲"]
    assert found("band=b50_100") == ["乙"]
    assert found("band=lt10") == ["甲"]
    assert found("band=negotiable") == ["丙"]
    assert found("industry=no-such-code") == ["丙", "乙", "甲"]  # unknown codes are ignored


def test_price_sort_puts_negotiable_last_both_ways(client, factory):
    factory.listing("achievement", title="面议", price_negotiable=True)
    factory.listing("achievement", title="十万", price_wan=Decimal("10"))
    factory.listing("achievement", title="三百万", price_wan=Decimal("300"))
    factory.listing("achievement", title="一万", price_wan=Decimal("1"))
    assert titles(client.get("/achievements?sort=price_asc").get_data(as_text=True)) == [
        "一万",
        "十万",
        "三百万",
        "面议",
    ]
    assert titles(client.get("/achievements?sort=price_desc").get_data(as_text=True)) == [
        "三百万",
        "十万",
        "一万",
        "面议",
    ]
    assert titles(client.get("/achievements").get_data(as_text=True))[0] == "一万"  # newest first by default


def test_pagination(client, factory, app):
    app.config["LISTINGS_PER_PAGE"] = 2
    for i in range(5):
        factory.listing("need", title=f"需求{i}")
    first = client.get("/needs").get_data(as_text=True)
    assert titles(first) == ["需求4", "需求3"]
    assert "共 5 条，第 1/3 页" in first
    assert titles(client.get("/needs?page=3").get_data(as_text=True)) == ["需求0"]
    assert client.get("/needs?page=abc").status_code == 200


def test_active_filters_show_as_chips_and_empty_state_offers_to_clear(client, factory):
    factory.listing("achievement", industry="ai")
    page = client.get("/achievements?industry=tcm&region=ganzhou").get_data(as_text=True)
    assert "中医药" in page and "赣州" in page
    assert "没有符合这些条件的内容。" in page
    assert 'href="/achievements">清除全部筛选' in page
    assert "/achievements?region=ganzhou" in page  # the 中医药 chip removes only its own filter
    assert "暂无已发布的技术需求。" in client.get("/needs").get_data(as_text=True)


def _with_attachment(listing):
    store_uploads(listing, [Upload("检测报告.pdf", "application/pdf", b"%PDF-1.4 test")], listing.owner)
    db.session.commit()
    return listing.attachments[0].id


def test_confidential_tier_hidden_from_visitors_and_unverified_members(client, factory, login):
    listing = factory.listing(
        "achievement",
        description="保密工艺参数ABC",
        ip_numbers="ZL2019123",
        contact_name="李联系",
        contact_phone="13900000000",
    )
    attachment_id = _with_attachment(listing)
    url = f"/achievements/{listing.id}"

    page = client.get(url).get_data(as_text=True)
    assert "保密工艺参数ABC" not in page and "ZL2019123" not in page and "检测报告.pdf" not in page
    assert "仅向已通过实名认证机构的会员开放" in page
    assert client.get(f"/attachments/{attachment_id}").status_code == 403

    login(factory.user("company", org=factory.org(org_type="enterprise", verified=False)))
    page = client.get(url).get_data(as_text=True)
    assert "保密工艺参数ABC" not in page and "检测报告.pdf" not in page
    assert "您所在的机构尚未通过实名认证" in page
    assert client.get(f"/attachments/{attachment_id}").status_code == 403

    login(factory.user("company"))  # verified organisation
    page = client.get(url).get_data(as_text=True)
    assert "保密工艺参数ABC" in page and "ZL2019123" in page and "检测报告.pdf" in page
    assert "李联系" not in page and "13900000000" not in page  # contact: owner and operators only
    assert client.get(f"/attachments/{attachment_id}").status_code == 200

    login(listing.owner)
    assert "13900000000" in client.get(url).get_data(as_text=True)
    login(factory.user("operator"))
    assert "13900000000" in client.get(url).get_data(as_text=True)


def test_unpublished_listings_are_404_to_others_but_shown_to_owner_and_operators(client, factory, login):
    draft = factory.listing("need", status="submitted", title="待审需求")
    assert client.get(f"/needs/{draft.id}").status_code == 404
    login(factory.user("company"))
    assert client.get(f"/needs/{draft.id}").status_code == 404
    login(draft.owner)
    page = client.get(f"/needs/{draft.id}").get_data(as_text=True)
    assert "待审需求" in page and "已提交，等待运营人员审核" in page and "处理记录" in page
    login(factory.user("operator"))
    assert client.get(f"/needs/{draft.id}").status_code == 200
    assert client.get(f"/achievements/{draft.id}").status_code == 404  # kind must match
    assert client.get("/needs/999999").status_code == 404


def test_hidden_company_name_shows_as_some_company_except_to_owner_and_operators(client, factory, login):
    company = factory.user("company", org=factory.org(org_type="enterprise", name="保密电子有限公司"))
    need = factory.listing("need", owner=company, hide_org_name=True, title="匿名需求")
    factory.listing("need", owner=company, title="公开需求")
    assert "保密电子有限公司" not in client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "某企业" in client.get(f"/needs/{need.id}").get_data(as_text=True)
    listing_page = client.get("/needs").get_data(as_text=True)
    assert listing_page.count("保密电子有限公司") == 1  # only on the other need's card
    org_page = client.get(f"/orgs/{company.organisation_id}").get_data(as_text=True)
    assert "公开需求" in org_page and "匿名需求" not in org_page
    login(company)
    assert "保密电子有限公司" in client.get(f"/needs/{need.id}").get_data(as_text=True)


def test_organisation_page_shows_profile_and_published_listings(client, factory):
    org = factory.org(name="南昌大学", qualifications=[], description="综合性大学")
    owner = factory.user("researcher", org=org)
    factory.listing("achievement", owner=owner, title="公开成果")
    factory.listing("achievement", owner=owner, status="draft", title="草稿成果")
    page = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "南昌大学" in page and "已实名认证" in page and "高校" in page and "南昌" in page
    assert "公开成果" in page and "草稿成果" not in page
    assert client.get("/orgs/999999").status_code == 404


def test_owner_sees_the_actions_on_a_draft(client, factory, login):
    listing = factory.listing("achievement", status="draft")
    login(listing.owner)
    page = client.get(f"/achievements/{listing.id}").get_data(as_text=True)
    assert "提交审核" in page and "删除草稿" in page and "data-confirm" in page


def test_download_of_missing_attachment_is_404(client):
    assert client.get("/attachments/999999").status_code == 404


def test_attachment_of_unpublished_listing_is_404_for_others(client, factory, login):
    listing = factory.listing("achievement", status="draft")
    attachment_id = _with_attachment(listing)
    login(factory.user("company"))
    assert client.get(f"/attachments/{attachment_id}").status_code == 404
    login(listing.owner)
    assert client.get(f"/attachments/{attachment_id}").status_code == 200


def test_a_card_shows_an_edit_at_once_in_either_language(client, factory):
    """List cards are reused between page views: an edit (title, organisation name, tags) shows at once."""
    listing = factory.listing("achievement", title="旧标题成果", industry="ai", tags=["石墨烯"])
    page = client.get("/achievements").get_data(as_text=True)
    assert titles(page) == ["旧标题成果"] and "石墨烯" in page
    listing.title = "新标题成果"
    listing.organisation.name = "改名后的大学"
    db.session.commit()
    page = client.get("/achievements").get_data(as_text=True)
    assert titles(page) == ["新标题成果"]
    assert "改名后的大学" in page
    english = cards(client.get("/achievements?lang=en").get_data(as_text=True))
    assert "新标题成果" in english and "Artificial intelligence" in english and "人工智能" not in english
    chinese = cards(client.get("/achievements?lang=zh").get_data(as_text=True))
    assert "人工智能" in chinese and "Artificial intelligence" not in chinese


def cards(page):
    return page.split('<ul class="list-group')[1].split("</ul>")[0]
