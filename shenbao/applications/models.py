import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from shenbao import normalise
from shenbao.calls.models import Call
from shenbao.organisations.models import Unit


class Utf8JSONEncoder(DjangoJSONEncoder):
    """Chinese text stored as itself, not as \\uXXXX escapes: a third smaller and faster to decode
    on SQLite (PostgreSQL's jsonb does not care)."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class Application(models.Model):
    """A 申报书. `data` holds the whole application in the interchange format
    (`shenbao.application/2`, see docs/interchange.md); the columns beside it are what queues,
    quotas and permissions filter on."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交单位"
        RETURNED_BY_UNIT = "returned_by_unit", "单位退回修改"
        UNIT_APPROVED = "unit_approved", "单位审核通过"
        SEALED = "sealed", "已签章"
        SUBMITTED_TO_RECOMMENDER = "to_recommender", "已报送归口管理部门"
        RETURNED_BY_RECOMMENDER = "returned_by_recommender", "归口管理部门退回"
        RECOMMENDED = "recommended", "已推荐"
        NOT_RECOMMENDED = "not_recommended", "不予推荐"

        @classmethod
        def editable_by_applicant(cls) -> set[str]:
            return {cls.DRAFT, cls.RETURNED_BY_UNIT, cls.RETURNED_BY_RECOMMENDER}

        @classmethod
        def at_unit(cls) -> set[str]:
            return {cls.SUBMITTED, cls.UNIT_APPROVED, cls.SEALED}

        @classmethod
        def at_recommender(cls) -> set[str]:
            return {cls.SUBMITTED_TO_RECOMMENDER, cls.RECOMMENDED, cls.NOT_RECOMMENDED}

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, verbose_name="申报批次", on_delete=models.PROTECT, related_name="applications")
    unit = models.ForeignKey(Unit, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申报人", on_delete=models.PROTECT, related_name="applications"
    )
    category = models.CharField("类别", max_length=8, blank=True)
    title = models.CharField("项目名称", max_length=300, blank=True)
    pi_id_number = models.CharField("项目负责人身份证号", max_length=18, blank=True, db_index=True)
    data = models.JSONField("申报书内容", default=dict, encoder=Utf8JSONEncoder)
    # Optimistic lock: a save must name the version it edited, so a stale tab cannot overwrite newer work.
    version = models.PositiveIntegerField("版本", default=1)
    state = models.CharField("状态", max_length=32, choices=State.choices, default=State.DRAFT, db_index=True)
    receipt_no = models.CharField("受理编号", max_length=32, blank=True, db_index=True)
    return_reason = models.TextField("退回原因", blank=True)
    # The sealed 申报书 (two PAdES signatures); emptied when the application is returned (the seal is void).
    sealed_pdf = models.FileField("已签章申报书", upload_to="sealed/", blank=True, max_length=200)
    sealed_at = models.DateTimeField("签章时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "申报书"
        verbose_name_plural = "申报书"
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["call", "unit", "state"]),
            models.Index(fields=["call", "category", "state"]),
        ]

    def __str__(self) -> str:
        return self.title or f"申报书 {self.pk}"

    def save(self, *args, **kwargs):
        # The columns queues and the batch review filter on are copies of the document: never let them drift.
        data = self.data if isinstance(self.data, dict) else {}
        pi = data.get("pi") if isinstance(data.get("pi"), dict) else {}
        self.category = str(data.get("category") or "")[:8]
        self.title = str(data.get("title") or "")[:300]
        self.pi_id_number = normalise.code(pi.get("id_number"))[:18]
        if "update_fields" in kwargs and kwargs["update_fields"] is not None and "data" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "category", "title", "pi_id_number"}
        super().save(*args, **kwargs)
