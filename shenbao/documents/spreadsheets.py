"""The one way shenbao writes an Excel file. Every export goes through `workbook`.

What a person typed is data, never a formula: a title such as `=HYPERLINK("http://evil", "点击")`
must not become a live link in the department's export. XlsxWriter turns strings beginning with `=`
into formulas and numeric-looking strings into numbers unless told not to, so every text value is
written with `write_string`; and a text that a spreadsheet would read as a formula once someone
edits the cell (first character `=`, `+`, `-`, `@`, a tab or a line break, or their full-width forms)
also carries Excel's quote prefix, which keeps it text (OWASP, "CSV injection").
Only numbers shenbao computed (ints, floats, Decimals) are written as numbers.
"""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
MAX_SHEET_NAME = 31


@dataclass
class Sheet:
    name: str
    headers: list[str]  # the bold first row; none for a sheet of plain lines (instructions)
    rows: list[list] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)  # column index → width in characters
    # A template people fill in: its columns formatted as text (@), so that what they type there
    # (an ID number, a code with leading zeros) stays as typed.
    typed_as_text: bool = False


def starts_a_formula(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS)


def sheet_name(name: str) -> str:
    """Excel forbids []:*?/\\ in sheet names and allows 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:MAX_SHEET_NAME] or "Sheet1"


def workbook(*sheets: Sheet) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    bold = book.add_format({"bold": True})
    quoted = book.add_format({"quote_prefix": True})
    text = book.add_format({"num_format": "@"})
    for sheet in sheets:
        worksheet = book.add_worksheet(sheet_name(sheet.name))
        for column, header in enumerate(sheet.headers):
            worksheet.write_string(0, column, str(header), bold)
        for row_number, row in enumerate(sheet.rows, start=1 if sheet.headers else 0):
            for column, value in enumerate(row):
                _write(worksheet, row_number, column, value, quoted)
        columns = range(len(sheet.headers)) if sheet.typed_as_text else sheet.widths
        for column in columns:
            worksheet.set_column(column, column, sheet.widths.get(column), text if sheet.typed_as_text else None)
    book.close()
    return output.getvalue()


def _write(worksheet, row: int, column: int, value, quoted) -> None:
    if value is None or value == "":
        worksheet.write_blank(row, column, None)
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        worksheet.write_number(row, column, float(value))
    else:
        text = str(value)
        worksheet.write_string(row, column, text, quoted if starts_a_formula(text) else None)
