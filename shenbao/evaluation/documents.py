"""The confirmed 拟立项 list as files: a PDF sealed by the issuing department, and an Excel sheet."""

from shenbao.documents import seals
from shenbao.documents.models import SigningIdentity
from shenbao.documents.render import render_html
from shenbao.documents.sealing import LIST_SEAL_BOX, identity
from shenbao.documents.signing import Seal, apply_seals
from shenbao.documents.spreadsheets import Sheet, workbook

HEADERS = ["序号", "受理编号", "类别", "项目名称", "牵头单位", "项目负责人", "评审得分", "拟资助金额（元）"]


def _cells(i: int, row: dict) -> list:
    return [
        i,
        row["receipt_no"],
        row["category"],
        row["title"],
        row["lead_unit"],
        row["pi"],
        row["score"],
        row["amount"],
    ]


def funding_xlsx(rows: list[dict]) -> bytes:
    table = [_cells(i, row) for i, row in enumerate(rows, start=1)]
    return workbook(Sheet("拟立项清单", HEADERS, table, widths={3: 40, 4: 40}))


def funding_pdf(call, rows: list[dict], now) -> bytes:
    spec = call.spec
    pdf = render_html(
        "evaluation/funding_list_pdf.html",
        {"call": call, "rows": [_cells(i, r) for i, r in enumerate(rows, start=1)], "headers": HEADERS, "now": now},
    )
    # The issuing department seals its own list; its identity is kept like a recommender's.
    signer = identity(SigningIdentity.Kind.RECOMMENDER, f"issuer-{call.code}", spec.issuer, spec.issuer)
    return apply_seals(
        pdf, [Seal(signer, "department_seal", seals.round_seal(spec.issuer), LIST_SEAL_BOX, "科技厅电子公章", page=-1)]
    )
