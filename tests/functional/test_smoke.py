"""The site answers in Chinese first and with helpful errors."""


def test_home_page_is_chinese_and_shows_counts(client, factory):
    factory.listing("achievement")
    page = client.get("/").get_data(as_text=True)
    assert "江西省常设技术交易市场" in page
    assert "已发布科技成果 <strong>1</strong>" in page


def test_unknown_page_is_a_friendly_404(client):
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert "页面不存在" in resp.get_data(as_text=True)


def test_english_is_available(client):
    resp = client.get("/?lang=en")
    assert resp.status_code == 200
    assert 'lang="en"' in resp.get_data(as_text=True)


def test_home_page_leaves_out_listings_past_their_validity(client, factory):
    from datetime import date, timedelta

    factory.listing("achievement", title="仍在有效期内的成果")
    factory.listing("achievement", title="已过有效期的成果", valid_until=date.today() - timedelta(days=2))
    page = client.get("/").get_data(as_text=True)
    assert "仍在有效期内的成果" in page and "已过有效期的成果" not in page
    assert "已发布科技成果 <strong>1</strong>" in page
