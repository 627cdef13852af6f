"""The regional registries the formal review consults. Department staff keep them in the admin
(or load them from the registry's export); the rules only ever see them through `registries.py`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shenbao import normalise


class OngoingProjectRecord(models.Model):
    """A regional S&T project in progress, by its leader (一(二)3)."""

    id_number = models.CharField(_("负责人身份证号"), max_length=18, db_index=True)
    leader_name = models.CharField(_("负责人姓名"), max_length=64, blank=True)
    plan = models.CharField(_("计划类别"), max_length=100)
    project_type = models.CharField(_("项目类型"), max_length=64)
    code = models.CharField(_("项目编号"), max_length=64)
    until = models.DateField(_("执行期至"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("在研项目库")

    def __str__(self) -> str:
        return f"{self.code} {self.leader_name}"

    def save(self, *args, **kwargs):
        self.id_number = normalise.code(self.id_number)[:18]
        super().save(*args, **kwargs)


class DishonestyRecord(models.Model):
    """A unit or person in a punishment period for serious research misconduct (一(四)1)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("个人（身份证号）")
        UNIT = "unit", _("单位（统一社会信用代码）")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    identifier = models.CharField(_("身份证号或统一社会信用代码"), max_length=18, db_index=True)
    name = models.CharField(_("名称"), max_length=200, blank=True)
    # The name as a comparison key (shenbao.normalise.text): a unit a document names without a code.
    name_key = models.CharField(_("名称（比对用）"), max_length=200, blank=True, db_index=True, editable=False)
    until = models.DateField(_("处罚期至"), null=True, blank=True)
    reason = models.TextField(_("事由"), blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("科研失信记录")

    def __str__(self) -> str:
        return f"{self.name} {self.identifier}"

    def save(self, *args, **kwargs):
        # Looked up by exact value: one spelling (full-width, spaces, hyphens, case) for every code.
        self.identifier = normalise.code(self.identifier)[:18]
        self.name_key = normalise.text(self.name)[:200]
        super().save(*args, **kwargs)


class FundedProject(models.Model):
    """A project funded earlier, for the near-duplicate check (一(三)7)."""

    year = models.PositiveSmallIntegerField(_("立项年度"))
    title = models.CharField(_("项目名称"), max_length=300)
    abstract = models.TextField(_("摘要"), blank=True)
    leader_id_number = models.CharField(_("负责人身份证号"), max_length=18, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("已立项项目")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class RegistryImport(models.Model):
    """One spreadsheet loaded into a registry: validated and previewed first, then applied as a whole,
    and rolled back as a whole (registry_import.py). Department staff only; every step is audited."""

    class Kind(models.TextChoices):
        ONGOING = "ongoing", _("在研项目库")
        DISHONESTY = "dishonesty", _("科研失信记录")
        FUNDED = "funded", _("已立项项目")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("待确认")
        APPLIED = "applied", _("已导入")
        ROLLED_BACK = "rolled_back", _("已撤销")

    kind = models.CharField(_("登记库"), max_length=16, choices=Kind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件SHA-256"), max_length=64)
    rows = models.JSONField(_("校验后的行"), default=list)  # the values to write, as the preview showed them
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="registry_imports"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("登记库导入")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class RegistryImportChange(models.Model):
    """What one applied import did to one registry row, so the import can be undone: `before` is the
    row's values before (null when the import created it)."""

    registry_import = models.ForeignKey(RegistryImport, on_delete=models.CASCADE, related_name="changes")
    object_id = models.PositiveBigIntegerField()
    before = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.registry_import} #{self.object_id}"
