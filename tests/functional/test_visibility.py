"""One rule for "public today", on the market's clock, on every surface.

At 23:30 UTC on 30 June it is already 07:30 on 1 July in Jiangxi: a listing whose last valid day is 30 June has
left every public surface, although the server's own date (UTC) still says 30 June.
"""

import io
import json
from datetime import UTC, date, datetime

import pytest

from marketplace.extensions import db
from marketplace.listings import visibility
from marketplace.matching import alerts
from marketplace.matching import services as matching
from marketplace.notifications.models import Notification
from marketplace.search import services as search
from marketplace.transfer.exporter import export_listings

LAST_DAY = date(2030, 6, 30)
EVENING_UTC = datetime(2030, 6, 30, 15, 0, tzinfo=UTC)  # 23:00 in Jiangxi, still 30 June
LATE_UTC = datetime(2030, 6, 30, 23, 30, tzinfo=UTC)  # 07:30 on 1 July in Jiangxi

SUMMARY = "稀土永磁电机高效驱动控制技术，降低能耗，适用于新能源汽车与工业风机。"


@pytest.fixture
def clock(monkeypatch):
    """Set the market clock (listings.visibility.utcnow) to a given UTC time."""

    def set_to(moment):
        monkeypatch.setattr(visibility, "utcnow", lambda: moment)

    return set_to


def _apply_changes():
    while matching.process_changes():
        db.session.commit()
    db.session.commit()


def _export(status):
    buffer = io.BytesIO()
    export_listings(buffer, "jsonl", status=status)
    return {row["title"]: row["status"] for row in map(json.loads, buffer.getvalue().decode().splitlines())}


def test_every_surface_agrees_on_the_last_valid_day(app, factory, client, clock):
    clock(EVENING_UTC)
    ending = factory.listing(title="稀土永磁电机驱动甲", summary=SUMMARY, valid_until=LAST_DAY, tags=["稀土永磁"])
    staying = factory.listing(
        title="稀土永磁电机驱动乙", summary=SUMMARY, valid_until=date(2030, 7, 1), tags=["稀土永磁"]
    )
    need = factory.listing(
        "need", title="寻求稀土永磁电机驱动技术", summary=SUMMARY, valid_until=date(2031, 1, 1), tags=["稀土永磁"]
    )
    watcher = factory.user("company")
    saved = alerts.save_search(watcher, "稀土永磁", {"kind": ["achievement"]})
    db.session.commit()
    _apply_changes()

    # 23:00 in Jiangxi: both are public everywhere.
    assert visibility.market_today() == LAST_DAY
    assert "稀土永磁电机驱动甲" in client.get("/achievements").get_data(as_text=True)
    assert {ending.id, staying.id} <= {h.listing_id for h in search.search(q="稀土永磁").hits}
    assert {s.candidate_id for s in matching.suggestions_for(need)} >= {ending.id, staying.id}

    # 07:30 the next morning in Jiangxi (23:30 UTC, the server's date is still 30 June).
    clock(LATE_UTC)
    assert date(2030, 6, 30) == LATE_UTC.date() and visibility.market_today() == date(2030, 7, 1)

    browse = client.get("/achievements").get_data(as_text=True)
    assert "稀土永磁电机驱动乙" in browse and "稀土永磁电机驱动甲" not in browse
    assert client.get(f"/achievements/{ending.id}").status_code == 404
    assert client.get(f"/achievements/{staying.id}").status_code == 200
    home = client.get("/").get_data(as_text=True)
    assert "稀土永磁电机驱动乙" in home and "稀土永磁电机驱动甲" not in home
    hits = {h.listing_id for h in search.search(q="稀土永磁").hits}
    assert staying.id in hits and ending.id not in hits
    page = client.get("/search/?q=稀土永磁").get_data(as_text=True)
    assert "驱动乙" in page and "驱动甲" not in page
    candidates = {s.candidate_id for s in matching.suggestions_for(need)}
    assert staying.id in candidates and ending.id not in candidates
    assert ending.id not in {s.candidate_id for s in matching.strongest_pairs()}

    # A saved search is notified of the listing that is still public only.
    db.session.execute(db.delete(Notification))
    alerts.notify_for([ending.id, staying.id])
    db.session.commit()
    notified = (
        db.session.execute(
            db.select(Notification.listing_id).where(Notification.dedupe_key.like(f"search:{saved.id}:%"))
        )
        .scalars()
        .all()
    )
    assert notified == [staying.id]

    # Exports: "published" is what the public sees; the other one is filed as expired.
    published = _export("published")
    assert "稀土永磁电机驱动乙" in published and "稀土永磁电机驱动甲" not in published
    assert _export("expired") == {"稀土永磁电机驱动甲": "expired"}
    assert _export(None)["稀土永磁电机驱动甲"] == "expired"


def test_the_time_zone_is_one_setting(app):
    assert app.config["MARKET_TIMEZONE"] == "Asia/Shanghai"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == app.config["MARKET_TIMEZONE"]
    assert str(visibility.market_timezone()) == "Asia/Shanghai"
