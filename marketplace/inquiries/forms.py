"""Forms of inquiries: the expression of interest, the owner's decision, a message of the thread."""

from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .. import taxonomy
from ..listings.attachments import AttachmentError, check_uploads
from ..listings.forms import LENGTH_MESSAGE, LocalDateField, NormalisedForm, SelectField
from .pipeline import BUDGET_RANGES, CONTRACT_TYPES, STAGES, TIMELINES

MESSAGE_MAX = 2000
FILE_ACCEPT = {"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}


class UploadsMixin:
    uploads = ()

    def validate_attachments(self, field):
        """Check every file before anything is written; one bad file refuses the whole form."""
        try:
            self.uploads = check_uploads(field.data, current_app.config["ATTACHMENT_MAX_BYTES"], max_count=5)
        except AttachmentError as err:
            raise ValidationError(str(err)) from err


class InquiryForm(UploadsMixin, NormalisedForm):
    cooperation_mode = SelectField(
        _l("意向合作方式"),
        choices=list(taxonomy.COOPERATION_MODES.items()),
        validators=[DataRequired(_l("请选择合作方式。"))],
    )
    budget_range = SelectField(
        _l("预算范围"), choices=list(BUDGET_RANGES.items()), validators=[DataRequired(_l("请选择预算范围。"))]
    )
    timeline = SelectField(
        _l("预期时间"), choices=list(TIMELINES.items()), validators=[DataRequired(_l("请选择预期时间。"))]
    )
    message = TextAreaField(
        _l("留言"),
        validators=[
            DataRequired(_l("请写几句话介绍您的需求或合作设想。")),
            Length(min=10, max=MESSAGE_MAX, message=_l("留言需 10 到 2000 个字。")),
        ],
        description=_l("请勿在留言中填写电话、邮箱：对方接受意向后，双方会自动看到彼此的联系方式。"),
    )
    attachments = MultipleFileField(
        _l("附件（可选）"), description=_l("PDF、PNG 或 JPEG，最多 5 个。"), render_kw=FILE_ACCEPT
    )

    def values(self):
        return {
            "cooperation_mode": self.cooperation_mode.data,
            "budget_range": self.budget_range.data,
            "timeline": self.timeline.data,
            "message": self.message.data,
        }


class DecisionForm(NormalisedForm):
    reason = TextAreaField(_l("婉拒原因（发送方会看到）"), validators=[Length(max=500, message=LENGTH_MESSAGE)])


class MessageForm(UploadsMixin, NormalisedForm):
    body = TextAreaField(
        _l("消息"), validators=[DataRequired(_l("请输入消息内容。")), Length(max=MESSAGE_MAX, message=LENGTH_MESSAGE)]
    )
    attachments = MultipleFileField(_l("附件（可选）"), render_kw=FILE_ACCEPT)


MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)


class DealForm(NormalisedForm):
    """A move of the deal (agree, sign, register with the contract, terminate with a reason) or, for
    operators, a correction (any stage, contract data, a reason)."""

    seen_stage = HiddenField()
    stage = SelectField(_l("阶段"), choices=[("", "—")] + list(STAGES.items()), validators=[Optional()])
    reason = TextAreaField(_l("原因"), validators=[Length(max=500, message=LENGTH_MESSAGE)])
    contract_type = SelectField(
        _l("合同类型"), choices=[("", _l("请选择"))] + list(CONTRACT_TYPES.items()), validators=[Optional()]
    )
    amount_wan = StringField(_l("合同金额（万元）"), validators=[Optional(), Length(max=20, message=LENGTH_MESSAGE)])
    signed_on = LocalDateField(_l("签订日期"), validators=[Optional()])
    registration_number = StringField(_l("登记编号"), validators=[Optional(), Length(max=60, message=LENGTH_MESSAGE)])
    registry = StringField(
        _l("登记机构"),
        validators=[Optional(), Length(max=120, message=LENGTH_MESSAGE)],
        default=_l("江西省技术市场管理办公室"),
    )

    def validate_amount_wan(self, field):
        """An exact amount in 万元: a positive number with at most two decimals (never a float)."""
        if not field.data:
            return
        try:
            value = Decimal(field.data.replace(",", ""))
        except InvalidOperation as err:
            raise ValidationError(_("请填写数字金额，例如 120 或 35.5。")) from err
        if not value.is_finite() or value <= 0 or value > MAX_AMOUNT or value.as_tuple().exponent < -2:
            raise ValidationError(_("金额须大于 0，最多两位小数。"))
        field.amount = value

    def validate_signed_on(self, field):
        from ..listings.services import market_today

        if field.data is not None and field.data > market_today():
            raise ValidationError(_("签订日期不能晚于今天。"))

    def contract(self):
        return {
            "contract_type": self.contract_type.data or None,
            "amount_wan": getattr(self.amount_wan, "amount", None) if self.amount_wan.data else None,
            "signed_on": self.signed_on.data,
            "registration_number": self.registration_number.data or None,
            "registry": self.registry.data or None,
        }


class FollowupForm(NormalisedForm):
    """A broker's follow-up: when, what happened, the next step (and when)."""

    happened_on = LocalDateField(_l("跟进日期"), validators=[DataRequired(_l("请填写跟进日期。"))])
    note = TextAreaField(
        _l("跟进情况"),
        validators=[DataRequired(_l("请填写跟进情况。")), Length(max=MESSAGE_MAX, message=LENGTH_MESSAGE)],
    )
    next_step = StringField(_l("下一步（可选）"), validators=[Optional(), Length(max=300, message=LENGTH_MESSAGE)])
    next_on = LocalDateField(_l("下一步日期（可选）"), validators=[Optional()])

    def validate_happened_on(self, field):
        from ..listings.services import market_today

        if field.data is not None and field.data > market_today():
            raise ValidationError(_("跟进日期不能晚于今天。"))

    def validate_next_on(self, field):
        if field.data is not None and self.happened_on.data is not None and field.data < self.happened_on.data:
            raise ValidationError(_("下一步日期不能早于跟进日期。"))
