"""Forms of the matching feature."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..text import clean_text
from .models import DISMISS_REASONS

DISMISS_LABELS = {code: label for code, (label, _penalty) in DISMISS_REASONS.items()}


class DismissForm(FlaskForm):
    """Dismiss one suggestion of a listing, with a reason."""

    candidate_id = HiddenField(validators=[DataRequired(message=_l("缺少推荐条目。"))])
    reason = SelectField(
        _l("原因"), choices=list(DISMISS_LABELS.items()), validators=[DataRequired(message=_l("请选择原因。"))]
    )
    note = StringField(
        _l("补充说明"),
        filters=[clean_text],
        validators=[Optional(), Length(max=200, message=_l("不能超过 200 个字。"))],
    )

    def validate_candidate_id(self, field):
        try:
            field.data = int(clean_text(field.data))
        except (TypeError, ValueError):
            raise ValidationError(_l("推荐条目无效。")) from None


class SavedSearchForm(FlaskForm):
    """Keywords of a saved search; facets come from the same request (kind, industry, region, ...)."""

    q = StringField(
        _l("关键词"), filters=[clean_text], validators=[Optional(), Length(max=200, message=_l("不能超过 200 个字。"))]
    )
