"""The confirmed 拟立项 list as files: a PDF sealed by the issuing department, and an Excel sheet."""

import io

import xlsxwriter

from shenbao.documents import seals
from shenbao.documents.models import SigningIdentity
from shenbao.documents.render import render_html
from shenbao.documents.sealing import LIST_SEAL_BOX, identity
from shenbao.documents.signing import Seal, apply_seals

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
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("拟立项清单")
    sheet.write_row(0, 0, HEADERS, book.add_format({"bold": True}))
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, _cells(i, row))
    sheet.set_column(3, 4, 40)
    book.close()
    return output.getvalue()


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
