"""Event forms: the operator's event form; times are typed as Asia/Shanghai wall-clock times."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Email, InputRequired, NumberRange, Optional, ValidationError

from .. import taxonomy
from ..listings.forms import MultiCheckboxField, NormalisedForm, SelectField, length
from ..listings.tags import TagError, normalise_tags
from . import vocab

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class LocalDateTimeField(DateTimeLocalField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as err:
            raise ValueError(_("请输入有效的日期和时间，例如 2026-12-31 14:00。")) from err


class CountField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as err:
            raise ValueError(_("请输入整数。")) from err


def _count(label, low, high, missing, out_of_range, default=None):
    """A whole-number field between `low` and `high` with the two Chinese messages."""
    return CountField(
        label,
        default=default,
        validators=[InputRequired(message=missing), NumberRange(min=low, max=high, message=out_of_range)],
    )


def _url_field(label):
    message = _l("请输入以 http:// 或 https:// 开头的有效网址。")
    return StringField(label, validators=[Optional(), length(300), URL(message=message)])


class EventForm(NormalisedForm):
    event_type = SelectField(
        _l("活动类型"),
        choices=taxonomy.choices(vocab.EVENT_TYPES),
        validators=[DataRequired(message=_l("请选择活动类型。"))],
    )
    title = StringField(_l("活动名称"), validators=[DataRequired(message=_l("请填写活动名称。")), length(200)])
    industries = MultiCheckboxField(_l("主题行业"), choices=taxonomy.choices(taxonomy.INDUSTRIES))
    tags = StringField(
        _l("主题关键词"),
        description=_l("用逗号或空格分隔，如：稀土, 永磁, 新能源汽车"),
        validators=[Optional(), length(300)],
    )
    programme = TextAreaField(_l("活动议程与介绍"), validators=[Optional(), length(5000)])
    starts_at = LocalDateTimeField(
        _l("开始时间（北京时间）"), format=DATETIME_FORMATS, validators=[InputRequired(message=_l("请填写开始时间。"))]
    )
    ends_at = LocalDateTimeField(
        _l("结束时间（北京时间）"), format=DATETIME_FORMATS, validators=[InputRequired(message=_l("请填写结束时间。"))]
    )
    registration_deadline = LocalDateTimeField(
        _l("报名截止时间（北京时间）"),
        format=DATETIME_FORMATS,
        validators=[InputRequired(message=_l("请填写报名截止时间。"))],
    )
    venue = StringField(_l("地点"), validators=[Optional(), length(200)])
    online_url = _url_field(_l("线上直播链接"))
    replay_url = _url_field(_l("回放链接（活动结束后）"))
    capacity = _count(_l("容量（人）"), 1, 5000, _l("请填写容量。"), _l("容量应在 1 到 5000 之间。"))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_("结束时间应晚于开始时间。"))

    def validate_registration_deadline(self, field):
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(_("报名截止时间不能晚于开始时间。"))

    def validate(self, extra_validators=None):
        """Field checks, then: a venue or a live-stream link (both optional fields, so checked here)."""
        ok = super().validate(extra_validators)
        if not (self.venue.data or "").strip() and not (self.online_url.data or "").strip():
            self.venue.errors = [*self.venue.errors, _("请填写地点或线上直播链接。")]
            ok = False
        return ok

    def validate_tags(self, field):
        try:
            self.tag_list = normalise_tags(field.data or "")
        except TagError:
            raise ValidationError(_("关键词最多 15 个，每个不超过 40 个字符。")) from None

    def values(self):
        """Form data in the services' terms (UTC times, comma-joined codes)."""
        from .services import to_utc

        return dict(
            event_type=self.event_type.data,
            title=self.title.data.strip(),
            industries=",".join(self.industries.data or []),
            tags=",".join(getattr(self, "tag_list", [])),
            programme=self.programme.data or "",
            starts_at=to_utc(self.starts_at.data),
            ends_at=to_utc(self.ends_at.data),
            registration_deadline=to_utc(self.registration_deadline.data),
            venue=(self.venue.data or "").strip(),
            online_url=(self.online_url.data or "").strip(),
            replay_url=(self.replay_url.data or "").strip(),
            capacity=self.capacity.data,
        )

    def load(self, event):
        from .services import local_naive

        for name in ("event_type", "title", "programme", "venue", "online_url", "replay_url", "capacity"):
            getattr(self, name).data = getattr(event, name)
        self.industries.data = event.industry_codes
        self.tags.data = ", ".join(event.tag_names)
        self.starts_at.data = local_naive(event.starts_at)
        self.ends_at.data = local_naive(event.ends_at)
        self.registration_deadline.data = local_naive(event.registration_deadline)


class MeetingSettingsForm(NormalisedForm):
    """The operator's 1:1 meeting settings: time slots, tables and the per-person cap."""

    meetings_start = LocalDateTimeField(
        _l("第一个洽谈时段开始（北京时间）"),
        format=DATETIME_FORMATS,
        validators=[InputRequired(message=_l("请填写开始时间。"))],
    )
    slot_minutes = _count(
        _l("每个时段（分钟）"), 5, 120, _l("请填写时段长度。"), _l("时段长度应在 5 到 120 分钟之间。"), 20
    )
    slot_count = _count(_l("时段数"), 1, 48, _l("请填写时段数。"), _l("时段数应在 1 到 48 之间。"), 12)
    tables = _count(_l("洽谈桌数"), 1, 500, _l("请填写桌数。"), _l("桌数应在 1 到 500 之间。"), 20)
    meeting_cap = _count(_l("每人最多洽谈场数"), 1, 48, _l("请填写每人上限。"), _l("每人上限应在 1 到 48 之间。"), 6)


class ExpertForm(NormalisedForm):
    """An expert of the pool, kept by operators."""

    name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请填写姓名。")), length(60)])
    email = StringField(
        _l("邮箱"),
        validators=[DataRequired(message=_l("请填写邮箱。")), length(254), Email(message=_l("请输入有效的邮箱地址。"))],
    )
    organisation = StringField(
        _l("所在单位（平台上已有的机构名称）"), validators=[DataRequired(message=_l("请填写所在单位。")), length(120)]
    )
    title = StringField(_l("职称"), validators=[Optional(), length(60)])
    fields = StringField(_l("专业领域"), validators=[Optional(), length(200)])
    industries = MultiCheckboxField(_l("熟悉的行业"), choices=taxonomy.choices(taxonomy.INDUSTRIES))
    profile = TextAreaField(_l("简介"), validators=[Optional(), length(2000)])

    def validate_organisation(self, field):
        from ..accounts.services import find_organisation_by_name

        self.organisation_obj = find_organisation_by_name(field.data.strip())
        if self.organisation_obj is None:
            raise ValidationError(_("平台上没有这个机构，请填写已注册机构的全称。"))


class ScoreForm(NormalisedForm):
    """The score sheet: one 1–10 score per criterion of the sheet, and comments (or the written assessment)."""

    comments = TextAreaField(_l("评审意见"), validators=[Optional(), length(3000)])
    sheet = ()

    def scores(self):
        return {line.code: self[line.code].data for line in self.sheet}


def sheet_form(sheet, row, text, text_label=None):
    """The score sheet form of `sheet` (criteria.Line), showing `row`'s submitted scores and `text` on first view;
    `text_label` makes the text box the required written assessment."""
    attrs = {
        line.code: _count(line.name, vocab.SCORE_MIN, vocab.SCORE_MAX, _l("请打分。"), _l("分数应在 1 到 10 之间。"))
        for line in sheet
    }
    attrs["sheet"] = sheet
    if text_label is not None:
        attrs["comments"] = TextAreaField(
            text_label,
            validators=[DataRequired(message=_l("请填写书面评估意见。")), length(10000)],
        )
    form = type("SheetForm", (ScoreForm,), attrs)()
    if not form.is_submitted() and row.submitted_at:
        for line in sheet:
            form[line.code].data = row.scores.get(line.code)
        form.comments.data = text
    return form


class AssessmentRequestForm(NormalisedForm):
    """A financial institution's request for a technology assessment of an achievement."""

    message = TextAreaField(
        _l("评估需求"),
        description=_l("希望专家重点评估的问题，如技术成熟度、知识产权、产业化前景。"),
        validators=[DataRequired(message=_l("请填写评估需求。")), length(2000)],
    )
