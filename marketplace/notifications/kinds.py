"""The kinds of notification: the settings group each belongs to and its text, with %(name)s placeholders.

Texts are kept as message keys and translated when shown, so each user reads them in their own language.
"""

from flask_babel import lazy_gettext as _l

# group -> label on the settings page (one switch per group)
GROUPS = {
    "matches": _l("新的匹配（保存的搜索、关注的条目）"),
    "followed": _l("关注的条目有更新或下线"),
    "account": _l("机构认证与成员身份"),
    "moderation": _l("发布审核结果"),
    "inquiries": _l("合作意向及答复"),
    "messages": _l("洽谈新消息"),
    "deals": _l("保密协议与交易进展"),
    "events": _l("路演活动（邀请、报名、洽谈日程、评审）"),
}

# kind -> (group, text)
KINDS = {
    "match_search": ("matches", _l("您保存的搜索有新的结果：%(title)s")),
    "match_follow": ("matches", _l("您关注的「%(followed)s」有新的匹配：%(title)s")),
    "listing_changed": ("followed", _l("您关注的「%(title)s」内容有更新。")),
    "listing_withdrawn": ("followed", _l("您关注的「%(title)s」已下线。")),
    "org_verified": ("account", _l("您的机构“%(name)s”已通过实名认证。")),
    "org_rejected": ("account", _l("您的机构“%(name)s”未通过实名认证，原因：%(reason)s")),
    "membership_approved": ("account", _l("运营人员已确认您是“%(name)s”的成员。")),
    "listing_approved": ("moderation", _l("“%(title)s”已通过审核并公开。")),
    "listing_rejected": ("moderation", _l("“%(title)s”未通过审核，原因：%(reason)s")),
    "revision_approved": ("moderation", _l("“%(title)s”的修改已通过审核，公开页面已更新。")),
    "revision_rejected": ("moderation", _l("“%(title)s”的修改未通过审核，原因：%(reason)s")),
    "inquiry_received": ("inquiries", _l("“%(title)s”收到一条新的合作意向，请查看并答复。")),
    "inquiry_accepted": ("inquiries", _l("您对“%(title)s”的合作意向已被接受，现在可以查看对方的联系方式并继续沟通。")),
    "inquiry_declined": ("inquiries", _l("您对“%(title)s”的合作意向未被接受，原因：%(reason)s")),
    "message_received": ("messages", _l("“%(title)s”的洽谈有新消息。")),
    "nda_signed": ("deals", _l("有用户签署了“%(title)s”的保密协议。")),
    "deal_stage": ("deals", _l("“%(title)s”的交易进展：%(stage)s")),
    "moderation_warning": ("account", _l("运营人员就您发布的内容提出警告：%(reason)s")),
    "broker_assigned": ("deals", _l("您被指派为“%(title)s”洽谈的技术经纪人。")),
    "broker_pair_assigned": ("deals", _l("您被指派撮合需求“%(need)s”与成果“%(title)s”，请在“我的撮合”中查看。")),
    "introduction_received": (
        "inquiries",
        _l("技术经纪人为需求“%(need)s”引荐了成果“%(title)s”，请确认是否同意与对方交换联系方式。"),
    ),
    "introduction_consent": ("inquiries", _l("“%(title)s”的引荐：一方已同意，等待另一方确认。")),
    "introduction_accepted": ("inquiries", _l("双方都已同意“%(title)s”的引荐，现在可以查看彼此的联系方式并继续沟通。")),
    "introduction_declined": ("inquiries", _l("“%(title)s”的引荐未获同意，原因：%(reason)s")),
    "deal_followup": ("deals", _l("技术经纪人记录了“%(title)s”的跟进情况。")),
    "event_update": ("events", _l("%(subject)s：%(text)s")),  # events.notify; texts written in the events package
    "event_agenda": ("events", _l("%(subject)s：%(text)s")),  # the same, its e-mail carries the .ics agenda
}

# kind -> "module:function" that returns the attachments of the notification's e-mail, [(filename, type, bytes)]
ATTACHMENTS = {
    "event_agenda": "marketplace.events.ics:notification_attachments",
}


def kinds_of(group):
    return [kind for kind, (g, _text) in KINDS.items() if g == group]
