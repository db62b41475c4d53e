"""Search as users see it: recall on tricky Chinese, phrases, facets that agree with the database,
visibility rules, confidential text, escaping, the page itself."""

from collections import Counter
from datetime import date, timedelta

import pytest

from marketplace.extensions import db
from marketplace.listings.changes import record_change
from marketplace.listings.models import Listing
from marketplace.search import services


def found(q, **kwargs):
    return {hit.listing_id for hit in services.search(q=q, **kwargs).hits}


@pytest.fixture
def tricky(factory):
    return {
        "graphene": factory.listing(title="石墨烯电池研究", summary="高倍率负极材料。").id,
        "nbiot": factory.listing(kind="need", title="窄带物联网(NB-IoT)水表模组", summary="低功耗广域网接入。").id,
        "prc": factory.listing(title="法规汇编", summary="依据中华人民共和国促进科技成果转化法。").id,
        "meter": factory.listing(title="智能水务平台", summary="支持远程抄表与漏损分析。").id,
    }


@pytest.mark.parametrize(
    "q,key",
    [
        ("石墨烯", "graphene"),
        ("NB-IoT", "nbiot"),
        ("nb-iot", "nbiot"),
        ("人民共和国", "prc"),
        ('"远程抄表"', "meter"),
        ("物联网", "nbiot"),
        ("IoT", "nbiot"),
        ("抄表", "meter"),
    ],
)
def test_recall_on_tricky_chinese(tricky, q, key):
    assert tricky[key] in found(q)


def test_quoted_phrase_needs_the_words_together(factory):
    together = factory.listing(title="平台A", summary="提供远程抄表服务。").id
    apart = factory.listing(title="平台B", summary="远程教育，人工抄表。").id
    assert found('"远程抄表"') == {together}
    assert {together, apart} <= found("远程 抄表")


def test_listings_with_every_word_come_first_then_those_with_some(factory, client):
    both = factory.listing(title="石墨烯散热膜", summary="用于5G基站。").id
    one = factory.listing(title="石墨烯涂料", summary="防腐。").id
    result = services.search(q="石墨烯 5G")
    assert [h.listing_id for h in result.hits] == [both, one]
    assert [h.partial for h in result.hits] == [False, True]
    assert result.full_total == 1 and result.total == 2
    page = client.get("/search/?q=石墨烯+5G").get_data(as_text=True)
    assert "以下结果只包含部分关键词" in page
    result = services.search(q="石墨烯 不存在的词汇组合")
    assert result.partial and result.full_total == 0 and {both, one} <= {h.listing_id for h in result.hits}


def test_synonyms(factory):
    rare = factory.listing(title="稀土永磁电机", summary="高效节能。").id
    assert rare in found("rare earth")
    ai = factory.listing(title="人工智能质检", summary="视觉检测。").id
    assert ai in found("AI")


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "withdrawn", "expired"])
def test_only_published_listings_are_found(factory, status):
    factory.listing(title="钨粉制备工艺", status=status)
    assert found("钨粉") == set()


def test_a_listing_that_stops_being_public_leaves_the_index(factory):
    listing = factory.listing(title="脐橙保鲜技术")
    assert listing.id in found("脐橙")
    listing.status = "withdrawn"
    record_change(listing.id)
    db.session.commit()
    assert found("脐橙") == set()


def test_past_valid_until_is_not_found(factory):
    factory.listing(title="油茶深加工", valid_until=date.today() - timedelta(days=1))
    assert found("油茶") == set()


def test_confidential_text_is_never_indexed_or_shown(factory, client):
    listing = factory.listing(
        title="陶瓷膜过滤",
        summary="公开的简介。",
        description="机密配方紫罗兰七号",
        ip_numbers="ZL202410000001",
        contact_phone="13900000000",
    )
    assert found("紫罗兰") == set()
    assert found("ZL202410000001") == set()
    assert found("13900000000") == set()
    page = client.get("/search/?q=陶瓷膜")
    assert page.status_code == 200
    assert "公开的简介" in page.text and "紫罗兰" not in page.text and "13900000000" not in page.text
    assert listing.id in found("陶瓷膜")


def test_results_are_escaped_and_highlighted(factory, client):
    factory.listing(title="<script>alert('x')</script>石墨烯导热", summary="<img src=x onerror=alert(1)>")
    page = client.get("/search/?q=石墨烯")
    assert page.status_code == 200
    assert "<script>alert('x')</script>" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "<mark>石墨烯</mark>" in page.text


def test_a_hits_tag_links_to_a_search_for_that_tag(factory, client):
    import html
    import re

    listing = factory.listing(title="稀土永磁同步电机", tags=["稀土永磁", "A&B 测试"])
    page = client.get("/search/?q=同步电机").get_data(as_text=True)
    links = dict(
        (html.unescape(text), html.unescape(href))
        for href, text in re.findall(r'<a class="badge[^"]*" href="([^"]+)">([^<]+)</a>', page)
    )
    assert set(links) >= {"稀土永磁", "A&B 测试"}
    for tag in ("稀土永磁", "A&B 测试"):
        followed = client.get(links[tag])
        assert followed.status_code == 200
        assert f'data-listing-id="{listing.id}"' in followed.get_data(as_text=True)
        assert html.escape(tag) in followed.get_data(as_text=True)  # the tag is the query searched for


def _make_catalogue(factory):
    owner = factory.user("researcher")
    specs = [
        dict(
            industry="new_materials",
            region="ganzhou",
            maturity="pilot",
            cooperation_modes=["transfer"],
            source_programme="national_03",
            price_wan=5,
        ),
        dict(
            industry="new_materials",
            region="nanchang",
            maturity="industrial",
            cooperation_modes=["license"],
            source_programme="nsfc",
            price_wan=80,
        ),
        dict(
            industry="mobile_iot",
            region="ganzhou",
            maturity="lab",
            cooperation_modes=["transfer", "equity"],
            source_programme="national_03",
            price_wan=None,
            price_negotiable=True,
        ),
        dict(
            industry="mobile_iot",
            region="jiujiang",
            maturity="pilot",
            cooperation_modes=["co_develop"],
            source_programme="other",
            price_wan=600,
        ),
        dict(
            industry="ai",
            region="ganzhou",
            maturity="pilot",
            cooperation_modes=["license", "service"],
            source_programme="nsfc",
            price_wan=30,
        ),
    ]
    for i, spec in enumerate(specs * 2):
        factory.listing(
            owner=owner, title=f"检测装置{i}", summary="含关键词光谱检测。" if i % 2 else "普通介绍。", **spec
        )
    factory.listing(
        kind="need",
        title="需求：光谱检测仪",
        summary="光谱检测",
        industry="ai",
        region="ganzhou",
        cooperation_modes=["co_develop"],
    )
    factory.listing(title="草稿光谱检测", status="draft", industry="ai", region="ganzhou")


def _db_counts(column, **where):
    query = db.select(Listing).where(Listing.status == "published")
    for name, value in where.items():
        query = query.where(getattr(Listing, name) == value)
    rows = db.session.execute(query).scalars().all()
    if column == "coop":
        return Counter(code for row in rows for code in row.cooperation_modes)
    if column == "price_band":
        return Counter(row.price_band for row in rows)
    return Counter(getattr(row, column) for row in rows if getattr(row, column))


def test_facet_counts_equal_database_counts(factory):
    _make_catalogue(factory)
    result = services.search(q="")
    for facet, column in [
        ("kind", "kind"),
        ("industry", "industry"),
        ("region", "region"),
        ("coop", "coop"),
        ("maturity", "maturity"),
        ("source_programme", "source_programme"),
        ("price_band", "price_band"),
    ]:
        assert dict(result.facets[facet]) == dict(_db_counts(column)), facet
    # drill-down: a region filter narrows the other facets, its own counts stay those of the other filters
    filtered = services.search(q="", filters={"region": {"ganzhou"}})
    assert dict(filtered.facets["industry"]) == dict(_db_counts("industry", region="ganzhou"))
    assert dict(filtered.facets["region"]) == dict(_db_counts("region"))
    assert filtered.total == sum(_db_counts("kind", region="ganzhou").values())


def test_facet_counts_with_a_query_match_the_database(factory):
    """Facets count every listing shown: those with the whole word, then (fewer than 100 of those) the ones with
    a part of it (检测 of 光谱检测)."""
    _make_catalogue(factory)
    result = services.search(q="光谱检测", filters={"kind": {"achievement"}})
    published = list(db.session.execute(db.select(Listing).where(Listing.status == "published")).scalars())
    whole = [row for row in published if "光谱检测" in row.title + row.summary]
    shown = [row for row in published if "光谱" in row.title + row.summary or "检测" in row.title + row.summary]
    assert result.full_total == sum(1 for row in whole if row.kind == "achievement")
    assert result.total == sum(1 for row in shown if row.kind == "achievement")
    assert dict(result.facets["kind"]) == dict(Counter(row.kind for row in shown))
    expected = Counter(row.industry for row in shown if row.kind == "achievement")
    assert dict(result.facets["industry"]) == dict(expected)


def test_cooperation_filter_is_multi_valued(factory):
    _make_catalogue(factory)
    result = services.search(q="", filters={"coop": {"equity", "service"}})
    assert result.total == 4  # (transfer, equity) and (license, services), twice each
    assert all({"equity", "service"} & set(hit.listing.cooperation_modes) for hit in result.hits)


def test_sort_by_price_and_newest(factory):
    _make_catalogue(factory)
    prices = [hit.listing.price_wan for hit in services.search(q="", sort="price_asc").hits]
    priced = [float(p) for p in prices if p is not None]
    assert priced == sorted(priced) and prices[-1] is None  # 面议 last
    desc = [float(h.listing.price_wan) for h in services.search(q="", sort="price_desc").hits if h.listing.price_wan]
    assert desc == sorted(desc, reverse=True)
    newest = [hit.listing.published_at for hit in services.search(q="", sort="newest").hits]
    assert newest == sorted(newest, reverse=True)


def test_pagination(factory, client, app):
    app.config["SEARCH_PER_PAGE"] = 5
    _make_catalogue(factory)
    first = services.search(q="", per_page=5, page=1)
    second = services.search(q="", per_page=5, page=2)
    assert first.total == 11 and first.pages == 3
    assert not {h.listing_id for h in first.hits} & {h.listing_id for h in second.hits}
    page = client.get("/search/?page=2")
    assert page.status_code == 200 and "下一页" in page.text


def test_search_page_tabs_facets_and_links(factory, client):
    _make_catalogue(factory)
    page = client.get("/search/?q=光谱检测&kind=need")
    assert page.status_code == 200
    assert "需求：" in page.text and "检测装置1" not in page.text  # the title is shown with marks inside
    assert "科技成果" in page.text and "行业领域" in page.text
    page = client.get("/search/?q=光谱检测&industry=ai&region=ganzhou&coop=service")
    assert page.status_code == 200


def test_empty_state_offers_to_drop_filters_and_related_tags(factory, client):
    factory.listing(title="稀土永磁材料", industry="new_materials", tags=["稀土永磁"])
    page = client.get("/search/?q=稀土&industry=ai")
    assert page.status_code == 200
    assert "没有找到" in page.text
    assert "去掉“行业领域”筛选" in page.text
    page = client.get("/search/?q=永磁电机")
    assert "稀土永磁" in page.text


def test_bad_filter_values_and_pages_are_ignored(factory, client):
    factory.listing(title="钛合金")
    for url in [
        "/search/?industry=nope&page=abc",
        "/search/?page=-3&sort=bogus",
        "/search/?kind=<x>",
        "/search/?page=999999999999999999999",
    ]:
        assert client.get(url).status_code == 200, url


def test_browsing_sees_new_and_withdrawn_listings(factory):
    first = factory.listing(title="浏览甲")
    assert services.search(q="").total == 1
    second = factory.listing(title="浏览乙")
    assert [hit.listing_id for hit in services.search(q="", sort="newest").hits] == [second.id, first.id]
    first.status = "withdrawn"
    record_change(first.id)
    db.session.commit()
    assert [hit.listing_id for hit in services.search(q="").hits] == [second.id]


@pytest.mark.parametrize("bm25_limit", [3000, 1])  # 1: large hit sets are ranked by field weights instead
def test_relevance_prefers_title_matches(factory, monkeypatch, bm25_limit):
    from marketplace.search import engine

    monkeypatch.setattr(engine, "BM25_LIMIT", bm25_limit)
    in_text = factory.listing(title="水处理工艺", summary="采用陶瓷膜过滤的方法。").id
    in_title = factory.listing(title="陶瓷膜过滤装置", summary="一种新装置。").id
    factory.listing(title="无关成果", summary="无关内容。")
    result = services.search(q="陶瓷膜")
    assert [hit.listing_id for hit in result.hits] == [in_title, in_text]
    assert services.search(q="陶瓷膜", page=1, per_page=1).hits[0].listing_id == in_title


@pytest.mark.parametrize("bm25_limit", [3000, 1])
def test_a_word_that_begins_a_phrase_of_the_title_ranks_above_one_that_ends_a_longer_term(
    factory, monkeypatch, bm25_limit
):
    """分析: a listing titled … 的提取与分析 is about analysis; one titled 弦线共振分析 about resonance analysis (the
    word after another word is the head of a longer term). Same text, and the second title is shorter and newer."""
    from marketplace.search import engine

    monkeypatch.setattr(engine, "BM25_LIMIT", bm25_limit)
    begins = factory.listing(title="茶多糖的提取与分析", summary="一种新方法。").id
    ends = factory.listing(title="弦线共振分析", summary="一种新方法。").id
    assert [hit.listing_id for hit in services.search(q="分析").hits] == [begins, ends]


def test_a_compound_word_finds_listings_with_part_of_it_after_those_with_all_of_it(factory):
    """有限元法: listings that write only 有限元 come after the one with the whole word, marked as partial."""
    whole = factory.listing(title="桁架分析", summary="采用有限元法计算应力。").id
    part = factory.listing(title="桥梁模型", summary="建立有限元模型。").id
    factory.listing(title="无关成果", summary="一种新方法。")
    result = services.search(q="有限元法")
    assert [hit.listing_id for hit in result.hits] == [whole, part]
    assert [hit.partial for hit in result.hits] == [False, True]
    assert result.full_total == 1 and result.total == 2


def test_a_query_word_cut_apart_alone_finds_listings_that_have_it_whole(factory):
    """小波变换 typed alone is cut 小 波 变换; listings have 小波 as one word (小波去噪): they are partial matches."""
    whole = factory.listing(title="小波变换用于信号分析", summary="提取特征。").id
    part = factory.listing(title="图像的小波去噪研究", summary="抑制噪声。").id
    factory.listing(title="无关成果", summary="一种新方法。")
    result = services.search(q="小波变换")
    assert [hit.listing_id for hit in result.hits] == [whole, part]
    assert [hit.partial for hit in result.hits] == [False, True]


def test_a_whole_typed_word_comes_before_a_part_of_one(factory):
    """石墨烯 散热膜: after the listing with both, one with the whole of 石墨烯 comes before one with only the 散热
    of 散热膜."""
    both = factory.listing(title="石墨烯散热膜", summary="用于手机。").id
    graphene = factory.listing(title="石墨烯涂料", summary="防腐。").id
    heat = factory.listing(title="散热风扇", summary="静音设计。").id
    result = services.search(q="石墨烯 散热膜")
    assert [hit.listing_id for hit in result.hits] == [both, graphene, heat]
    assert [hit.partial for hit in result.hits] == [False, True, True]


def test_partial_matches_are_left_out_when_enough_listings_have_every_word(factory, monkeypatch):
    from marketplace.search import engine

    both = {factory.listing(title=f"石墨烯散热膜{i}", summary="用于5G基站。").id for i in range(2)}
    factory.listing(title="石墨烯涂料", summary="防腐。")
    monkeypatch.setattr(engine, "PARTIAL_BELOW", 2)
    result = services.search(q="石墨烯 5G")
    assert {hit.listing_id for hit in result.hits} == both and result.total == 2 and not result.partial
    monkeypatch.setattr(engine, "PARTIAL_BELOW", 3)
    services.get_store().caches().results.clear()  # results are cached per index state, not per setting
    assert services.search(q="石墨烯 5G").total == 3


def test_a_word_most_listings_have_makes_no_partial_match_alone(factory, monkeypatch):
    """石墨烯 方法 钙钛矿 (no listing has all three): the listing with 石墨烯, not every listing that says 方法."""
    from marketplace.search import engine

    graphene = factory.listing(title="石墨烯制备方法", summary="化学气相沉积。").id
    for name in ("陶瓷", "涂料", "电池"):
        factory.listing(title=f"{name}制备方法", summary="一种工艺。")
    monkeypatch.setattr(engine, "COMMON_WORD_MIN", 1)  # 方法 is in 4 of 4 listings: common
    assert [hit.listing_id for hit in services.search(q="石墨烯 方法 钙钛矿").hits] == [graphene]
    monkeypatch.setattr(engine, "COMMON_WORD_SHARE", 1.0)  # nothing is common
    services.get_store().caches().results.clear()
    assert len(services.search(q="石墨烯 方法 钙钛矿").hits) == 4


def test_a_repeated_search_sees_every_change_since(factory):
    """Result pages are reused while the index stays the same: a new, edited or withdrawn listing shows at once."""
    first = factory.listing(title="钙钛矿太阳能电池组件")
    assert [hit.listing_id for hit in services.search(q="钙钛矿").hits] == [first.id]
    again = services.search(q="钙钛矿")
    again.hits[0].title_html = "changed by a caller"
    assert services.search(q="钙钛矿").hits[0].title_html != "changed by a caller"  # each caller its own hits

    second = factory.listing(title="钙钛矿叠层电池")
    assert {hit.listing_id for hit in services.search(q="钙钛矿").hits} == {first.id, second.id}
    first.title = "钙钛矿光伏组件（新版）"
    record_change(first.id)
    db.session.commit()
    assert "新版" in str(services.search(q="钙钛矿 光伏").hits[0].title_html)
    second.status = "withdrawn"
    record_change(second.id)
    db.session.commit()
    assert [hit.listing_id for hit in services.search(q="钙钛矿").hits] == [first.id]
