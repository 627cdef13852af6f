"""一(四) and 二(一)3: declarations, ethics, and the attachments the application requires."""

from collections.abc import Iterator

from ..context import ReviewContext
from ..findings import Finding, bar
from ..required_attachments import missing_attachments
from ..snapshot import Snapshot


def declarations(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.integrity["clause"]
    if app.declarations.get("integrity_commitment_unit") is not True:
        yield bar(
            "integrity.unit_commitment",
            "declarations.integrity_commitment_unit",
            clause,
            "牵头单位须签署科研诚信承诺。",
        )
    if app.declarations.get("integrity_commitment_pi") is not True:
        yield bar(
            "integrity.pi_commitment", "declarations.integrity_commitment_pi", clause, "项目负责人须签署科研诚信承诺。"
        )
    if app.declarations.get("not_classified") is not True:
        yield bar(
            "integrity.not_classified",
            "declarations.not_classified",
            ctx.spec.attachments["clause"],
            "须确认申报材料不涉及国家秘密（涉密内容不得通过本系统申报）。",
        )


def ethics(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    clause = ctx.spec.integrity["ethics_clause"]
    answers = app.ethics
    for key, label in (
        ("involves_human_subjects", "是否涉及人的研究"),
        ("involves_human_genetic_resources", "是否涉及人类遗传资源"),
        ("ethics_review_required", "是否属于须开展科技伦理审查的活动"),
    ):
        if not isinstance(answers.get(key), bool):
            yield bar("integrity.ethics_unanswered", f"ethics.{key}", clause, f"请回答“{label}”。")
    if not str(answers.get("risk_assessment") or "").strip():
        yield bar("integrity.risk_assessment_missing", "ethics.risk_assessment", clause, "请填写科技伦理风险评估。")


def attachments(app: Snapshot, ctx: ReviewContext) -> Iterator[Finding]:
    for requirement in missing_attachments(app, ctx.spec):
        yield bar(
            "attachments.missing",
            f"attachments.{requirement.kind}",
            requirement.clause,
            f"缺少附件：{requirement.label}。",
        )


RULES = [declarations, ethics, attachments]
