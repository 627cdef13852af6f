"""一(四) and 二(一)3: declarations, ethics, and the attachments the application requires."""

from collections.abc import Iterator

from shenbao.language import gettext as _
from shenbao.language import gettext_lazy

from ..context import ReviewContext
from ..findings import Finding, Severity, bar, incomplete
from ..required_attachments import attachment_defects, missing_attachments, why_missing
from ..snapshot import Snapshot

# (key, code, the question when unanswered, the breach when answered 否)
DECLARATIONS = (
    (
        "integrity_commitment_unit",
        "integrity.unit_commitment",
        gettext_lazy("牵头单位是否已签署科研诚信承诺"),
        gettext_lazy("牵头单位须签署科研诚信承诺。"),
    ),
    (
        "integrity_commitment_pi",
        "integrity.pi_commitment",
        gettext_lazy("项目负责人是否已签署科研诚信承诺"),
        gettext_lazy("项目负责人须签署科研诚信承诺。"),
    ),
    (
        "not_classified",
        "integrity.not_classified",
        gettext_lazy("申报材料是否不涉及国家秘密"),
        gettext_lazy("须确认申报材料不涉及国家秘密（涉密内容不得通过本系统申报）。"),
    ),
)


def declarations(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """Unanswered is 未填写; only "否" is a breach."""
    for key, code, question, breach in DECLARATIONS:
        clause = ctx.spec.attachments["clause"] if key == "not_classified" else ctx.spec.integrity["clause"]
        answer = app.declarations.get(key)
        if answer is None:
            yield incomplete(code, f"declarations.{key}", clause, question)
        elif answer is not True:
            yield bar(code, f"declarations.{key}", clause, str(breach))


def ethics(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.integrity["ethics_clause"]
    answers = app.ethics
    for key, label in (
        ("involves_human_subjects", _("是否涉及人的研究")),
        ("involves_human_genetic_resources", _("是否涉及人类遗传资源")),
        ("ethics_review_required", _("是否属于须开展科技伦理审查的活动")),
    ):
        if not isinstance(answers.get(key), bool):
            yield incomplete("integrity.ethics_unanswered", f"ethics.{key}", clause, label)
    if not str(answers.get("risk_assessment") or "").strip():
        yield incomplete("integrity.risk_assessment_missing", "ethics.risk_assessment", clause, _("科技伦理风险评估"))


def attachments(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    """二(一)3: every attachment is a PDF within the call's size limit — a file under review (manage.py
    review, the API) is checked like an upload — and every required attachment is there."""
    for i, defect in enumerate(attachment_defects(app, ctx.spec)):
        if defect:
            yield bar("attachments.refused", f"attachments[{i}]", ctx.spec.attachments["clause"], defect)
    for requirement in missing_attachments(app, ctx.spec):  # not uploaded yet: incomplete, not a breach
        reason = why_missing(requirement, app, ctx.spec)  # one of its kind is there, but not for this
        yield Finding(
            "attachments.missing",
            Severity.INCOMPLETE,
            f"attachments.{requirement.kind}",
            requirement.clause,
            (
                _("缺少附件：%(attachment)s（%(reason)s；提交前须补全）。")
                if reason
                else _("缺少附件：%(attachment)s（未上传，提交前须补全）。")
            )
            % {"attachment": requirement.label, "reason": reason},
        )


RULES = [declarations, ethics, attachments]
