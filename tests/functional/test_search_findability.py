"""What users type beyond the listing's own words: organisations, cities, labels, English terms; and what the
page says when a query cannot be answered as typed (no words, too long, past the last page, nothing found)."""

import re

import pytest

from marketplace.search import services
from marketplace.search.analysis import read_glossary, synonyms_of
from marketplace.search.query import MAX_QUERY_CHARS


def ids(q, **kwargs):
    return [hit.listing_id for hit in services.search(q=q, **kwargs).hits]


def shown(page):
    return [int(n) for n in re.findall(r'data-listing-id="(\d+)"', page)]


@pytest.fixture
def market(factory):
    ncu = factory.user("researcher", org=factory.org(name="南昌大学", region="nanchang"))
    jxust = factory.user("researcher", org=factory.org(name="江西理工大学", region="ganzhou"))
    firm = factory.user(
        "company", org=factory.org(name="鹰潭智联物联网科技有限公司", org_type="enterprise", region="yingtan")
    )
    return {
        "ncu": factory.listing(
            owner=ncu, title="钙钛矿太阳能电池", summary="提高光电转换效率。", region="nanchang", industry="new_energy"
        ).id,
        "mention": factory.listing(
            owner=jxust,
            title="离子型稀土分离",
            summary="与南昌大学合作完成。",
            region="ganzhou",
            industry="new_materials",
        ).id,
        "porcelain": factory.listing(
            owner=jxust,
            title="青花瓷釉料",
            summary="高温釉料配方。",
            region="jingdezhen",
            industry="ceramics",
            maturity="industrial",
        ).id,
        "tcm": factory.listing(
            owner=ncu, title="热敏灸治疗仪", summary="艾灸温度闭环控制。", region="nanchang", industry="tcm"
        ).id,
        "sensor": factory.listing(
            kind="need",
            owner=firm,
            title="水表压力传感器",
            summary="需要低功耗方案。",
            region="yingtan",
            industry="mobile_iot",
        ).id,
        "hidden": factory.listing(
            kind="need",
            owner=firm,
            title="保密需求：高纯石墨",
            summary="需要提纯工艺。",
            region="yingtan",
            industry="new_materials",
            hide_org_name=True,
        ).id,
        "graphene": factory.listing(
            owner=jxust, title="石墨烯导热膜", summary="用于手机散热。", region="ganzhou", industry="new_materials"
        ).id,
    }


def test_an_organisation_name_finds_its_listings_first(market):
    found = ids("南昌大学")
    assert set(found[:2]) == {market["ncu"], market["tcm"]}  # its own listings before one that mentions it
    assert market["mention"] in found


def test_short_forms_of_organisation_names(market):
    assert market["sensor"] in ids("智联物联网")
    assert market["graphene"] in ids("江西理工")


def test_a_hidden_company_name_is_not_searchable(market):
    assert market["hidden"] not in ids("鹰潭智联物联网科技有限公司")
    assert market["sensor"] in ids("鹰潭智联物联网科技有限公司")


@pytest.mark.parametrize(
    "q,key",
    [
        ("景德镇", "porcelain"),
        ("Jingdezhen", "porcelain"),
        ("中医药", "tcm"),
        ("Traditional Chinese medicine", "tcm"),
        ("陶瓷", "porcelain"),
        ("产业化", "porcelain"),
        ("Industrialised", "porcelain"),
        ("鹰潭", "sensor"),
    ],
)
def test_city_industry_and_maturity_labels_in_chinese_and_english(market, q, key):
    assert ids(q)[0] == market[key]


def test_a_region_ranks_its_listings_before_mentions(market, factory):
    mention = factory.listing(title="景德镇窑址考古", summary="在景德镇发掘的窑址。", region="nanchang").id
    found = ids("景德镇")
    assert found.index(market["porcelain"]) < found.index(mention)


def test_a_query_that_is_a_facet_value_offers_the_filter(market, client):
    page = client.get("/search/?q=景德镇").get_data(as_text=True)
    assert "按“所在地区：景德镇”筛选" in page and "region=jingdezhen" in page
    page = client.get("/search/?q=中医药").get_data(as_text=True)
    assert "按“行业领域：中医药”筛选" in page
    assert "筛选”筛选" not in client.get("/search/?q=热敏灸").get_data(as_text=True)


@pytest.mark.parametrize(
    "q,key", [("sensor", "sensor"), ("graphene", "graphene"), ("rare earth", "mention"), ("moxibustion", "tcm")]
)
def test_english_queries_find_chinese_listings(market, q, key):
    assert market[key] in ids(q)


def test_chinese_queries_find_english_listings(factory):
    listing = factory.listing(title="Graphene thermal film", summary="A flexible sensor for wearables.").id
    assert listing in ids("石墨烯") and listing in ids("传感器")


def test_a_method_abbreviation_finds_listings_that_write_it_out_and_the_reverse(factory):
    written_out = factory.listing(title="辣椒制品中苏丹红的测定", summary="采用高效液相色谱法测定。").id
    abbreviated = factory.listing(title="草酸铂含量测定", summary="建立了HPLC测定方法。").id
    assert written_out in ids("HPLC") and abbreviated in ids("高效液相色谱")


def test_the_glossary_is_one_data_file_in_both_directions():
    groups = read_glossary()
    assert ("传感器", "sensor", "sensors") in groups
    assert "传感器" in synonyms_of("sensor") and "sensor" in synonyms_of("传感器")
    assert "稀土" in synonyms_of("rare earth") and "graphene" in synonyms_of("石墨烯")
    assert "jingdezhen" in synonyms_of("景德镇")  # taxonomy labels from the English catalogue


# ---------------------------------------------------------------- item 4: what the page says


@pytest.mark.parametrize("raw", ["AND", "*", "(((", "？！。", "的"])
def test_a_query_without_searchable_words_says_so(market, client, raw):
    page = client.get("/search/", query_string={"q": raw}).get_data(as_text=True)
    assert "没有可以搜索的词" in page and shown(page) == []


def test_a_shortened_query_says_so_and_is_cut_at_a_word_boundary(market, client):
    raw = "石墨烯" * 120
    page = client.get("/search/", query_string={"q": raw}).get_data(as_text=True)
    assert f"只按前 {MAX_QUERY_CHARS} 个字搜索" in page
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert len(heading) < 60 and "…" in heading
    assert services.search(q=raw).terms  # still searched
    from marketplace.search.query import clean

    assert clean(raw).endswith("石墨烯") and len(clean(raw)) <= MAX_QUERY_CHARS
    assert "只按前" not in client.get("/search/?q=石墨烯").get_data(as_text=True)
    # the box and the page's links (sort, facets, pages) carry the query as searched: a 40,000-character query
    # once made every one of ~140 links 120 KB long
    huge = client.get("/search/", query_string={"q": "稀土" * 20000}).get_data(as_text=True)
    assert "只按前" in huge and len(huge) < 100_000
    assert len(page) < 100_000 and raw not in page


@pytest.mark.parametrize("page_arg", ["2", "999", "99999999999999999999"])
def test_a_page_past_the_end_says_so_with_a_link_back(market, client, page_arg):
    for q in ("石墨烯", ""):
        response = client.get("/search/", query_string={"q": q, "page": page_arg})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "第 1 页之后没有结果" in page and "回到第 1 页" in page and shown(page) == []


def test_zero_results_offer_co_occurring_terms_and_a_near_spelling(factory, client):
    for i in range(3):
        factory.listing(title=f"压力传感器封装{i}", summary="MEMS 工艺。", tags=["MEMS", "压力传感器"])
    factory.listing(title="护理应用", summary="无关。", tags=["结构预测"])
    page = client.get("/search/?q=传感气").get_data(as_text=True)
    assert "您是不是要找" in page and "q=%E4%BC%A0%E6%84%9F%E5%99%A8" in page  # 传感器
    page = client.get("/search/?q=传感器&region=jiujiang").get_data(as_text=True)
    assert "没有找到" in page and "常与这些词一起出现" in page
    assert "mems" in page.lower() and "结构预测" not in page and "护理应用" not in page


def test_facets_fold_behind_a_button_on_small_screens(market, client):
    page = client.get("/search/?q=石墨烯").get_data(as_text=True)
    assert 'data-bs-target="#search-facets"' in page and 'id="search-facets"' in page
    assert 'class="col-lg-3 collapse"' in page
    assert "<script>" not in page.split("</main>")[0]  # no inline script


def test_warm_opens_the_index_before_traffic(app, factory, tmp_path):
    from marketplace.search.index import IndexStore

    assert IndexStore(tmp_path / "none").warm() is False  # no index yet: nothing to do, no error
    listing = factory.listing(title="预热测试石墨烯")
    services.sync()
    assert services.warm() is True
    assert ids("预热测试石墨烯") == [listing.id]
