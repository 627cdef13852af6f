"""The regional registries the formal review consults. Department staff keep them in the admin
(or load them from the registry's export); the rules only ever see them through `registries.py`."""

from django.db import models

from shenbao import normalise


class OngoingProjectRecord(models.Model):
    """A regional S&T project in progress, by its leader (一(二)3)."""

    id_number = models.CharField("负责人身份证号", max_length=18, db_index=True)
    leader_name = models.CharField("负责人姓名", max_length=64, blank=True)
    plan = models.CharField("计划类别", max_length=100)
    project_type = models.CharField("项目类型", max_length=64)
    code = models.CharField("项目编号", max_length=64)
    until = models.DateField("执行期至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "在研项目库"

    def __str__(self) -> str:
        return f"{self.code} {self.leader_name}"

    def save(self, *args, **kwargs):
        self.id_number = normalise.code(self.id_number)[:18]
        super().save(*args, **kwargs)


class DishonestyRecord(models.Model):
    """A unit or person in a punishment period for serious research misconduct (一(四)1)."""

    class Kind(models.TextChoices):
        PERSON = "person", "个人（身份证号）"
        UNIT = "unit", "单位（统一社会信用代码）"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    identifier = models.CharField("身份证号或统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("名称", max_length=200, blank=True)
    # The name as a comparison key (shenbao.normalise.text): a unit a document names without a code.
    name_key = models.CharField("名称（比对用）", max_length=200, blank=True, db_index=True, editable=False)
    until = models.DateField("处罚期至", null=True, blank=True)
    reason = models.TextField("事由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "科研失信记录"

    def __str__(self) -> str:
        return f"{self.name} {self.identifier}"

    def save(self, *args, **kwargs):
        # Looked up by exact value: one spelling (full-width, spaces, hyphens, case) for every code.
        self.identifier = normalise.code(self.identifier)[:18]
        self.name_key = normalise.text(self.name)[:200]
        super().save(*args, **kwargs)


class FundedProject(models.Model):
    """A project funded earlier, for the near-duplicate check (一(三)7)."""

    year = models.PositiveSmallIntegerField("立项年度")
    title = models.CharField("项目名称", max_length=300)
    abstract = models.TextField("摘要", blank=True)
    leader_id_number = models.CharField("负责人身份证号", max_length=18, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "已立项项目"

    def __str__(self) -> str:
        return f"{self.year} {self.title}"
