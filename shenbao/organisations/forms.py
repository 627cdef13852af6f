"""The registration form and the reviewer's decision form. Every message names the field and the rule."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shenbao.calls.spec import CallSpec
from shenbao.documents.fonts import printable_validator
from shenbao.language import cite

from .eligibility import RegistrationDateRule
from .models import Recommender, Unit
from .routing import NoRecommender, recommender_for_division
from .services import REGISTRATION_FIELDS, contact_for
from .uscc import check_uscc

PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")
DIVISION = re.compile(r"^[0-9]{6}$")


class RegistrationForm(forms.ModelForm):
    """Public registration of a unit. `correcting` is the rejected record being corrected, if any."""

    independent_legal_person = forms.TypedChoiceField(
        label=gettext_lazy("具有独立法人资格"),
        choices=[("yes", gettext_lazy("是")), ("no", gettext_lazy("否"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    # Longer than 18 so that a code typed with spaces reaches clean_uscc and gets its real reason.
    uscc = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=40)

    class Meta:
        model = Unit
        fields = REGISTRATION_FIELDS
        widgets = {
            "registered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # what type=date reads
            "route": forms.RadioSelect,
            "division_code": forms.TextInput(attrs={"list": "divisions", "inputmode": "numeric", "maxlength": 6}),
            "uscc": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18, "spellcheck": "false"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }
        help_texts = {
            "uscc": gettext_lazy("18位，见营业执照或法人证书。"),
            "division_code": gettext_lazy(
                "6位行政区划码，如呼和浩特市赛罕区为150105，满洲里市为150781，二连浩特市为152501。"
            ),
            "route": gettext_lazy(
                "有自治区主管厅局的单位由主管部门审核推荐；其他单位由注册地盟市科技局审核推荐（二(二)2）。"
            ),
        }

    def __init__(self, *args, spec: CallSpec, correcting: Unit | None = None, **kwargs):
        super().__init__(*args, instance=correcting or Unit(), **kwargs)
        self.spec = spec
        self.correcting = correcting
        self.fields["unit_type"] = forms.ChoiceField(
            label=_("单位类型"), choices=[("", _("请选择"))] + [(t, spec.term(t)) for t in spec.unit["types"]]
        )
        self.fields["competent_department"].queryset = Recommender.objects.filter(
            kind=Recommender.Kind.DEPARTMENT, is_active=True
        )
        self.fields["competent_department"].help_text = _("选择“有主管部门”时必填。")
        self.fields["registered_on"].help_text = _("营业执照或法人证书上的成立日期。")
        # 一(一)1: a later date is warned about (as it is typed, by site.js, and after submitting), not refused.
        self.date_rule = RegistrationDateRule.of(spec)
        if self.date_rule is not None:
            self.fields["registered_on"].help_text += self.date_rule.rule()
            self.fields["registered_on"].widget.attrs.update(
                {"data-warn-after": self.date_rule.latest.isoformat(), "data-warning": "registered-late"}
            )
        for name in ("name", "legal_representative", "address"):  # printed on the 申报书 and in the seals
            self.fields[name].validators.append(printable_validator(self.fields[name].label))
        if correcting is not None:
            self.initial["independent_legal_person"] = "yes" if correcting.independent_legal_person else "no"

    def validate_unique(self):
        """USCC uniqueness is checked in clean_uscc, with a message that says whom to contact."""

    def clean_uscc(self):
        check = check_uscc(self.cleaned_data.get("uscc", ""))
        if not check.is_valid:
            raise forms.ValidationError(check.error)
        if check.is_government_organ:
            raise forms.ValidationError(
                _(
                    "该统一社会信用代码的登记管理部门和机构类别代码为“11”（机构编制部门登记的机关），政府机关不得作为申报单位或合作单位（%(barred_types_clause)s）。"
                )
                % {"barred_types_clause": cite(self.spec.unit["barred_types_clause"])}
            )
        taken = (
            Unit.objects.filter(uscc=check.code)
            .exclude(status=Unit.Status.REJECTED)
            .exclude(pk=getattr(self.correcting, "pk", None))
            .first()
        )
        if taken is not None:
            contact = contact_for(taken, self.spec)
            where = (
                _("；组织推荐咨询：%(department)s %(phone)s")
                % {"department": self.spec.term(contact.department), "phone": contact.phone}
                if contact.phone
                else ""
            )
            raise forms.ValidationError(
                _(
                    "该统一社会信用代码已由“%(name)s”注册（%(status)s），不能重复注册。如需找回单位管理员账号或变更注册信息，请联系%(recommender)s%(where)s。"
                )
                % {
                    "name": taken.name,
                    "status": taken.get_status_display(),
                    "recommender": contact.recommender,
                    "where": where,
                }
            )
        return check.code

    def clean_unit_type(self):
        unit_type = self.cleaned_data["unit_type"]
        if unit_type in self.spec.unit["barred_types"]:
            raise forms.ValidationError(
                _("%(unit_type)s不得作为申报单位或合作单位，不能注册（%(barred_types_clause)s）。")
                % {
                    "unit_type": self.spec.term(unit_type),
                    "barred_types_clause": cite(self.spec.unit["barred_types_clause"]),
                }
            )
        return unit_type

    def clean_independent_legal_person(self):
        value = self.cleaned_data["independent_legal_person"]
        if not value:
            raise forms.ValidationError(
                _("申报单位须具有独立法人资格（%(registered_clause)s）；非法人单位请由其所属法人单位注册申报。")
                % {"registered_clause": cite(self.spec.unit["registered_clause"])}
            )
        return value

    @property
    def registered_late(self) -> bool:
        """The date entered is after the call's 一(一)1 date (the registration may still go ahead)."""
        registered_on = getattr(self, "cleaned_data", {}).get("registered_on")
        return self.date_rule is not None and self.date_rule.is_late(registered_on)

    def clean_registered_on(self):
        registered_on = self.cleaned_data["registered_on"]
        if registered_on > timezone.localdate():
            raise forms.ValidationError(_("注册（成立）日期不能晚于今天。"))
        return registered_on

    def clean_division_code(self):
        code = self.cleaned_data["division_code"].strip()
        prefix = self.spec.unit["region_division_prefix"]
        if not DIVISION.match(code):
            raise forms.ValidationError(_("注册地行政区划码应为6位数字，如150105。"))
        if not code.startswith(prefix):
            raise forms.ValidationError(
                _("申报单位须在%(region_name)s注册（行政区划码以%(prefix)s开头，%(registered_clause)s）。")
                % {
                    "region_name": self.spec.term(self.spec.unit["region_name"]),
                    "prefix": prefix,
                    "registered_clause": cite(self.spec.unit["registered_clause"]),
                }
            )
        return code

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not PHONE.match(phone):
            raise forms.ValidationError(_("联系电话应为手机号或带区号的固定电话，如13800000000或0471-6000000。"))
        return phone

    def clean(self):
        cleaned = super().clean()
        route = cleaned.get("route")
        if route == Unit.Route.COMPETENT_DEPARTMENT and not cleaned.get("competent_department"):
            self.add_error(
                "competent_department",
                _("有主管部门的单位须选择主管部门（%(routing_clause)s）。")
                % {"routing_clause": cite(self.spec.routing_clause)},
            )
        if route == Unit.Route.LOCAL and cleaned.get("division_code"):
            try:
                recommender_for_division(
                    cleaned["division_code"], Recommender.objects.filter(kind=Recommender.Kind.CITY, is_active=True)
                )
            except NoRecommender:
                self.add_error("division_code", _("该行政区划码不属于任何盟市，无法确定审核推荐部门，请核对。"))
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核意见"),
        choices=[("approve", gettext_lazy("通过")), ("reject", gettext_lazy("不予通过"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("不予通过的原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("不予通过时必填，申报单位将看到该原因。"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("不予通过时须填写原因，申报单位将据此修改后重新提交。"))
        return cleaned


class LookupForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("单位名称或统一社会信用代码"), min_length=2, max_length=200)
