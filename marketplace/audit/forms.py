"""The operators' audit search form (read from the query string: searching changes nothing, so no CSRF)."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from ..text import clean_text
from .events import EVENTS, OUTCOMES

IP_CHARS = re.compile(r"^[0-9A-Fa-f:.]*$")


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False

    who = StringField(
        _l("用户（邮箱或用户编号）"),
        filters=[clean_text],
        validators=[Optional(), Length(max=254, message=_l("最多 %(max)d 个字符。"))],
    )
    event = SelectField(_l("事件"), choices=[("", _l("全部"))] + list(EVENTS.items()), validators=[Optional()])
    outcome = SelectField(_l("结果"), choices=[("", _l("全部"))] + list(OUTCOMES.items()), validators=[Optional()])
    date_from = DateField(_l("起始日期"), validators=[Optional()])
    date_to = DateField(_l("截止日期"), validators=[Optional()])
    ip = StringField(
        _l("IP 地址（可只填开头）"),
        filters=[clean_text],
        validators=[Optional(), Length(max=45, message=_l("最多 %(max)d 个字符。"))],
    )

    def validate_ip(self, field):
        if field.data and not IP_CHARS.match(field.data):
            raise ValidationError(_l("IP 地址只能包含数字、字母 a-f、点和冒号。"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("截止日期不能早于起始日期。"))

    def filters(self):
        """The search arguments of services.search_query (only after a successful validate())."""
        return {
            "who": self.who.data or None,
            "event": self.event.data or None,
            "outcome": self.outcome.data or None,
            "date_from": self.date_from.data,
            "date_to": self.date_to.data,
            "ip": self.ip.data or None,
        }
