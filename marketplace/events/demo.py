"""Demo events for `make run`: an open roadshow, an open matchmaking fair, a finished launch, a draft; and one
expert in the pool (expert@demo.jxtm.cn, a demo login of organisations.json). Loaded by demo.services.load_demo."""

from datetime import timedelta

from ..accounts.services import find_user_by_email
from ..extensions import db
from ..models_base import utcnow
from . import experts, services
from .models import Event, Expert

DEMO_EXPERT_EMAIL = "expert@demo.jxtm.cn"


def _at(days, hour):
    """Naive UTC for a local (Asia/Shanghai) hour `days` from today."""
    local = services.to_local(utcnow()) + timedelta(days=days)
    return services.to_utc(local.replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None))


def demo_specs():
    """The demo events, one record each in demo/data/events.json (days from today, local start and end hours)."""
    from ..demo.catalogue import read_json

    return read_json("events.json")


def load_demo_events(operator):
    """Create the demo events and expert once (nothing when the market already has events)."""
    if db.session.execute(db.select(db.func.count()).select_from(Event)).scalar():
        return 0
    specs = demo_specs()
    for spec in specs:
        days, (start_hour, end_hour), status = spec.pop("days"), spec.pop("hours"), spec.pop("status")
        start = _at(days, start_hour)
        event = services.create_event(
            operator,
            starts_at=start,
            ends_at=_at(days, end_hour),
            registration_deadline=start - timedelta(days=2),
            **spec,
        )
        for action in {"draft": [], "open": ["open"], "finished": ["open", "finish"]}[status]:
            services.transition(event.id, action, operator)
    user = find_user_by_email(DEMO_EXPERT_EMAIL)  # a demo login of organisations.json
    if user is not None and experts.expert_of(user) is None:
        db.session.add(
            Expert(
                user=user,
                title="研究员",
                fields="稀土功能材料、先进制造",
                industries="new_materials,smart_manufacturing",
                profile="长期从事稀土永磁与硬质合金研究，参与省重大科技专项评审。",
            )
        )
    db.session.flush()
    return len(specs)
