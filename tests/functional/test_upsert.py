"""Rows created on demand report whether they were new, on SQLite and PostgreSQL alike (a repeated notification
is not sent twice because `insert_missing` says 0 the second time)."""

from marketplace.listings.models import Tag
from marketplace.upsert import insert_missing


def test_insert_missing_counts_only_new_rows(app):
    rows = [{"name": "窄带物联网", "match_key": "窄带物联网"}, {"name": "稀土", "match_key": "稀土"}]
    assert insert_missing(Tag, rows, ["match_key"]) == 2
    assert insert_missing(Tag, rows, ["match_key"]) == 0
    assert insert_missing(Tag, [*rows, {"name": "石墨烯", "match_key": "石墨烯"}], ["match_key"]) == 1


def test_a_repeated_notification_is_created_once(app, factory):
    from marketplace.extensions import db
    from marketplace.notifications.models import Notification
    from marketplace.notifications.services import notify

    user = factory.user("company")
    first = notify(user, "listing_changed", {"title": "石墨烯"}, dedupe="changed:1")
    assert first is not None
    assert notify(user, "listing_changed", {"title": "石墨烯"}, dedupe="changed:1") is None
    assert db.session.query(Notification).filter_by(user_id=user.id).count() == 1
