import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from shenbao import normalise
from shenbao.calls.models import Call
from shenbao.organisations.models import Unit

from .search import search_text


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
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交单位")
        RETURNED_BY_UNIT = "returned_by_unit", _("单位退回修改")
        UNIT_APPROVED = "unit_approved", _("单位审核通过")
        SEALED = "sealed", _("已签章")
        SUBMITTED_TO_RECOMMENDER = "to_recommender", _("已报送归口管理部门")
        RETURNED_BY_RECOMMENDER = "returned_by_recommender", _("归口管理部门退回")
        RECOMMENDED = "recommended", _("已推荐")
        NOT_RECOMMENDED = "not_recommended", _("不予推荐")

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
    call = models.ForeignKey(Call, verbose_name=_("申报批次"), on_delete=models.PROTECT, related_name="applications")
    unit = models.ForeignKey(Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), on_delete=models.PROTECT, related_name="applications"
    )
    category = models.CharField(_("类别"), max_length=8, blank=True)
    title = models.CharField(_("项目名称"), max_length=300, blank=True)
    pi_id_number = models.CharField(_("项目负责人身份证号"), max_length=18, blank=True, db_index=True)
    data = models.JSONField(_("申报书内容"), default=dict, encoder=Utf8JSONEncoder)
    # Optimistic lock: a save must name the version it edited, so a stale tab cannot overwrite newer work.
    version = models.PositiveIntegerField(_("版本"), default=1)
    # Each section has its own version, so two tabs on different sections never refuse each other's
    # saves: section slug → version (a section never saved is at version 1).
    section_versions = models.JSONField(_("各部分版本"), default=dict, blank=True)
    # What a person typed that could not become a document value ("三篇" as a quantity), kept with its
    # message until corrected: section slug → {field path → {"value": typed, "message": why}}.
    invalid_inputs = models.JSONField(_("未能识别的输入"), default=dict, blank=True, encoder=Utf8JSONEncoder)
    # The formal review's findings, stored when they are computed, for the version they were computed for:
    # queues read them instead of reviewing every document on every view (findings.py says when they
    # go stale).
    findings = models.JSONField(_("形式审查结果"), default=list, blank=True, encoder=Utf8JSONEncoder)
    bars = models.PositiveSmallIntegerField(_("不符合项数"), default=0)
    warnings = models.PositiveSmallIntegerField(_("请核实项数"), default=0)
    findings_version = models.PositiveIntegerField(_("形式审查所依据的版本"), default=0)
    state = models.CharField(_("状态"), max_length=32, choices=State.choices, default=State.DRAFT, db_index=True)
    receipt_no = models.CharField(_("受理编号"), max_length=32, blank=True, db_index=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    # The sealed 申报书 (two PAdES signatures); emptied when the application is returned (the seal is void).
    sealed_pdf = models.FileField(_("已签章申报书"), upload_to="sealed/", blank=True, max_length=200)
    sealed_at = models.DateTimeField(_("签章时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # What the overview's search box looks in (title, PI, lead unit, keywords, receipt number),
    # normalised; a copy of the document like the columns above. See search.py.
    search_text = models.TextField(_("检索文本"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("申报书")
        verbose_name_plural = _("申报书")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["call", "unit", "state"]),
            models.Index(fields=["call", "category", "state"]),
            # One PI's applications of a call: the rules' peers, read for every staff view and submission.
            models.Index(fields=["call", "pi_id_number"]),
        ]

    def __str__(self) -> str:
        return self.title or _("申报书 %(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        # The columns queues and the batch review filter on are copies of the document: never let them drift.
        data = self.data if isinstance(self.data, dict) else {}
        pi = data.get("pi") if isinstance(data.get("pi"), dict) else {}
        self.category = str(data.get("category") or "")[:8]
        self.title = str(data.get("title") or "")[:300]
        self.pi_id_number = normalise.code(pi.get("id_number"))[:18]
        self.search_text = search_text(data, self.receipt_no)
        updated = kwargs.get("update_fields")
        if updated is not None and "data" in updated:
            updated = {*updated, "category", "title", "pi_id_number", "search_text"}
        if updated is not None and "receipt_no" in updated:
            updated = {*updated, "search_text"}
        if updated is not None:
            kwargs["update_fields"] = updated
        super().save(*args, **kwargs)

    def section_version(self, slug: str) -> int:
        versions = self.section_versions if isinstance(self.section_versions, dict) else {}
        return int(versions.get(slug, 1))


class SimilarityEntry(models.Model):
    """One document in the near-duplicate index (一(三)7): a submitted application of a call, or a
    project funded earlier (compared with every call). `text` is what is compared (title and the start
    of the abstract, normalised); its LSH band keys are `bands`. See applications/similarity.py."""

    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="similarity"
    )
    funded_project = models.OneToOneField(
        "rules.FundedProject", null=True, blank=True, on_delete=models.CASCADE, related_name="similarity"
    )
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("索引所依据的版本"), default=0)
    title = models.CharField(_("项目名称"), max_length=300)
    source = models.CharField(_("来源"), max_length=40)
    text = models.CharField(_("比对文本"), max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = _("相似申报索引")

    def __str__(self) -> str:
        return self.title


class SimilarityBand(models.Model):
    """One LSH band key of an indexed document: documents sharing a key are candidates."""

    entry = models.ForeignKey(SimilarityEntry, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField(_("分段键"), db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = _("相似申报索引分段")

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.key}"
