"""Page numbers from the address bar: huge, negative or junk values show a real page, never a 500."""

import pytest

HUGE = "99999999999999999999"


@pytest.mark.parametrize("value", [HUGE, "-5", "abc", "1e9", "0", "10001", " 2 "])
def test_public_lists_clamp_any_page_number(client, factory, value):
    listing = factory.listing("achievement", title="分页成果")
    need = factory.listing("need", title="分页需求")
    for path, title in (
        ("/achievements", "分页成果"),
        ("/needs", "分页需求"),
        (f"/orgs/{listing.organisation_id}", "分页成果"),
        (f"/orgs/{need.organisation_id}", None),
    ):
        response = client.get(path, query_string={"page": value})
        assert response.status_code == 200, (path, value)
        if title:
            assert title in response.get_data(as_text=True)  # past the end: the last page, not an empty one


def test_search_and_workspace_and_operator_lists_clamp_huge_pages(client, factory, login):
    factory.listing("achievement", title="分页检索成果")
    assert client.get("/search/", query_string={"q": "分页", "page": HUGE}).status_code == 200
    login(factory.user("operator"))
    for path in ("/me/", "/ops/moderation", "/ops/organisations", "/ops/users"):
        assert client.get(path, query_string={"page": HUGE}).status_code == 200, path


def test_a_page_past_the_end_shows_the_last_page(client, factory, app):
    app.config["LISTINGS_PER_PAGE"] = 2
    for n in range(5):
        factory.listing("achievement", title=f"第{n}个成果")
    page = client.get("/achievements", query_string={"page": 50}).get_data(as_text=True)
    assert "第0个成果" in page  # the oldest is alone on page 3
