"""Password rules with Chinese messages, and the forms that show them on the new-password field.

Django's validators keep their logic here; only their sentences change. Django 5.2's minimum-length
sentence has no zh-hans translation (it came out in English on the 设置密码 page), and its
similarity sentence reads "密码跟 用户名 太相似了". Our own source strings, like every string of
shenbao, are Chinese and translated to English in locale/en.
"""

from django.contrib.auth import password_validation as django_validation
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The attributes a password must not resemble: besides the username and e-mail, the 身份证号 and the
# mobile number, which others know or can find.
USER_ATTRIBUTES = ("username", "email", "id_number", "phone")


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码太短：至少需要%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("至少%(min_length)d个字符") % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def __init__(self, user_attributes=USER_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self):
        return _("密码与%(verbose_name)s太相似，容易被猜中，请换一个。")

    def get_help_text(self):
        return _("不能与用户名、邮箱、身份证号或手机号码相似")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("这是常见密码，容易被猜中，请换一个。")

    def get_help_text(self):
        return _("不能是常见密码")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("密码不能全是数字，请加入字母或符号。")

    def get_help_text(self):
        return _("不能全是数字")


def help_text() -> str:
    """The rules as one plain sentence: the field partial puts help text in a <p>, where Django's
    <ul> of rules would end the paragraph early and leave a stray </p>."""
    rules = [validator.get_help_text() for validator in django_validation.get_default_password_validators()]
    return _("密码要求：%(rules)s。") % {"rules": "；".join(rules)}


class NewPasswordFieldMixin:
    """The rules' errors belong to the new password, where the person types it, not to its
    confirmation; a mismatch stays on the confirmation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = help_text()
        self.fields["new_password2"].help_text = _("请再输入一次新密码，以免输错。")

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return super(SetPasswordForm, self).clean()  # not SetPasswordForm.clean: it checks the confirmation


MISMATCH = gettext_lazy("两次输入的新密码不一致，请重新输入。")


class ChineseSetPasswordForm(NewPasswordFieldMixin, SetPasswordForm):
    error_messages = {**SetPasswordForm.error_messages, "password_mismatch": MISMATCH}


class ChinesePasswordChangeForm(NewPasswordFieldMixin, PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_mismatch": MISMATCH,
        "password_incorrect": gettext_lazy("原密码不正确，请重新输入。"),
    }
