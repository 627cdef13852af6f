from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shenbao.calls.models import Call
from shenbao.organisations.models import Recommender


class ListQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(state=RecommendationList.State.CONFIRMED)


class RecommendationList(models.Model):
    """A recommender's confirmed list for a call (二(二)4): the sealed PDF and the Excel file shenbao
    generates, and the scanned recommendation letter the recommender uploads.

    Confirming takes two short transactions around the rendering: the first writes this row as
    `confirming` with the frozen set of recommended applications, which stops every recommendation
    change of the recommender; the second fills in the files and marks it `confirmed`. A confirmation
    whose process died is recognised by its expired `lease_until` and cleared by the next attempt."""

    class State(models.TextChoices):
        CONFIRMING = "confirming", _("正在确认")
        CONFIRMED = "confirmed", _("已确认")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="recommendation_lists")
    recommender = models.ForeignKey(Recommender, on_delete=models.PROTECT, related_name="lists")
    confirmed_at = models.DateTimeField(_("确认时间"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.CONFIRMED)
    frozen = models.JSONField(_("确认时的推荐项目"), default=list)
    lease_until = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(_("推荐项目清单（签章）"), upload_to="lists/", blank=True, max_length=200)
    xlsx = models.FileField(_("推荐项目清单（Excel）"), upload_to="lists/", blank=True, max_length=200)
    letter = models.FileField(_("推荐文件扫描件"), upload_to="letters/", blank=True, max_length=200)
    letter_uploaded_at = models.DateTimeField(null=True, blank=True)

    objects = ListQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("推荐项目清单")
        constraints = [models.UniqueConstraint(fields=["call", "recommender"], name="one_list_per_recommender")]

    def __str__(self) -> str:
        return f"{self.recommender} · {self.call}"


class Notification(models.Model):
    """The in-app inbox: what happened to something of the person's, with a link to it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message
