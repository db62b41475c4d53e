"""The verification request form: kind of document, 统一社会信用代码 and the file."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..accounts.forms import _check_credit_code, _upper
from ..text import clean_text

KIND_LABELS = {
    "business_licence": _l("营业执照"),
    "legal_person_certificate": _l("事业单位法人证书 / 社会团体法人登记证书"),
}


class EvidenceForm(FlaskForm):
    kind = SelectField(
        _l("证明文件类型"),
        choices=list(KIND_LABELS.items()),
        validators=[DataRequired(message=_l("请选择证明文件类型。"))],
    )
    credit_code = StringField(
        _l("统一社会信用代码"),
        filters=[clean_text, _upper],
        validators=[
            DataRequired(message=_l("请填写统一社会信用代码。")),
            Length(max=18, message=_l("最多 %(max)d 个字符。")),
        ],
    )
    file = FileField(
        _l("证明文件（PDF、PNG 或 JPEG）"),
        validators=[FileRequired(message=_l("请上传营业执照或法人证书的扫描件或照片。"))],
    )

    def validate_credit_code(self, field):
        _check_credit_code(field)
