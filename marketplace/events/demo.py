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


SPECS = [
    dict(
        event_type="roadshow",
        title="2026 年第四期科技金融路演：稀土新材料与先进制造专场",
        industries="new_materials,smart_manufacturing",
        tags="稀土,永磁,硬质合金",
        programme="14:00 开场致辞\n14:10 项目路演（每项 8 分钟 + 投资人点评 5 分钟）\n16:30 一对一对接洽谈",
        days=21,
        hours=(14, 18),
        venue="南昌市红谷滩区 江西省科技大厦三楼报告厅",
        online_url="https://live.example.cn/jxtm/roadshow-4",
        capacity=120,
        status="open",
    ),
    dict(
        event_type="matchmaking",
        title="移动物联网产业供需对接会（鹰潭）",
        industries="mobile_iot,sensors_ic",
        tags="nb-iot,传感器,智能表计",
        programme="企业技术需求发布、高校院所成果推介、分组对接洽谈。",
        days=42,
        hours=(9, 17),
        venue="鹰潭市 移动物联网产业园会议中心",
        online_url="",
        capacity=200,
        status="open",
    ),
    dict(
        event_type="launch",
        title="中医药科技成果发布会",
        industries="tcm,biomedicine",
        tags="热敏灸,中药",
        programme="发布中医药领域最新科技成果。",
        days=-30,
        hours=(9, 12),
        venue="南昌市 江西中医药大学",
        online_url="https://live.example.cn/jxtm/tcm-launch",
        replay_url="https://live.example.cn/jxtm/tcm-launch/replay",
        capacity=150,
        status="finished",
    ),
    dict(
        event_type="roadshow",
        title="2027 年第一期科技金融路演：电子信息专场（筹备中）",
        industries="electronics,ai",
        tags="",
        programme="",
        days=70,
        hours=(14, 17),
        venue="南昌市 江西省科技大厦",
        online_url="",
        capacity=100,
        status="draft",
    ),
]


def load_demo_events(operator):
    """Create the demo events and expert once (nothing when the market already has events)."""
    if db.session.execute(db.select(db.func.count()).select_from(Event)).scalar():
        return 0
    for spec in SPECS:
        spec = dict(spec)
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
    return len(SPECS)
