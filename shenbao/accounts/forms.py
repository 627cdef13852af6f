import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shenbao.documents.fonts import printable_validator
from shenbao.organisations.uscc import shaped_like_uscc

from .id_number import check_id_number
from .models import User

USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{3,32}$")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


class ApplicantForm(forms.ModelForm):
    """A new applicant account. Sex and birth date are read from the 身份证号, never typed."""

    class Meta:
        model = User
        fields = ["real_name", "id_number", "username", "phone", "email"]
        help_texts = {
            "username": gettext_lazy("3-32位字母、数字或 _ . -，申报人用它登录。"),
            "id_number": gettext_lazy("18位居民身份证号，性别和出生日期由号码读取。"),
        }

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        for name in ("real_name", "id_number", "phone", "email"):
            self.fields[name].required = True
        self.fields["phone"].label = _("手机号码")
        self.fields["real_name"].validators.append(printable_validator(self.fields["real_name"].label))  # the PI

    def validate_unique(self):
        """Uniqueness is checked field by field below, with messages a unit admin can act on."""

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not USERNAME.match(username):
            raise forms.ValidationError(_("用户名应为3-32位字母、数字或 _ . -。"))
        if shaped_like_uscc(username):
            raise forms.ValidationError(
                _("形如统一社会信用代码（18位）的用户名留给单位管理员，申报人请换一个用户名，如姓名拼音。")
            )
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("用户名“%(username)s”已被使用，请换一个。") % {"username": username})
        return username

    def clean_id_number(self):
        check = check_id_number(self.cleaned_data["id_number"], today=timezone.localdate())
        if not check.is_valid:
            raise forms.ValidationError(check.error)
        twin = User.objects.filter(unit=self.unit, role=User.Role.APPLICANT, id_number=check.number).first()
        if twin is not None:
            raise forms.ValidationError(
                _("本单位已为该身份证号开设申报人账号（用户名 %(username)s）。一人一个账号；忘记密码请在列表中重置。")
                % {"username": twin.username}
            )
        self.id_check = check
        return check.number

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not MOBILE.match(phone):
            raise forms.ValidationError(_("手机号码应为11位，以1开头，如13800000000。"))
        return phone

    def account_values(self) -> dict:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["sex"] = self.id_check.sex
        values["birth_date"] = self.id_check.birth_date
        return values
