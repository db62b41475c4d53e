"""The notification settings form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, widgets

from .kinds import GROUPS

EMAIL_MODE_LABELS = {
    "instant": _l("每条通知立即发送邮件"),
    "digest": _l("每天一封汇总邮件"),
    "off": _l("不发送邮件（只在站内显示）"),
}


class SettingsForm(FlaskForm):
    groups = SelectMultipleField(
        _l("接收的通知"),
        choices=list(GROUPS.items()),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    email_mode = RadioField(_l("邮件"), choices=list(EMAIL_MODE_LABELS.items()), default="instant")
