"""The department's stage as data: who decided what, when, and why. The Application's own states end
at 已推荐; everything after lives here, one record per decision, so the flow's state machine stays
as it is."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shenbao.applications.models import Application, Utf8JSONEncoder
from shenbao.calls.models import Call


class Snapshot(models.Model):
    """An application exactly as it was handed on: to the unit, to the recommender, at 受理.
    Immutable: written once, never updated or deleted (`save` and `delete` refuse)."""

    class Kind(models.TextChoices):
        TO_UNIT = "to_unit", _("提交单位")
        TO_RECOMMENDER = "to_recommender", _("报送归口管理部门")
        ACCEPTED = "accepted", _("受理")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="snapshots")
    kind = models.CharField(_("环节"), max_length=16, choices=Kind.choices)
    version = models.PositiveIntegerField(_("申报书版本"))
    data = models.JSONField(_("申报书内容"), encoder=Utf8JSONEncoder)
    sealed_pdf = models.CharField(_("已签章申报书"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("申报书快照")
        ordering = ["taken_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "version"], name="one_snapshot_per_handover")
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_kind_display()} · v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("快照不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("快照不可删除。")


class Acceptance(models.Model):
    """受理 or 不予受理 of one recommended application, and its one appeal (复审申请)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("已受理")
        REJECTED = "rejected", _("不予受理")
        APPEALED = "appealed", _("复审中")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="acceptance")
    status = models.CharField(_("受理状态"), max_length=16, choices=Status.choices, db_index=True)
    reason = models.TextField(_("不予受理理由"), blank=True)
    clause = models.CharField(_("依据条款"), max_length=32, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"))
    appeal_reason = models.TextField(_("复审申请理由"), blank=True)
    appealed_at = models.DateTimeField(_("复审申请时间"), null=True, blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal_decision = models.TextField(_("复审意见"), blank=True)
    appeal_decided_at = models.DateTimeField(_("复审决定时间"), null=True, blank=True)
    # The accepted version experts see: frozen at 受理.
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = _("受理")

    def __str__(self) -> str:
        return f"{self.application} · {self.get_status_display()}"


class Expert(models.Model):
    """A person of the 专家库, with a login of role 评审专家."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert")
    name = models.CharField(_("姓名"), max_length=64)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    unit_name = models.CharField(_("工作单位"), max_length=200)
    unit_uscc = models.CharField(_("单位统一社会信用代码"), max_length=18, blank=True, db_index=True)
    title = models.CharField(_("职称"), max_length=64)
    disciplines = models.JSONField(_("学科代码（GB/T 13745）"), default=list)
    phone = models.CharField(_("手机号码"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    available = models.BooleanField(_("可参加评审"), default=True)
    confirmed_at = models.DateTimeField(_("本人确认信息时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评审专家")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ExpertImport(models.Model):
    """An uploaded expert sheet between preview and import: the parsed rows and their errors."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200)
    rows = models.JSONField(encoder=Utf8JSONEncoder)
    errors = models.JSONField(default=list, encoder=Utf8JSONEncoder)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("专家导入")

    def __str__(self) -> str:
        return self.file_name


class Group(models.Model):
    """A review group (评审组): accepted applications of one category (and disciplines), its experts'
    pool and its scoring deadline."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="evaluation_groups")
    name = models.CharField(_("评审组名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=8)
    disciplines = models.JSONField(_("学科代码前缀"), default=list, blank=True)
    applications = models.ManyToManyField(Application, related_name="evaluation_groups", blank=True)
    scoring_closes = models.DateTimeField(_("评分截止时间"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评审组")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """One expert assigned to one application of a group."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("待声明")
        CONFIRMED = "confirmed", _("已声明无利益冲突")
        RELEASED = "released", _("已回避（声明存在利益冲突）")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)
    conflict_reason = models.TextField(_("利益冲突说明"), blank=True)
    # Set when staff assigned by hand against a conflict rule: the rule broken and why.
    override_rule = models.CharField(_("被越过的回避规则"), max_length=64, blank=True)
    override_reason = models.TextField(_("人工指派理由"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("专家指派")
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="one_assignment_per_pair")]
        indexes = [models.Index(fields=["expert", "status"])]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application}"


class Exclusion(models.Model):
    """An expert not assigned to an application because of a conflict rule, with the reason. A person
    of one application is kept from every other application of the group (competitor rule): that is
    one record with no application, rather than one per application."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="exclusions")
    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("空：本组其他全部项目"),
    )
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("规则"), max_length=64)
    reason = models.CharField(_("原因"), max_length=300)

    class Meta:
        verbose_name = verbose_name_plural = _("回避记录")
        indexes = [models.Index(fields=["group", "application"])]

    def __str__(self) -> str:
        return f"{self.expert_id} ✕ {self.application_id}: {self.reason}"


class ScoreSheet(models.Model):
    """An expert's scores for one assignment: a draft until submitted; submitted is final unless
    staff reopen it."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="sheet")
    scores = models.JSONField(_("评分"), default=dict)
    comments = models.JSONField(_("意见"), default=dict, encoder=Utf8JSONEncoder)
    overall_comment = models.TextField(_("综合意见"), blank=True)
    total = models.DecimalField(_("加权总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("退回重评次数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("评分表")

    def __str__(self) -> str:
        return _("评分表 %(id)s") % {"id": self.assignment_id}


class FundingDecision(models.Model):
    """拟立项 of one application with its amount, set by staff from the ranking."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="funding")
    proposed = models.BooleanField(_("拟立项"), default=False)
    amount = models.PositiveIntegerField(_("拟资助金额（元）"), default=0)
    project_code = models.CharField(_("项目编号"), max_length=64, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = _("拟立项")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.amount}"


class CategoryBudget(models.Model):
    """The fiscal budget of one category of a call, against which the funding line is drawn."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=8)
    budget = models.PositiveBigIntegerField(_("预算（元）"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "category"], name="one_budget_per_category")]

    def __str__(self) -> str:
        return f"{self.category}: {self.budget}"


class FundingList(models.Model):
    """The confirmed 拟立项 list of a call: sealed PDF + Excel, then 公示, then 立项."""

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="funding_list")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"))
    rows = models.JSONField(_("清单"), encoder=Utf8JSONEncoder)
    pdf = models.FileField(_("拟立项清单（签章）"), upload_to="funding/", max_length=200)
    xlsx = models.FileField(_("拟立项清单（Excel）"), upload_to="funding/", max_length=200)
    publicity_opens = models.DateTimeField(_("公示开始"), null=True, blank=True)
    publicity_closes = models.DateTimeField(_("公示结束"), null=True, blank=True)
    funded_at = models.DateTimeField(_("立项时间"), null=True, blank=True)
    funded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("拟立项清单")

    def __str__(self) -> str:
        return _("拟立项清单 %(id)s") % {"id": self.call_id}


class ProjectPerson(models.Model):
    """A person of a funded project (PI, 课题负责人, team member): the registry the conflict rule
    "the expert and the PI were on the same project" reads besides the 在研项目库's leaders."""

    project_code = models.CharField(_("项目编号"), max_length=64, db_index=True)
    id_number = models.CharField(_("身份证号"), max_length=18, db_index=True)
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    role = models.CharField(_("角色"), max_length=32, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("项目人员库")

    def __str__(self) -> str:
        return f"{self.project_code} {self.name or self.id_number}"
