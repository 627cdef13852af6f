"""Which attachments an application needs, computed from what it says (二(一)3 and the clauses below).

A requirement is matched by an uploaded attachment of the same kind and, where it has one, the same
partner or year.
"""

from dataclasses import dataclass

from shenbao import normalise
from shenbao.calls.spec import CallSpec

from .snapshot import FOREIGN, Snapshot, parse_date

PDF_TYPES = {"application/pdf", "pdf"}


@dataclass(slots=True)
class Requirement:
    kind: str
    label: str
    clause: str
    partner: str | None = None
    year: int | None = None

    def matches(self, row: dict) -> bool:
        return (
            normalise.text(row.get("kind")) == self.kind
            and (self.partner is None or normalise.text(row.get("partner")) == normalise.text(self.partner))
            and (self.year is None or row.get("year") == self.year)
        )


def attachment_defect(row: dict, spec: CallSpec) -> str:
    """Why a listed attachment would have been refused as an upload (二(一)3), or "": a declared size
    over the call's limit, or a file that is not a PDF by its declared type or its name."""
    size, declared, name = row.get("size"), row.get("content_type") or row.get("media_type"), row.get("file")
    if size is None and not declared and name.__class__ is str and name.endswith(".pdf"):
        return ""  # the usual row: a PDF by name, nothing else declared
    rules, clause = spec.attachments, spec.attachments["clause"]
    name = row.get("file") or row.get("name") or ""
    name = (name if name.__class__ is str else str(name)).strip()
    if isinstance(size, int | float) and not isinstance(size, bool) and size > rules["max_bytes"]:
        limit = rules["max_bytes"] // 1048576
        return f"{_label(row, name)}大小为{size / 1048576:.1f}MB，超过{limit}MB的限制（{clause}）。"
    declared = normalise.text(declared) if declared else ""
    is_pdf_name = not name or name.endswith(".pdf") or normalise.text(name).endswith(".pdf")
    if (declared and declared not in PDF_TYPES) or not is_pdf_name:
        return f"{_label(row, name)}不是PDF文件（只接受PDF格式，{clause}）。"
    return ""


def _label(row: dict, name: str) -> str:
    return f"附件“{name or KINDS.get(str(row.get('kind')), row.get('kind') or '')}”"


# Every kind an upload may declare, with its name on the page.
KINDS = {
    "financial_statement": "财务报表",
    "matching_commitment": "自筹资金（1:1配套）承诺函",
    "joint_agreement": "联合申报协议（中文）",
    "joint_agreement_foreign": "联合申报协议（外文）",
    "employment_proof": "项目负责人聘用证明",
    "retirement_commitment": "项目负责人退休承诺函",
    "human_subjects_approval": "涉及人的研究伦理审查批件",
    "human_genetic_resources_approval": "人类遗传资源行政许可或备案",
    "ethics_approval": "科技伦理审查批件",
    "integrity_commitment": "科研诚信承诺书（单位和项目负责人）",
    "other": "其他附件",
}


def financial_statement_years(app: Snapshot, spec: CallSpec) -> list[int]:
    """The required years, or every year since founding for a young enterprise (一(一)3)."""
    years = list(spec.unit["financial_statement_years"])
    founded = parse_date(app.lead.get("registered_on"))
    if founded is not None and founded.year > years[0]:
        years = [year for year in years if year >= founded.year] or [years[-1]]
    return years


def required_attachments(app: Snapshot, spec: CallSpec) -> list[Requirement]:
    unit, project, pi, integrity = spec.unit, spec.project, spec.pi, spec.integrity
    needed: list[Requirement] = []
    if app.is_enterprise(spec):
        for year in financial_statement_years(app, spec):
            label = f"{year}年度财务报表（{'、'.join(unit['financial_statements'])}）"
            needed.append(Requirement("financial_statement", label, unit["financial_statements_clause"], year=year))
        needed.append(Requirement("matching_commitment", KINDS["matching_commitment"], project["matching_clause"]))
    partners = [
        (str(p.get("name") or "").strip(), scope) for p, scope in zip(app.partners, app.scopes(spec), strict=True)
    ]
    # 一(三)9: a unit a team member or a 课题 names is a partner too, and needs its agreement.
    partners += [(partner.name, "") for partner in app.implied_partners]
    for name, scope in partners:
        needed.append(
            Requirement(
                "joint_agreement", f"与{name}的{KINDS['joint_agreement']}", project["joint_agreement_clause"], name
            )
        )
        if scope == FOREIGN:
            needed.append(
                Requirement(
                    "joint_agreement_foreign",
                    f"与{name}的{KINDS['joint_agreement_foreign']}",
                    project["joint_agreement_clause"],
                    name,
                )
            )
    if app.pi.get("employer") == "other":
        needed.append(Requirement("employment_proof", KINDS["employment_proof"], pi["external_employment_clause"]))
    retires, end = app.pi_retires_on, app.end
    if retires and end and app.pi.get("academician") is not True:
        if retires <= end:
            needed.append(Requirement("retirement_commitment", KINDS["retirement_commitment"], pi["retirement_clause"]))
    ethics = app.ethics
    if ethics.get("involves_human_subjects") is True:
        needed.append(
            Requirement("human_subjects_approval", KINDS["human_subjects_approval"], project["human_subjects_clause"])
        )
    if ethics.get("involves_human_genetic_resources") is True:
        needed.append(
            Requirement(
                "human_genetic_resources_approval",
                KINDS["human_genetic_resources_approval"],
                project["human_subjects_clause"],
            )
        )
    if ethics.get("ethics_review_required") is True:
        needed.append(Requirement("ethics_approval", KINDS["ethics_approval"], integrity["ethics_clause"]))
    needed.append(Requirement("integrity_commitment", KINDS["integrity_commitment"], integrity["clause"]))
    return needed


def attachment_defects(app: Snapshot, spec: CallSpec) -> list[str]:
    """attachment_defect of each listed attachment, worked out once per snapshot (two rules read it)."""
    defects = app.memo.get("attachment_defects")
    if defects is None:
        defects = app.memo["attachment_defects"] = [attachment_defect(row, spec) for row in app.attachments]
    return defects


def missing_attachments(app: Snapshot, spec: CallSpec) -> list[Requirement]:
    """Requirements no acceptable attachment meets (a refused one, see attachment_defect, meets none).

    Same result as asking `Requirement.matches` of every row, with the rows grouped by kind once."""
    by_kind: dict[str, list[dict]] = {}
    for row, defect in zip(app.attachments, attachment_defects(app, spec), strict=True):
        if not defect:
            by_kind.setdefault(normalise.text(row.get("kind")), []).append(row)
    missing = []
    for r in required_attachments(app, spec):
        rows = by_kind.get(r.kind, ())
        if r.partner is not None:
            partner = normalise.text(r.partner)
            met = any(row.get("partner") == r.partner or normalise.text(row.get("partner")) == partner for row in rows)
        elif r.year is not None:
            met = any(row.get("year") == r.year for row in rows)
        else:
            met = bool(rows)
        if not met:
            missing.append(r)
    return missing
