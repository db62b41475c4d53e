"""The events' controlled vocabularies: codes stored in the database, Chinese labels shown to users."""

from collections import OrderedDict

from flask_babel import lazy_gettext as _l

EVENT_TYPES = OrderedDict(
    roadshow=_l("科技金融路演"),
    launch=_l("成果发布会"),
    matchmaking=_l("供需对接会"),
)
# The seed's yearly target: 12 tech-finance roadshows a year.
YEARLY_TARGETS = {"roadshow": 12}

EVENT_STATUSES = OrderedDict(
    draft=_l("草稿"),
    open=_l("报名中"),
    closed=_l("报名截止"),
    finished=_l("已结束"),
    archived=_l("已归档"),
)
PUBLIC_STATUSES = ("open", "closed", "finished", "archived")

ACTION_LABELS = OrderedDict(
    open=_l("发布并开放报名"),
    close=_l("截止报名"),
    reopen=_l("重新开放报名"),
    finish=_l("标记为已结束"),
    archive=_l("归档"),
)

REGISTRATION_STATUSES = OrderedDict(
    confirmed=_l("已确认"),
    waitlisted=_l("候补"),
    cancelled=_l("已取消"),
)
# Who may register: companies, investors, researchers and experts (operators run the event).
REGISTRANT_ROLES = ("company", "investor", "researcher", "expert")

PRESENTER_STATUSES = OrderedDict(
    planned=_l("待邀请"),
    invited=_l("已邀请"),
    confirmed=_l("已确认"),
    declined=_l("已婉拒"),
)

MEETING_STATUSES = OrderedDict(
    pending=_l("待回复"),
    accepted=_l("已接受"),
    declined=_l("已拒绝"),
    cancelled=_l("已取消"),
)

SCORE_CRITERIA = OrderedDict(
    advancement=_l("技术先进性"),
    maturity=_l("成熟度"),
    market=_l("市场前景"),
    team=_l("团队"),
    investment=_l("投资价值"),
)
SCORE_MIN, SCORE_MAX = 1, 10

OUTCOME_KINDS = OrderedDict(
    intent=_l("签约意向"),
    inquiry=_l("后续洽谈"),
    other=_l("其他成果"),
)
DEFAULT_WEIGHT = 20  # each default criterion weighs the same
MAX_CRITERIA = 12

# Technology assessments requested by financial institutions from the expert pool.
ASSESSMENT_STATUSES = OrderedDict(
    pending=_l("待指派专家"),
    assigned=_l("评估中"),
    completed=_l("已完成"),
)
# Who may request an assessment: members of investor organisations (financial institutions).
ASSESSMENT_REQUESTER_ROLES = ("investor",)
