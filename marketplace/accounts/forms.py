"""Forms of the accounts feature. Input is NFKC-normalised and trimmed by filters before it is validated."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from .. import taxonomy
from ..privacy.forms import PrivacyConsentMixin
from .passwords import normalise_password, password_problem
from .services import find_organisation_by_name
from .validation import clean_email, clean_text, credit_code_problem, email_problem, phone_is_valid

LOCALES = [("zh", "中文"), ("en", "English")]


class MultiCheckboxField(SelectMultipleField):
    """A group of check boxes (rendered as a fieldset by _macros/forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _upper(value):
    return value.upper() if value else value


def _max(n):
    return Length(max=n, message=_l("最多 %(max)d 个字符。"))


def _required(message):
    return DataRequired(message=message)


def _blank_first(vocabulary):
    return [("", _l("请选择"))] + taxonomy.choices(vocabulary)


def _email_field(label=_l("邮箱")):
    return StringField(label, filters=[clean_email], validators=[_required(_l("请填写邮箱。")), _max(254)])


def _check_email_format(field):
    if email_problem(field.data):
        raise ValidationError(_l("邮箱格式不正确，例如 zhangsan@example.cn。"))


def _check_phone(field):
    if field.data and not phone_is_valid(field.data):
        raise ValidationError(_l("电话号码格式不正确，只能包含数字、空格、+、- 和括号。"))


def _check_credit_code(field):
    problem = credit_code_problem(field.data) if field.data else None
    if problem == "length":
        raise ValidationError(_l("统一社会信用代码应为 18 位。"))
    if problem == "chars":
        raise ValidationError(_l("统一社会信用代码只能包含数字和大写字母（不含 I、O、S、V、Z）。"))
    if problem == "check":
        raise ValidationError(_l("统一社会信用代码的校验位不正确，请核对。"))


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[_required(_l("请填写密码。"))],
        description=_l("至少 8 个字符，可以是一句容易记住的话；不能是常见密码。"),
    )


class NewPasswordForm(FlaskForm):
    """A new password typed twice; checked against the password policy."""

    password = _new_password_field(_l("新密码"))
    confirm = PasswordField(_l("确认密码"), validators=[_required(_l("请再次输入密码。"))])

    def validate_password(self, field):
        problem = password_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_confirm(self, field):
        if normalise_password(field.data) != normalise_password(self.password.data):
            raise ValidationError(_l("两次输入的密码不一致。"))


class OrganisationFieldsMixin:
    """Checks shared by the registration form (new organisation) and the organisation form."""

    def check_organisation_name(self, field, current=None):
        if not field.data:
            raise ValidationError(_l("请填写机构名称。"))
        existing = find_organisation_by_name(field.data)
        if existing is not None and existing is not current:
            raise ValidationError(self.duplicate_org_message)

    duplicate_org_message = _l("该机构名称已被使用。")


class RegisterForm(NewPasswordForm, OrganisationFieldsMixin, PrivacyConsentMixin):
    email = _email_field()
    name = StringField(_l("姓名"), filters=[clean_text], validators=[_required(_l("请填写姓名。")), _max(60)])
    phone = StringField(_l("联系电话（选填）"), filters=[clean_text], validators=[_max(30)])
    password = _new_password_field(_l("密码"))
    role = SelectField(
        _l("身份"),
        choices=[("", _l("请选择"))] + [(code, taxonomy.ROLES[code]) for code in taxonomy.SELF_SERVICE_ROLES],
        validators=[_required(_l("请选择身份。"))],
    )
    org_choice = RadioField(
        _l("所属机构"),
        choices=[("new", _l("新建机构")), ("existing", _l("加入已有机构"))],
        default="new",
        validators=[_required(_l("请选择新建机构或加入已有机构。"))],
    )
    org_name = StringField(
        _l("机构名称"),
        filters=[clean_text],
        validators=[_max(120)],
        description=_l("请填写全称，如：南昌大学、江西省科学院"),
    )
    org_type = SelectField(_l("机构类型"), choices=_blank_first(taxonomy.ORG_TYPES))
    region = SelectField(_l("所在地区"), choices=_blank_first(taxonomy.REGIONS))
    credit_code = StringField(_l("统一社会信用代码（选填）"), filters=[clean_text, _upper], validators=[_max(18)])
    qualifications = MultiCheckboxField(_l("企业资质（企业填写）"), choices=taxonomy.choices(taxonomy.QUALIFICATIONS))
    existing_org_name = StringField(
        _l("已有机构的全称"),
        filters=[clean_text],
        validators=[_max(120)],
        description=_l("加入已有机构需运营人员确认后才能以该机构名义发布和对接。"),
    )

    duplicate_org_message = _l("该机构已存在，如需加入请选择“加入已有机构”。")
    existing_organisation = None

    @property
    def creates_organisation(self):
        return self.org_choice.data != "existing"

    def validate_email(self, field):
        # No "already registered" here: the view answers the same for every address (no enumeration).
        _check_email_format(field)

    def validate_phone(self, field):
        _check_phone(field)

    def validate_org_name(self, field):
        if self.creates_organisation:
            self.check_organisation_name(field)

    def validate_org_type(self, field):
        if self.creates_organisation and not field.data:
            raise ValidationError(_l("请选择机构类型。"))

    def validate_region(self, field):
        if self.creates_organisation and not field.data:
            raise ValidationError(_l("请选择所在地区。"))

    def validate_credit_code(self, field):
        if self.creates_organisation:
            _check_credit_code(field)

    def validate_existing_org_name(self, field):
        if self.creates_organisation:
            return
        if not field.data:
            raise ValidationError(_l("请填写要加入的机构全称。"))
        self.existing_organisation = find_organisation_by_name(field.data)
        if self.existing_organisation is None:
            raise ValidationError(_l("没有找到这个名称的机构，请核对全称（需与平台登记的名称完全一致）。"))

    def new_organisation_fields(self):
        return {
            "name": self.org_name.data,
            "org_type": self.org_type.data,
            "region": self.region.data,
            "credit_code": self.credit_code.data or None,
            "qualifications": self.qualifications.data if self.org_type.data == "enterprise" else [],
        }


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("密码"), validators=[_required(_l("请填写密码。")), _max(1000)])
    remember = BooleanField(_l("在这台设备上保持登录（14 天）"))


def _current_password_field():
    # Checked by the view (security_views.reauthenticated), through the sign-in throttle.
    return PasswordField(
        _l("当前密码"),
        validators=[_required(_l("请填写当前密码。")), _max(1000)],
        description=_l("为确认是您本人操作，请输入当前密码。"),
    )


class PasswordChangeForm(NewPasswordForm):
    current_password = _current_password_field()

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class EmailChangeForm(FlaskForm):
    email = _email_field(_l("新的登录邮箱"))
    current_password = _current_password_field()

    def validate_email(self, field):
        _check_email_format(field)


class ResetRequestForm(FlaskForm):
    email = _email_field(_l("注册邮箱"))

    def validate_email(self, field):
        _check_email_format(field)


class ResetPasswordForm(NewPasswordForm):
    pass


class ProfileForm(FlaskForm):
    name = StringField(_l("姓名"), filters=[clean_text], validators=[_required(_l("请填写姓名。")), _max(60)])
    phone = StringField(_l("联系电话（选填）"), filters=[clean_text], validators=[_max(30)])
    locale = SelectField(_l("界面语言"), choices=LOCALES, validators=[_required(_l("请选择界面语言。"))])

    def validate_phone(self, field):
        _check_phone(field)


class OrganisationForm(FlaskForm, OrganisationFieldsMixin):
    name = StringField(_l("机构名称"), filters=[clean_text], validators=[_required(_l("请填写机构名称。")), _max(120)])
    org_type = SelectField(
        _l("机构类型"), choices=taxonomy.choices(taxonomy.ORG_TYPES), validators=[_required(_l("请选择机构类型。"))]
    )
    region = SelectField(
        _l("所在地区"), choices=taxonomy.choices(taxonomy.REGIONS), validators=[_required(_l("请选择所在地区。"))]
    )
    credit_code = StringField(_l("统一社会信用代码（选填）"), filters=[clean_text, _upper], validators=[_max(18)])
    qualifications = MultiCheckboxField(_l("企业资质（企业填写）"), choices=taxonomy.choices(taxonomy.QUALIFICATIONS))
    description = TextAreaField(_l("机构简介"), filters=[clean_text], validators=[_max(2000)])
    website = StringField(_l("网站（选填）"), filters=[clean_text], validators=[_max(200)])

    def __init__(self, organisation, *args, **kwargs):
        super().__init__(*args, obj=organisation, **kwargs)
        self.organisation = organisation
        if not self.is_submitted():
            self.qualifications.data = organisation.qualification_codes

    def validate_name(self, field):
        self.check_organisation_name(field, current=self.organisation)

    def validate_credit_code(self, field):
        _check_credit_code(field)

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("网址应以 http:// 或 https:// 开头。"))

    def changed_fields(self):
        return {
            "name": self.name.data,
            "org_type": self.org_type.data,
            "region": self.region.data,
            "credit_code": self.credit_code.data or None,
            "description": self.description.data or "",
            "website": self.website.data or None,
        }
