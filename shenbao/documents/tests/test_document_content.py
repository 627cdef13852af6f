"""What the 申报书 and the list show: the budget tables and the list end in 合计 rows that add up,
amounts read as people write them, every page after the cover is numbered."""

import re

from django.utils import timezone

from shenbao.documents.render import amount, document_context, list_context, render_application, render_list

from .pdf_tools import needs_poppler, words


def _table(context, label):
    budget = next(s for s in context["sections"] if s["slug"] == "budget")
    return next(t for t in budget["tables"] if t["label"] == label)


def test_the_budget_table_ends_in_a_total_row_per_column(submitted):
    table = _table(document_context(submitted, draft=False), "")
    # The example: fiscal 150,000 + 450,000 + 200,000 + 120,000; self-raised 100,000 + 100,000.
    assert table["rows"][0] == ["设备费", "150,000", "100,000", "250,000"]
    assert table["total"] == ["合计", "920,000", "200,000", "1,120,000"]


def test_the_funds_by_unit_table_ends_in_a_total_row_but_indicators_do_not_add_up_quantities(submitted):
    context = document_context(submitted, draft=False)
    assert _table(context, "各单位经费分配（元）")["total"] == ["合计", "920,000", "200,000"]
    indicators = next(s for s in context["sections"] if s["slug"] == "indicators")["tables"][0]
    assert indicators["total"] is None


def test_amounts_have_thousands_separators_and_cents_only_when_there_are_some():
    assert amount(1120000) == "1,120,000" and amount(1500.5) == "1,500.50" and amount(3.0) == "3"


def test_the_list_adds_up_the_fiscal_funds_of_its_rows(submitted, staff):
    context = list_context(staff.recommender, submitted.call, [submitted, submitted], timezone.now())
    assert [row[0] for row in context["rows"]] == ["1", "2"] and context["rows"][0][-1] == "920,000"
    assert context["total"][:2] == ["合计", {"text": "共2项", "span": 5}] and context["total"][-1] == "1,840,000"


@needs_poppler
def test_the_pdf_prints_the_budget_total_row(submitted, tmp_path):
    text = " ".join(w.text for w in words(render_application(submitted, draft=False), tmp_path))
    assert re.search(r"合计 920,000 200,000 1,120,000", text)


@needs_poppler
def test_the_list_pdf_prints_its_total_and_the_seal_line_on_its_last_page(submitted, staff, tmp_path):
    found = words(render_list(staff.recommender, submitted.call, [submitted] * 30, timezone.now()), tmp_path)
    text = " ".join(w.text for w in found)
    assert re.search(r"合计 共 ?30 ?项 27,600,000", text)
    last = max(w.page for w in found)
    from shenbao.documents.render import LIST_SEAL_BOX

    seal_line = [w for w in found if "盖章" in w.text]
    assert seal_line and all(w.page == last and w.inside(LIST_SEAL_BOX) for w in seal_line)


@needs_poppler
def test_every_page_after_the_cover_is_numbered_and_carries_the_receipt_number(submitted, tmp_path):
    found = words(render_application(submitted, draft=False), tmp_path)
    pages = max(w.page for w in found)
    text_of = {page: " ".join(w.text for w in found if w.page == page) for page in range(1, pages + 1)}
    assert "页" not in text_of[1].replace("申报书", "")  # the cover has no page number
    for page in range(2, pages + 1):
        assert f"第 {page} 页 / 共 {pages} 页" in text_of[page] and submitted.receipt_no in text_of[page]


@needs_poppler
def test_what_people_type_is_printed_as_text_never_read_as_typst_markup(submitted, tmp_path):
    typed = '#set page(fill: red) *粗体* $x^2$ <label> @ref \\ "引号" // 注释'
    submitted.data["content"]["background"] = typed
    submitted.save()
    text = " ".join(w.text for w in words(render_application(submitted, draft=False), tmp_path))
    for piece in ("#set", "page(fill:", "*粗体*", "$x^2$", "<label>", "@ref", "//", "注释"):
        assert piece in text
