"""The header badges of a signed-in page (inbox, notifications): right counts, read in one query per request."""

import re

from sqlalchemy import event

from marketplace.extensions import db
from marketplace.inquiries import services
from marketplace.notifications.services import notify

FORM = {
    "cooperation_mode": "transfer",
    "budget_range": "from_50",
    "timeline": "within_3m",
    "message": "希望洽谈技术转让，请联系。",
}


class Statements:
    """The SQL statements the app runs while this is active."""

    def __init__(self):
        self.seen = []

    def _on(self, conn, cursor, statement, *args):
        self.seen.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._on)

    def mentioning(self, table):
        return [s for s in self.seen if re.search(rf"\bFROM {table}\b", s)]


def _researcher_with_news(factory):
    researcher = factory.user("researcher")
    achievement = factory.listing("achievement", owner=researcher, title="稀土永磁材料")
    services.send_inquiry(factory.user("company"), achievement, dict(FORM))  # waiting for the researcher's answer
    notify(researcher, "listing_approved", {"title": "稀土永磁材料"})
    db.session.commit()
    return researcher


def test_signed_in_page_shows_both_badges_from_one_query(client, factory, login):
    researcher = _researcher_with_news(factory)
    login(researcher)
    with Statements() as sql:
        page = client.get("/me/").get_data(as_text=True)
    assert "1 条待处理" in page  # the inquiry waiting for an answer
    assert re.search(r"[1-9]\d* 条未读", page)  # the unread notifications (approval, the new inquiry)
    badge_queries = [s for s in sql.seen if "notifications" in s and "inquir" in s]
    assert len(badge_queries) == 1, sql.seen
    counted = [s for s in sql.seen if "count(notifications.id)" in s or "count(inquiries.id)" in s]
    assert counted == badge_queries  # no second count for the same page


def test_badges_follow_what_the_user_reads(client, factory, login):
    researcher = _researcher_with_news(factory)
    login(researcher)
    before = client.get("/").get_data(as_text=True)
    unread = int(re.search(r"(\d+) 条未读", before).group(1))
    assert unread >= 1
    client.get("/notifications/")  # opening the list marks everything read
    assert "条未读" not in client.get("/").get_data(as_text=True)
    assert "1 条待处理" in client.get("/").get_data(as_text=True)  # the inquiry still waits for an answer


def test_signed_out_pages_run_no_badge_query(client, factory):
    factory.listing("achievement", title="稀土永磁材料")
    db.session.commit()
    with Statements() as sql:
        client.get("/achievements")
    assert not sql.mentioning("notifications")


def test_my_workspace_counts_once_and_pages_from_that_count(client, factory, login):
    researcher = factory.user("researcher")
    for n in range(3):
        factory.listing("achievement", owner=researcher, title=f"成果{n}")
    factory.listing("achievement", owner=researcher, status="draft", title="草稿成果")
    db.session.commit()
    login(researcher)
    with Statements() as sql:
        page = client.get("/me/").get_data(as_text=True)
        drafts = client.get("/me/?status=draft").get_data(as_text=True)
    assert "草稿成果" in page and "成果0" in page
    assert "草稿成果" in drafts and "成果0" not in drafts
    counts = [s for s in sql.mentioning("listings") if "count(" in s.lower()]
    assert len(counts) == 2, counts  # one grouped count per page view; pagination reuses it
