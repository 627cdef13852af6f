from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from shenbao.organisations.models import Recommender, Unit


class User(AbstractUser):
    """One login. Its role decides its home page and what it may touch; its unit or recommender
    decides which objects are its own."""

    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申报人")
        UNIT_ADMIN = "unit_admin", _("单位管理员")
        RECOMMENDER = "recommender", _("归口管理部门")
        DEPARTMENT = "department", _("科技厅")
        EXPERT = "expert", _("评审专家")

    class Sex(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.APPLICANT)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    recommender = models.ForeignKey(
        Recommender,
        verbose_name=_("所属归口管理部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    real_name = models.CharField(_("姓名"), max_length=64, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("手机号码"), max_length=32, blank=True)
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # One applicant account per person within a unit.
            models.UniqueConstraint(
                fields=["unit", "id_number"],
                condition=models.Q(role="applicant") & ~models.Q(id_number=""),
                name="one_applicant_per_id_number_per_unit",
            )
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.role == self.Role.APPLICANT

    @property
    def is_unit_admin(self) -> bool:
        return self.role == self.Role.UNIT_ADMIN

    @property
    def is_recommender_staff(self) -> bool:
        return self.role == self.Role.RECOMMENDER

    @property
    def is_department_staff(self) -> bool:
        return self.role == self.Role.DEPARTMENT

    @property
    def is_expert(self) -> bool:
        return self.role == self.Role.EXPERT

    @property
    def acting_recommender_id(self) -> int | None:
        """The recommender this person acts for: its staff, or the admin of a direct-report unit,
        which recommends its own applications (二(二)2)."""
        if self.is_recommender_staff:
            return self.recommender_id
        if self.is_unit_admin and self.unit_id and self.unit.route == "direct":
            return self.unit.recommender_id
        return None
