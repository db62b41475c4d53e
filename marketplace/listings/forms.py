"""Forms of the listings feature. All text input is NFKC-normalised and trimmed before validation."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    MultipleFileField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import SelectField as _SelectField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import taxonomy
from ..text import clean_text
from .attachments import AttachmentError, check_uploads
from .fields import LABELS
from .tags import MAX_TAG_LENGTH, MAX_TAGS, TagError, normalise_tags

MAX_PRICE = Decimal("9999999999.99")  # Numeric(12, 2)
LENGTH_MESSAGE = _l("不能超过 %(max)d 个字（当前 %(length)d 个字）。")


class NormalisedForm(FlaskForm):
    """A FlaskForm whose submitted text is NFKC-normalised before any field sees it."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            data = super().wrap_formdata(form, formdata)
            if data is None:
                return None
            cleaned = MultiDict()
            for key, value in data.items(multi=True):
                cleaned.add(key, clean_text(value) if isinstance(value, str) else value)
            return cleaned


def length(max_chars):
    return Length(max=max_chars, message=LENGTH_MESSAGE)


class SelectField(_SelectField):
    """A select with a Chinese message for values outside the list (a forged or stale form).

    Keeps the name SelectField so that the form macros render it as one."""

    def pre_validate(self, form):
        if self.data not in ("", None) and self.data not in {str(v) for v, _label in self.choices}:
            raise ValidationError(_("请选择列表中的选项。"))


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes; unknown values are refused with a Chinese message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        valid = {str(v) for v, _label in self.choices}
        if any(value not in valid for value in self.data or []):
            raise ValidationError(_("请选择列表中的选项。"))


class LocalDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as err:
            raise ValueError(_("请输入有效的日期，例如 2026-12-31。")) from err


def _select(vocabulary, label, required=None, placeholder=_l("请选择")):
    validators = [DataRequired(message=required)] if required else [Optional()]
    return SelectField(label, choices=[("", placeholder)] + taxonomy.choices(vocabulary), validators=validators)


class ListingForm(NormalisedForm):
    """Fields common to achievements and needs."""

    title = StringField(LABELS["title"], validators=[DataRequired(message=_l("请填写标题。")), length(100)])
    industry = _select(taxonomy.INDUSTRIES, LABELS["industry"], required=_l("请选择所属行业。"))
    tags = StringField(
        LABELS["tags"],
        validators=[length(800)],
        description=_l("用逗号、顿号或空格分隔，最多 15 个，每个不超过 40 字，如：石墨烯、锂电池、NB-IoT"),
    )
    cooperation_modes = MultiCheckboxField(
        LABELS["cooperation_modes"], choices=taxonomy.choices(taxonomy.COOPERATION_MODES)
    )
    price_wan = StringField(LABELS["price_wan"], description=_l("单位：万元，可填小数；或勾选“面议”。"))
    price_negotiable = BooleanField(LABELS["price_negotiable"])

    tag_list = ()
    price_value = None
    uploads = ()  # checked attachments (achievements only)

    def validate_tags(self, field):
        try:
            self.tag_list = normalise_tags(field.data)
        except TagError as err:
            if err.problem == "too_long":
                raise ValidationError(_("标签“%(tag)s”超过 %(n)s 个字。", tag=err.tag[:50], n=MAX_TAG_LENGTH)) from err
            raise ValidationError(_("标签最多 %(n)s 个。", n=MAX_TAGS)) from err

    def validate_cooperation_modes(self, field):
        if not field.data:
            raise ValidationError(_("请至少选择一种合作方式。"))

    def validate_price_wan(self, field):
        text = (field.data or "").replace(",", "")
        if self.price_negotiable.data:
            if text:
                raise ValidationError(_("已勾选“面议”时请不要填写金额。"))
            return
        if not text:
            raise ValidationError(_("请填写金额（万元）或勾选“面议”。"))
        try:
            value = Decimal(text)
        except InvalidOperation as err:
            raise ValidationError(_("请填写数字金额，例如 50 或 12.5。")) from err
        if not value.is_finite() or value < 0:
            raise ValidationError(_("金额不能为负数。"))
        if value > MAX_PRICE:
            raise ValidationError(_("金额过大，请核对单位（万元）。"))
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(_("金额最多保留两位小数。"))
        self.price_value = value.quantize(Decimal("0.01"))

    def load(self, values):
        """Fill the fields from stored values (GET of the edit page)."""
        for name, value in values.items():
            if name not in self._fields:
                continue
            if name == "tags":
                value = "，".join(value or [])
            elif name == "price_wan":
                value = "" if value is None else f"{value.normalize():f}"
            elif name == "trl":
                value = "" if value is None else str(value)
            self._fields[name].data = value

    def values(self):
        """The cleaned values, keyed like listings.fields.FIELDS."""
        out = {}
        for name, field in self._fields.items():
            if name in ("csrf_token", "attachments"):
                continue
            value = field.data
            if isinstance(value, str) and name not in ("title", "summary"):
                value = value or None
            out[name] = value
        out["tags"] = list(self.tag_list)
        out["price_wan"] = None if self.price_negotiable.data else self.price_value
        out["price_negotiable"] = bool(self.price_negotiable.data)
        return out


class AchievementForm(ListingForm):
    summary = TextAreaField(
        LABELS["summary"],
        validators=[DataRequired(message=_l("请填写公开摘要。")), length(2000)],
        description=_l("所有访客可见，请勿包含保密内容。"),
    )
    description = TextAreaField(
        LABELS["description"],
        validators=[Optional(), length(20000)],
        description=_l("保密内容：仅已认证机构的会员、运营人员和您本人可见。"),
    )
    maturity = _select(taxonomy.MATURITIES, LABELS["maturity"], required=_l("请选择成熟度。"))
    trl = SelectField(
        LABELS["trl"],
        choices=[("", _l("请选择"))] + [(str(i), f"TRL {i}") for i in range(1, 10)],
        validators=[Optional()],
    )
    ip_type = _select(taxonomy.IP_TYPES, LABELS["ip_type"])
    ip_numbers = StringField(
        LABELS["ip_numbers"],
        validators=[length(300)],
        description=_l("保密内容，如专利号 ZL201910000000.1，多个用逗号分隔。"),
    )
    ip_status = _select(taxonomy.IP_STATUSES, LABELS["ip_status"])
    source_programme = _select(taxonomy.SOURCE_PROGRAMMES, LABELS["source_programme"])
    project_number = StringField(LABELS["project_number"], validators=[length(60)])
    acceptance_status = _select(taxonomy.ACCEPTANCE_STATUSES, LABELS["acceptance_status"])
    lead_institution = StringField(LABELS["lead_institution"], validators=[length(120)])
    contact_name = StringField(LABELS["contact_name"], validators=[length(60)])
    contact_phone = StringField(
        LABELS["contact_phone"],
        validators=[length(30), Regexp(r"^[0-9+\-() ]*$", message=_l("电话号码只能包含数字、空格和 + - ( )。"))],
    )
    contact_email = StringField(
        LABELS["contact_email"], validators=[Optional(), length(254), Email(message=_l("请输入有效的邮箱地址。"))]
    )
    valid_until = LocalDateField(
        LABELS["valid_until"], validators=[Optional()], description=_l("到期后自动下线，默认一年。")
    )
    attachments = MultipleFileField(
        _l("附件"),
        description=_l("PDF、PNG 或 JPEG，可多选；保密内容。"),
        render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"},
    )

    def validate_valid_until(self, field):
        from .visibility import market_today

        if field.data is not None:
            if field.data <= market_today():
                raise ValidationError(_("有效期必须晚于今天。"))
            if field.data > market_today() + timedelta(days=3 * 366):
                raise ValidationError(_("有效期最长三年。"))

    def validate_attachments(self, field):
        """Check every file before anything is written; one bad file refuses the whole form."""
        try:
            uploads = check_uploads(field.data, current_app.config["ATTACHMENT_MAX_BYTES"])
        except AttachmentError as err:
            raise ValidationError(str(err)) from err
        self.uploads = uploads

    def values(self):
        out = super().values()
        out["trl"] = int(self.trl.data) if self.trl.data else None
        out["summary"] = self.summary.data
        out["description"] = self.description.data or ""
        return out


class NeedForm(ListingForm):
    price_wan = StringField(_l("预算（万元）"), description=_l("单位：万元，可填小数；或勾选“面议”。"))
    cooperation_modes = MultiCheckboxField(_l("期望合作方式"), choices=taxonomy.choices(taxonomy.COOPERATION_MODES))
    summary = TextAreaField(_l("需求描述"), validators=[DataRequired(message=_l("请填写需求描述。")), length(5000)])
    indicators = TextAreaField(
        LABELS["indicators"],
        validators=[Optional(), length(5000)],
        description=_l("如：续航≥10年、功耗≤2.4mW、工作温度-40~85℃"),
    )
    deadline = LocalDateField(LABELS["deadline"], validators=[Optional()])
    min_maturity = _select(taxonomy.MATURITIES, LABELS["min_maturity"], placeholder=_l("不限"))
    region = _select(taxonomy.REGIONS, LABELS["region"], required=_l("请选择所在地区。"))
    hide_org_name = BooleanField(_l("对外隐藏企业名称（显示为“某企业”）"))

    def validate_deadline(self, field):
        from .visibility import market_today

        if field.data is not None and field.data < market_today():
            raise ValidationError(_("截止日期不能早于今天。"))

    def values(self):
        out = super().values()
        out["summary"] = self.summary.data
        out["hide_org_name"] = bool(self.hide_org_name.data)
        return out


FORMS = {"achievement": AchievementForm, "need": NeedForm}


class ReasonForm(NormalisedForm):
    reason = TextAreaField(_l("原因"), validators=[length(500)])


class RequiredReasonForm(NormalisedForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(message=_l("请填写原因。")), length(500)])


class ExtendForm(NormalisedForm):
    valid_until = LocalDateField(LABELS["valid_until"], validators=[DataRequired(message=_l("请填写新的有效期。"))])

    def validate_valid_until(self, field):
        from .visibility import market_today

        if field.data is not None and field.data <= market_today():
            raise ValidationError(_("新的有效期必须晚于今天。"))
