import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """Work a person's click was accepted for (a seal, a seal and submit, a mail), kept until it is
    done or has failed for a reason the person is shown.

    `key` names what the job produces (e.g. the seal of application 7 at content version ab12…), so a
    second click for the same result finds this job instead of starting another. A worker holds a job
    for a lease; a job whose lease ran out (its worker died) is taken up again. `accepted_at` is the
    moment of the click: the work is judged against the call's windows at that moment, whenever it runs.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    key = models.CharField(max_length=200, unique=True)
    handler = models.CharField(max_length=200)
    queue = models.CharField(max_length=32, default="default")
    params = models.JSONField(default=dict)
    what = models.CharField(_("任务"), max_length=200, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("受理时间"))
    # The click that started a batch: the progress a person sees is over the jobs of one batch.
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    application = models.ForeignKey(
        "applications.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    run_after = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    result = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["queue", "state", "run_after"])]

    def __str__(self) -> str:
        return self.what or self.key

    @staticmethod
    def new_batch() -> uuid.UUID:
        return uuid.uuid4()
