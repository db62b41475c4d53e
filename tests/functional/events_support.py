"""Helpers shared by the events tests: an event built through the services, opened for registration."""

from datetime import timedelta

from marketplace.events import services
from marketplace.extensions import db
from marketplace.models_base import utcnow


def make_event(operator, status="open", capacity=50, days=10, **values):
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    fields = dict(
        event_type="roadshow",
        title="2026 稀土新材料科技金融路演",
        industries="new_materials",
        tags="稀土,永磁",
        programme="一、开场致辞\n二、项目路演",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="南昌市红谷滩区 江西省科技大厦",
        registration_deadline=start - timedelta(days=1),
        capacity=capacity,
    )
    fields.update(values)
    event = services.create_event(operator, **fields)
    for action in {
        "draft": [],
        "open": ["open"],
        "closed": ["open", "close"],
        "finished": ["open", "finish"],
        "archived": ["open", "finish", "archive"],
    }[status]:
        services.transition(event.id, action, operator)
    db.session.commit()
    return event
