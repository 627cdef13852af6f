from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .spec import CallSpec, parse_call


class Call(models.Model):
    """A funding call. Its rules are `data`, the validated call file; `spec` is the typed view of it."""

    code = models.SlugField(_("批次代码"), max_length=64, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    data = models.JSONField(_("指南数据"))
    source = models.CharField(_("来源文件"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示批次"), default=False)
    is_active = models.BooleanField(_("当前批次"), default=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报批次")
        verbose_name_plural = _("申报批次")
        ordering = ["-is_active", "-loaded_at"]

    def __str__(self) -> str:
        return self.title

    @cached_property
    def spec(self) -> CallSpec:
        return parse_call(self.data, f"call {self.code}")


class WindowExtension(models.Model):
    """The department moves a window's close for one unit, one recommender or the whole call, with a
    reason (as Sichuan did in 2025 when its system jammed). `calls.windows` applies it everywhere."""

    class Which(models.TextChoices):
        FILING = "filing", _("申报受理")
        RECOMMENDATION = "recommendation", _("推荐确认")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="extensions")
    which = models.CharField(_("时间段"), max_length=16, choices=Which.choices)
    unit = models.ForeignKey(
        "organisations.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="extensions"
    )
    recommender = models.ForeignKey(
        "organisations.Recommender", null=True, blank=True, on_delete=models.CASCADE, related_name="extensions"
    )
    closes = models.DateTimeField(_("延长至"))
    reason = models.TextField(_("延期原因"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("批准时间"))

    class Meta:
        verbose_name = verbose_name_plural = _("延期")
        indexes = [models.Index(fields=["call", "which"])]

    def __str__(self) -> str:
        return _("%(which)s延长至%(closes)s") % {
            "which": self.get_which_display(),
            "closes": f"{self.closes:%Y-%m-%d %H:%M}",
        }

    @property
    def target(self) -> str:
        if self.unit_id:
            return str(self.unit)
        if self.recommender_id:
            return str(self.recommender)
        return gettext("全部单位")
