"""Vocabularies and transition tables of inquiries and deals (pure: no database)."""

from collections import OrderedDict

from flask_babel import lazy_gettext as _l

INQUIRY_KINDS = OrderedDict(cooperation=_l("合作意向"), investment=_l("投资意向"))
ORIGINS = OrderedDict(listing=_l("条目页面"), suggestion=_l("匹配推荐"), search=_l("搜索结果"), broker=_l("经纪人引荐"))
INQUIRY_STATUSES = OrderedDict(pending=_l("待答复"), accepted=_l("已接受"), declined=_l("已婉拒"))
BUDGET_RANGES = OrderedDict(
    under_50=_l("50 万元以下"),
    from_50=_l("50–200 万元"),
    from_200=_l("200–500 万元"),
    from_500=_l("500–1000 万元"),
    over_1000=_l("1000 万元以上"),
    negotiable=_l("面议"),
)
TIMELINES = OrderedDict(
    within_3m=_l("3 个月内"),
    within_6m=_l("3–6 个月"),
    within_12m=_l("6–12 个月"),
    later=_l("一年以上"),
)

STAGES = OrderedDict(
    negotiating=_l("洽谈中"),
    agreed=_l("意向达成"),
    signed=_l("签约"),
    registered=_l("已登记"),
    terminated=_l("终止"),
)
CONTRACT_TYPES = OrderedDict(
    development=_l("技术开发"),
    transfer=_l("技术转让"),
    license=_l("技术许可"),
    service=_l("技术服务"),
    consulting=_l("技术咨询"),
)

# step of the funnel -> the stages that mean the deal reached it (a signed deal has also reached 意向达成)
REACHED = {
    "agreed": ("agreed", "signed", "registered"),
    "signed": ("signed", "registered"),
    "registered": ("registered",),
}


def steps_reached(stage):
    """The funnel steps a deal at `stage` has reached: their Inquiry columns are `<step>_at`."""
    return [step for step, stages in REACHED.items() if stage in stages]


# inquiry action: (statuses it may start from, resulting status)  -- only the recipient decides
INQUIRY_TRANSITIONS = {
    "accept": ({"pending"}, "accepted"),
    "decline": ({"pending"}, "declined"),
}

# deal action: (stages it may start from, resulting stage)  -- either party (or the broker) moves the deal
DEAL_TRANSITIONS = {
    "agree": ({"negotiating"}, "agreed"),
    "sign": ({"agreed"}, "signed"),
    "register": ({"signed"}, "registered"),
    "terminate": ({"negotiating", "agreed", "signed"}, "terminated"),
}
DEAL_ACTION_LABELS = OrderedDict(
    agree=_l("确认意向达成"),
    sign=_l("确认已签约"),
    register=_l("登记技术合同"),
    terminate=_l("终止洽谈"),
)


def stage_label(code):
    return str(STAGES.get(code, code or "—"))


def allowed_deal_actions(stage):
    """The deal actions possible from this stage, in order."""
    return [action for action, (sources, _to) in DEAL_TRANSITIONS.items() if stage in sources]


EVENT_LABELS = OrderedDict(
    send=_l("发送意向"),
    accept=_l("接受意向"),
    decline=_l("婉拒意向"),
    agree=_l("交易进展：意向达成"),
    sign=_l("交易进展：签约"),
    register=_l("交易进展：已登记"),
    terminate=_l("交易进展：终止"),
    correct=_l("运营人员更正了交易信息"),
    assign_broker=_l("指派技术经纪人"),
    introduce=_l("技术经纪人引荐双方"),
    consent=_l("同意引荐"),
)


def event_label(event):
    return str(EVENT_LABELS.get(event.action, event.action))


# A strong pair of the operators' board: its handling by operators and the assigned broker.
PAIR_STATUSES = OrderedDict(
    open=_l("待处理"),
    assigned=_l("已指派经纪人"),
    contacted=_l("已联系"),
    introduced=_l("已引荐"),
    not_fit=_l("不合适"),
)
# pair action: (statuses it may start from, resulting status; None keeps the status, "open" becomes "assigned")
PAIR_TRANSITIONS = {
    "assign": ({"open", "assigned", "contacted"}, None),
    "contacted": ({"open", "assigned"}, "contacted"),
    "introduce": ({"assigned", "contacted"}, "introduced"),
    "not_fit": ({"open", "assigned", "contacted"}, "not_fit"),
    "reopen": ({"not_fit"}, "open"),
}
PAIR_ACTION_LABELS = OrderedDict(
    assign=_l("指派经纪人"),
    contacted=_l("标记已联系"),
    introduce=_l("引荐双方"),
    not_fit=_l("标记不合适"),
    reopen=_l("重新打开"),
)


def allowed_pair_actions(status):
    return [action for action, (sources, _to) in PAIR_TRANSITIONS.items() if (status or "open") in sources]
