import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shenbao import language


class Recommender(models.Model):
    """归口管理部门: a 盟市 bureau, a 厅局, or a direct-report unit recommending itself (二(二)2)."""

    class Kind(models.TextChoices):
        CITY = "city", _("盟市科技管理部门")
        DEPARTMENT = "department", _("自治区有关部门（厅局）")
        DIRECT = "direct", _("直报单位")

    class QuotaType(models.TextChoices):
        CITY = "city", _("盟市限额")
        OTHER = "other", _("其他推荐单位限额")

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    # From the call file's [en] table (routing.sync_recommenders); shown when a person chooses English.
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    divisions = models.JSONField(_("所辖行政区划码前缀"), default=list, blank=True)
    quota_type = models.CharField(_("限额类型"), max_length=8, choices=QuotaType.choices)
    # Category code → quota, where this recommender's quota differs from its quota type's (二(二)3).
    quota_overrides = models.JSONField(_("限额调整（类别代码: 数量）"), default=dict, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("归口管理部门")
        verbose_name_plural = _("归口管理部门")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language: the English name when English is chosen and known."""
        return self.name_en if self.name_en and not language.chinese() else self.name


class Unit(models.Model):
    """A unit (申报单位): registered publicly, routed to its recommender, approved there."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    class Route(models.TextChoices):
        LOCAL = "local", _("属地管理：由注册地盟市科技局审核推荐")
        COMPETENT_DEPARTMENT = "department", _("有主管部门（自治区有关厅局）：由主管部门审核推荐")
        DIRECT = "direct", _("直报单位（中央驻区单位、自治区高校、科研院所、无主管部门单位）：单位内部审核后直接推荐")

    name = models.CharField(_("单位名称"), max_length=200)
    # Unique among live registrations (see Meta): a rejected one stays as it was when someone registers
    # the code afresh, so its contacts and private link never pass to whoever comes next.
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    unit_type = models.CharField(_("单位类型"), max_length=32)
    independent_legal_person = models.BooleanField(_("具有独立法人资格"))
    registered_on = models.DateField(_("注册（成立）日期"))
    division_code = models.CharField(_("注册地行政区划码"), max_length=6)
    route = models.CharField(_("推荐渠道"), max_length=16, choices=Route.choices)
    competent_department = models.ForeignKey(
        Recommender, verbose_name=_("主管部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recommender = models.ForeignKey(
        Recommender,
        verbose_name=_("归口管理部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=64)
    contact_name = models.CharField(_("联系人"), max_length=64)
    phone = models.CharField(_("联系电话"), max_length=32)
    email = models.EmailField(_("电子邮箱"))
    address = models.CharField(_("通讯地址"), max_length=200)

    status = models.CharField(_("审核状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(_("未通过原因"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # The registrant's private link to follow the registration before any account exists.
    tracking_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报单位")
        verbose_name_plural = _("申报单位")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recommender", "status"]), models.Index(fields=["name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(status="rejected"), name="one_live_registration_per_uscc"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_direct_report(self) -> bool:
        return self.route == self.Route.DIRECT
