"""Which attachments an application needs, computed from what it says (二(一)3 and the clauses below).

A requirement is matched by an uploaded attachment of the same kind and, where it has one, the same
partner or year.
"""

from dataclasses import dataclass

from shenbao import normalise
from shenbao.calls.spec import CallSpec
from shenbao.language import cite, gettext_lazy, join
from shenbao.language import gettext as _

from .snapshot import FOREIGN, Snapshot, parse_date

PDF_TYPES = {"application/pdf", "pdf"}


@dataclass(slots=True)
class Requirement:
    kind: str
    clause: str
    partner: str | None = None
    year: int | None = None
    statements: str = ""  # a financial statement's parts, in the call's words (一(一)3)

    @property
    def label(self) -> str:
        """Its name on the page, built when shown: most requirements of a review are met, and never are."""
        if self.year is not None:
            return _("%(year)s年度财务报表（%(statements)s）") % {"year": self.year, "statements": self.statements}
        if self.partner is not None:
            return _("与%(partner)s的%(kind)s") % {"partner": self.partner, "kind": KINDS[self.kind]}
        return str(KINDS.get(self.kind, self.kind))

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
        return _("%(attachment)s大小为%(size)sMB，超过%(limit)sMB的限制（%(clause)s）。") % {
            "attachment": _label(row, name),
            "size": f"{size / 1048576:.1f}",
            "limit": limit,
            "clause": cite(clause),
        }
    declared = normalise.text(declared) if declared else ""
    is_pdf_name = not name or name.endswith(".pdf") or normalise.text(name).endswith(".pdf")
    if (declared and declared not in PDF_TYPES) or not is_pdf_name:
        return _("%(attachment)s不是PDF文件（只接受PDF格式，%(clause)s）。") % {
            "attachment": _label(row, name),
            "clause": cite(clause),
        }
    return ""


def _label(row: dict, name: str) -> str:
    return _("附件“%(name)s”") % {"name": name or KINDS.get(str(row.get("kind")), row.get("kind") or "")}


# Every kind an upload may declare, with its name on the page.
KINDS = {
    "financial_statement": gettext_lazy("财务报表"),
    "matching_commitment": gettext_lazy("自筹资金（1:1配套）承诺函"),
    "joint_agreement": gettext_lazy("联合申报协议（中文）"),
    "joint_agreement_foreign": gettext_lazy("联合申报协议（外文）"),
    "employment_proof": gettext_lazy("项目负责人聘用证明"),
    "retirement_commitment": gettext_lazy("项目负责人退休承诺函"),
    "human_subjects_approval": gettext_lazy("涉及人的研究伦理审查批件"),
    "human_genetic_resources_approval": gettext_lazy("人类遗传资源行政许可或备案"),
    "ethics_approval": gettext_lazy("科技伦理审查批件"),
    "integrity_commitment": gettext_lazy("科研诚信承诺书（单位和项目负责人）"),
    "other": gettext_lazy("其他附件"),
}


# Kinds an upload must say more about: which partner an agreement is with (一(三)9), which year a
# financial statement is for (一(一)3). The clause cited is the call file's.
NEEDS_PARTNER = frozenset({"joint_agreement", "joint_agreement_foreign"})
NEEDS_YEAR = frozenset({"financial_statement"})


def partner_clause(spec: CallSpec) -> str:
    return spec.project["joint_agreement_clause"]


def year_clause(spec: CallSpec) -> str:
    return spec.unit["financial_statements_clause"]


def partner_names(app: Snapshot) -> list[str]:
    """The units an agreement may be with: the listed partners and those made partners by their people."""
    names = [str(p.get("name") or "").strip() for p in app.partners] + [p.name for p in app.implied_partners]
    return list(dict.fromkeys(name for name in names if name))


def upload_refusal(kind: str, partner: str, year: int | None, app: Snapshot, spec: CallSpec) -> str:
    """Why an upload of `kind` cannot be matched to what it is for, or "": an agreement names its
    partner (one of the project's), a financial statement its year (one the call asks for)."""
    label = KINDS.get(kind, kind)
    if kind in NEEDS_PARTNER:
        names = partner_names(app)
        if not names:
            return _("请先在“承担单位”中填写合作单位，再上传%(label)s（%(partner_clause)s）。") % {
                "label": label,
                "partner_clause": cite(partner_clause(spec)),
            }
        if not partner.strip():
            return _("请选择%(label)s对应的合作单位（每家合作单位一份协议，%(partner_clause)s）。") % {
                "label": label,
                "partner_clause": cite(partner_clause(spec)),
            }
        if normalise.text(partner) not in {normalise.text(name) for name in names}:
            return _("“%(partner)s”不是本项目的合作单位，请从%(names)s中选择（%(partner_clause)s）。") % {
                "partner": partner,
                "names": join(names),
                "partner_clause": cite(partner_clause(spec)),
            }
    if kind in NEEDS_YEAR and year is None:
        years = "、".join(str(y) for y in financial_statement_years(app, spec))
        return _("请选择%(label)s的年度（须提供%(years)s年度，%(year_clause)s）。") % {
            "label": label,
            "years": years,
            "year_clause": cite(year_clause(spec)),
        }
    return ""


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
        statements = join(spec.terms(unit["financial_statements"]))
        for year in financial_statement_years(app, spec):
            needed.append(
                Requirement(
                    "financial_statement", unit["financial_statements_clause"], year=year, statements=statements
                )
            )
        needed.append(Requirement("matching_commitment", project["matching_clause"]))
    partners = [
        (str(p.get("name") or "").strip(), scope) for p, scope in zip(app.partners, app.scopes(spec), strict=True)
    ]
    # 一(三)9: a unit a team member or a 课题 names is a partner too, and needs its agreement.
    partners += [(partner.name, "") for partner in app.implied_partners]
    for name, scope in partners:
        needed.append(Requirement("joint_agreement", project["joint_agreement_clause"], name))
        if scope == FOREIGN:
            needed.append(Requirement("joint_agreement_foreign", project["joint_agreement_clause"], name))
    if app.pi.get("employer") == "other":
        needed.append(Requirement("employment_proof", pi["external_employment_clause"]))
    retires, end = app.pi_retires_on, app.end
    if retires and end and app.pi.get("academician") is not True:
        if retires <= end:
            needed.append(Requirement("retirement_commitment", pi["retirement_clause"]))
    ethics = app.ethics
    if ethics.get("involves_human_subjects") is True:
        needed.append(Requirement("human_subjects_approval", project["human_subjects_clause"]))
    if ethics.get("involves_human_genetic_resources") is True:
        needed.append(
            Requirement(
                "human_genetic_resources_approval",
                project["human_subjects_clause"],
            )
        )
    if ethics.get("ethics_review_required") is True:
        needed.append(Requirement("ethics_approval", integrity["ethics_clause"]))
    needed.append(Requirement("integrity_commitment", integrity["clause"]))
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


def why_missing(requirement: Requirement, app: Snapshot, spec: CallSpec) -> str:
    """For a requirement no attachment meets: why one of its kind that is there does not, or "" when
    none of its kind is there (then it is simply not uploaded yet)."""
    rows = [
        (row, defect)
        for row, defect in zip(app.attachments, attachment_defects(app, spec), strict=True)
        if normalise.text(row.get("kind")) == requirement.kind
    ]
    if not rows:
        return ""
    label = KINDS.get(requirement.kind, requirement.kind)
    sound = [row for row, defect in rows if not defect]
    if not sound:
        return _("已列出的%(label)s不符合要求：%(reason)s") % {"label": label, "reason": rows[0][1].rstrip("。")}
    if requirement.partner is not None:
        clause = partner_clause(spec)
        if any(not normalise.text(row.get("partner")) for row in sound):
            return _(
                "已上传%(label)s，但未选择合作单位（%(clause)s：每家合作单位一份协议）：请删除后重新上传，并在“对应合作单位”中选择“%(partner)s”"
            ) % {"label": label, "clause": cite(clause), "partner": requirement.partner}
        others = join(dict.fromkeys(str(row.get("partner")) for row in sound))
        return _("已上传的%(label)s对应“%(others)s”，不是“%(partner)s”（%(clause)s）") % {
            "label": label,
            "others": others,
            "partner": requirement.partner,
            "clause": cite(clause),
        }
    if requirement.year is not None:
        clause = year_clause(spec)
        if any(row.get("year") in (None, "") for row in sound):
            return _("已上传%(label)s，但未选择年度（%(clause)s）：请删除后重新上传，并选择%(year)s年度") % {
                "label": label,
                "clause": cite(clause),
                "year": requirement.year,
            }
        years = join(dict.fromkeys(_("%(year)s年度") % {"year": row.get("year")} for row in sound))
        return _("已上传的%(label)s为%(years)s，缺少%(year)s年度（%(clause)s）") % {
            "label": label,
            "years": years,
            "year": requirement.year,
            "clause": cite(clause),
        }
    return ""
