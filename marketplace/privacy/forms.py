"""Forms of the privacy feature: consent at registration (a mixin of RegisterForm) and account deletion."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, ValidationError
from wtforms.validators import DataRequired


class PrivacyConsentMixin:
    """Adds the consent check box to a form; registration is refused without it."""

    accept_privacy = BooleanField(
        _l("我已阅读并同意《隐私政策》和《个人信息收集清单》"),
        validators=[DataRequired(message=_l("请阅读并同意《隐私政策》后再注册。"))],
    )


class DeleteAccountForm(FlaskForm):
    """Deleting the account needs the password again and an explicit acknowledgement."""

    password = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请填写当前密码。"))])
    understood = BooleanField(
        _l("我了解：注销后无法恢复，个人信息将被删除"), validators=[DataRequired(message=_l("请勾选确认后再注销。"))]
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field):
        from ..accounts.services import check_password

        if not check_password(self.user, field.data):
            raise ValidationError(_l("当前密码不正确。"))
