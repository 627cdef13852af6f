"""The sealed 申报书 and the recommendation list: real PAdES signatures that validate with pyHanko and
with Debian's pdfsig, break on a changed byte, and text that extracts as written."""

import io
import shutil
import subprocess

import openpyxl
import pytest
from django.utils import timezone

from shenbao.applications.models import Application
from shenbao.documents.render import render_application
from shenbao.documents.sealing import confirm_list, seal_application
from shenbao.documents.signing import check_signatures
from shenbao.review import services
from shenbao.review.models import RecommendationList

needs_poppler = pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils (pdfsig, pdftotext) missing")


def _run(tool, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, str(path), *(["-"] if tool == "pdftotext" else [])], capture_output=True, text=True
    ).stdout


@pytest.fixture
def sealed(submitted, admin):
    services.approve(submitted, admin, timezone.now())
    application = seal_application(submitted, admin, timezone.now())
    return application, application.sealed_pdf.read()


def test_the_sealed_application_carries_the_units_and_the_legal_representatives_valid_signatures(sealed, unit):
    _, pdf = sealed
    checks = check_signatures(pdf)
    assert [c.field_name for c in checks] == ["unit_seal", "legal_representative_seal"]
    assert all(c.valid for c in checks)
    assert unit.name in checks[0].signer and unit.legal_representative in checks[1].signer
    assert checks[-1].covers_whole_file


@needs_poppler
def test_pdfsig_finds_both_signatures_valid(sealed, tmp_path):
    output = _run("pdfsig", sealed[1], tmp_path)
    assert output.count("Signature Validation: Signature is Valid.") == 2


@needs_poppler
def test_changing_one_byte_breaks_the_seal_for_pyhanko_and_pdfsig(sealed, tmp_path):
    pdf = bytearray(sealed[1])
    middle = len(pdf) // 3
    pdf[middle] = (pdf[middle] + 1) % 256
    assert not any(c.intact for c in check_signatures(bytes(pdf)))
    assert "Signature is Valid" not in _run("pdfsig", bytes(pdf), tmp_path)


@needs_poppler
def test_the_pdf_text_extracts_as_written(sealed, tmp_path):
    application, pdf = sealed
    text = _run("pdftotext", pdf, tmp_path)
    assert "项目申报书" in text and "乡土牧草种质创新" in text and "经费预算" in text and "附件清单" in text
    assert application.receipt_no in text and "草稿" not in text


@needs_poppler
def test_a_draft_carries_the_watermark_on_every_page(submitted, tmp_path):
    # The watermark is set diagonally, so its two characters extract apart.
    pages = _run("pdftotext", render_application(submitted, draft=True), tmp_path).split("\f")[:-1]
    assert len(pages) > 1 and all("稿" in page for page in pages)
    assert "稿" not in _run("pdftotext", render_application(submitted, draft=False), tmp_path)


def test_a_signing_failure_leaves_the_application_as_it_was(submitted, admin, monkeypatch):
    from shenbao.documents import sealing
    from shenbao.documents.signing import SealingFailed

    services.approve(submitted, admin, timezone.now())

    def broken(*args, **kwargs):
        raise SealingFailed("电子签章失败：证书不可用")

    monkeypatch.setattr(sealing, "apply_seals", broken)
    with pytest.raises(SealingFailed):
        seal_application(submitted, admin, timezone.now())
    application = Application.objects.get(pk=submitted.pk)
    assert application.state == Application.State.UNIT_APPROVED and not application.sealed_pdf


def test_confirming_the_list_makes_a_sealed_pdf_and_an_excel_file_and_freezes_the_recommendations(
    submitted, admin, staff
):
    services.approve(submitted, admin, timezone.now())
    seal_application(submitted, admin, timezone.now())
    services.submit_to_recommender(submitted, admin, timezone.now())
    services.recommend(submitted, staff, timezone.now())
    entry = confirm_list(staff.recommender, submitted.call, staff, timezone.now())
    checks = check_signatures(entry.pdf.read())
    assert len(checks) == 1 and checks[0].valid and staff.recommender.name in checks[0].signer
    sheet = openpyxl.load_workbook(io.BytesIO(entry.xlsx.read())).active
    assert sheet.cell(2, 4).value == submitted.title
    with pytest.raises(services.TransitionRefused, match="已确认"):
        services.not_recommend(submitted, staff, "", timezone.now())
    assert RecommendationList.objects.count() == 1


def test_a_list_with_unhandled_applications_cannot_be_confirmed(submitted, admin, staff):
    services.approve(submitted, admin, timezone.now())
    seal_application(submitted, admin, timezone.now())
    services.submit_to_recommender(submitted, admin, timezone.now())
    with pytest.raises(services.TransitionRefused):
        confirm_list(staff.recommender, submitted.call, staff, timezone.now())
