from django.conf import settings
from django.db import models

from shenbao.calls.models import Call
from shenbao.organisations.models import Recommender


class RecommendationList(models.Model):
    """A recommender's confirmed list for a call (二(二)4): the sealed PDF and the Excel file shenbao
    generates, and the scanned recommendation letter the recommender uploads."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="recommendation_lists")
    recommender = models.ForeignKey(Recommender, on_delete=models.PROTECT, related_name="lists")
    confirmed_at = models.DateTimeField("确认时间")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField("推荐项目清单（签章）", upload_to="lists/", max_length=200)
    xlsx = models.FileField("推荐项目清单（Excel）", upload_to="lists/", max_length=200)
    letter = models.FileField("推荐文件扫描件", upload_to="letters/", blank=True, max_length=200)
    letter_uploaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "推荐项目清单"
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
