"""The sealed 申报书 and the sealed recommendation list are archival records: tagged PDF/A-2b
(ISO 19005-2 level b) that stays so after the PAdES seals, which are incremental updates.

veraPDF is not in Debian; the tests check what PDF/A-2b requires that can be read from the file:
the XMP identification (part 2, conformance B), an sRGB output intent with its ICC profile, every
font embedded, no encryption, the document information and the XMP agreeing after sealing; and for
tagging, the structure tree, /MarkInfo and the language."""

import re
import shutil
import subprocess

import pytest
from django.utils import timezone

from shenbao.documents import sealing
from shenbao.documents.signing import check_signatures
from shenbao.review import services

from .pdf_tools import catalogue


@pytest.fixture
def sealed_application(submitted, admin):
    services.approve(submitted, admin, timezone.now())
    application = sealing.seal_application(submitted, admin, timezone.now())
    return application.sealed_pdf.read()


@pytest.fixture
def sealed_list(submitted, staff):
    return sealing.list_pdf(staff.recommender, submitted.call, [submitted], timezone.now())


def assert_pdfa_2b_and_tagged(pdf: bytes) -> None:
    found = catalogue(pdf)
    assert re.search(r'pdfaid:part(="|>)2', found["xmp"]), "XMP does not claim PDF/A part 2"
    assert re.search(r'pdfaid:conformance(="|>)B', found["xmp"]), "XMP does not claim conformance B"
    assert {"subtype": "/GTS_PDFA1", "icc_profile": True} in found["output_intents"]
    assert found["fonts"] and all(font["embedded"] for font in found["fonts"])
    # Only the embedded Noto Sans CJK, as a subset (the "ABCDEF+" prefix).
    assert all(re.fullmatch(r"/[A-Z]{6}\+Noto-?Sans-?CJK[\w-]*", font["name"]) for font in found["fonts"])
    assert not found["encrypted"]
    assert found["struct_tree"] and found["marked"], "not a tagged PDF"
    assert found["lang"].startswith("zh")
    # PAdES wrote an incremental update: where the information dictionary dates the change, the XMP
    # must agree with it.
    if modified := found["info"].get("/ModDate"):  # D:YYYYMMDDHHmmSS...
        stamp = (
            f"{modified[2:6]}-{modified[6:8]}-{modified[8:10]}T{modified[10:12]}:{modified[12:14]}:{modified[14:16]}"
        )
        assert f'xmp:ModifyDate="{stamp}' in found["xmp"] or f"<xmp:ModifyDate>{stamp}" in found["xmp"]


def test_the_sealed_application_is_tagged_pdfa_2b_with_both_seals_valid(sealed_application):
    assert_pdfa_2b_and_tagged(sealed_application)
    checks = check_signatures(sealed_application)
    assert [c.field_name for c in checks] == ["unit_seal", "legal_representative_seal"]
    assert all(c.valid for c in checks)


def test_the_sealed_recommendation_list_is_tagged_pdfa_2b_with_its_seal_valid(sealed_list, staff):
    assert_pdfa_2b_and_tagged(sealed_list)
    checks = check_signatures(sealed_list)
    assert len(checks) == 1 and checks[0].valid and staff.recommender.name in checks[0].signer


def test_a_draft_is_tagged_pdfa_2b_too(submitted):
    from shenbao.documents.render import render_application

    assert_pdfa_2b_and_tagged(render_application(submitted, draft=True))


@pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils (pdfsig) missing")
def test_pdfsig_finds_the_sealed_lists_signature_valid(sealed_list, tmp_path):
    path = tmp_path / "list.pdf"
    path.write_bytes(sealed_list)
    output = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert output.count("Signature Validation: Signature is Valid.") == 1


def test_documents_from_html_templates_are_tagged_pdfa_2b_and_seal_validly(settings, tmp_path, submitted, staff):
    # Other apps' documents without a Typst template (e.g. the 拟立项 list) go through render_html.
    from shenbao.documents import seals
    from shenbao.documents.render import LIST_SEAL_BOX, render_html
    from shenbao.documents.signing import Seal, apply_seals

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "list.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>拟立项项目清单</title>'
        '<style>@page { size: A4 landscape } body { font-family: "{{ family }}" }</style></head>'
        "<body><h1>拟立项项目清单</h1><p>{{ issuer }}（盖章）</p></body></html>",
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]
    pdf = render_html("list.html", {"issuer": "内蒙古自治区科学技术厅"})
    signer = sealing.identity("recommender", staff.recommender.code, staff.recommender.name, staff.recommender.name)
    sealed = apply_seals(pdf, [Seal(signer, "seal", seals.round_seal("科技厅"), LIST_SEAL_BOX, "电子公章")])
    assert_pdfa_2b_and_tagged(sealed)
    assert all(c.valid for c in check_signatures(sealed))
