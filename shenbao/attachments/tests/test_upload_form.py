"""The upload form keeps the chosen kind (after an upload and after a refusal), asks for the partner of
a 联合申报协议 and the year of a 财务报表, and the list of required attachments says why one is still
missing when a file of its kind is there (issue 13). The browser test is in
web/tests/test_browser_uploads_and_budget.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shenbao.attachments.models import Attachment
from shenbao.rules.batch import context_for
from shenbao.rules.ruleset import review

from .test_uploads import pdf_bytes

pytestmark = pytest.mark.usefixtures("during_filing", "media")
PARTNER = "北京草业科学研究中心"


@pytest.fixture
def complete(client, applicant, make_complete):
    application = make_complete(applicant)
    application.attachments.all().delete()  # the agreement and the commitment are uploaded here
    client.force_login(applicant)
    return application


def _upload(client, application, kind, **extra):
    file = SimpleUploadedFile("协议.pdf", pdf_bytes(), content_type="application/pdf")
    url = reverse("attachments:upload", args=[application.public_id])
    return client.post(url, {"kind": kind, "file": file, **extra})


def _selected(html: str, select_id: str) -> str:
    """The value of the selected option of a select on the page ("" when none is)."""
    start = html.index(f'<select id="{select_id}"')
    select = html[start : html.index("</select>", start)]
    for option in select.split("<option")[1:]:
        if " selected" in option.split(">")[0]:
            head, text = option.split(">", 1)
            return head.split('value="')[1].split('"')[0] if 'value="' in head else text.split("<")[0]
    return ""


def test_after_an_upload_the_kind_stays_chosen(client, complete):
    response = _upload(client, complete, "joint_agreement", partner=PARTNER)
    assert response.status_code == 302 and response.url.endswith("?kind=joint_agreement")
    html = client.get(response.url).content.decode()
    assert _selected(html, "kind") == "joint_agreement"


def test_after_a_refused_upload_the_kind_partner_and_year_stay_chosen(client, complete):
    file = SimpleUploadedFile("报表.pdf", b"not a pdf", content_type="application/pdf")
    url = reverse("attachments:upload", args=[complete.public_id])
    response = client.post(url, {"kind": "joint_agreement", "partner": PARTNER, "file": file})
    assert response.status_code == 400
    html = response.content.decode()
    assert _selected(html, "kind") == "joint_agreement" and _selected(html, "partner") == PARTNER


def test_an_agreement_without_its_partner_is_refused_naming_the_clause(client, complete):
    response = _upload(client, complete, "joint_agreement")
    assert response.status_code == 400
    assert response.context["error"] == "请选择联合申报协议（中文）对应的合作单位（每家合作单位一份协议，一(三)9）。"
    assert not Attachment.objects.exists()
    assert _selected(response.content.decode(), "kind") == "joint_agreement"


def test_an_agreement_with_a_unit_that_is_not_a_partner_is_refused(client, complete):
    response = _upload(client, complete, "joint_agreement", partner="清华大学")
    assert response.status_code == 400 and f"请从{PARTNER}中选择" in response.context["error"]


def test_an_agreement_before_any_partner_is_entered_says_to_enter_one_first(client, complete):
    complete.data.update(partners=[], team=[], subprojects=[])  # no unit but the lead
    complete.save()
    response = _upload(client, complete, "joint_agreement", partner=PARTNER)
    assert "请先在“承担单位”中填写合作单位" in response.context["error"]


def test_a_financial_statement_without_its_year_is_refused(client, complete):
    response = _upload(client, complete, "financial_statement")
    assert response.status_code == 400 and "请选择财务报表的年度" in response.context["error"]
    assert "一(一)3" in response.context["error"]
    assert _upload(client, complete, "financial_statement", year="2023").status_code == 302
    assert Attachment.objects.get().year == 2023


def test_a_partner_or_year_is_kept_only_for_the_kinds_matched_by_it(client, complete):
    assert _upload(client, complete, "integrity_commitment", partner=PARTNER, year="2023").status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.partner, attachment.year) == ("", None)


def test_the_upload_form_marks_which_kinds_need_a_partner_or_a_year(client, complete):
    html = client.get(reverse("attachments:list", args=[complete.public_id])).content.decode()
    assert '<option value="joint_agreement" data-needs="partner">' in html
    assert '<option value="financial_statement" data-needs="year">' in html
    assert 'data-needed-by="partner"' in html and "每家合作单位一份（一(三)9）" in html
    assert "shenbao/attachment-kind.js" in html


def _stored_agreement_without_partner(application, applicant):
    from django.core.files.base import ContentFile

    attachment = Attachment(
        application=application,
        kind="joint_agreement",
        partner="",  # uploaded before the form asked for it
        original_name="协议.pdf",
        size=9,
        sha256="0" * 64,
        pages=1,
        uploaded_by=applicant,
    )
    attachment.file.save("x.pdf", ContentFile(b"%PDF-1.7\n"), save=True)


def test_an_agreement_without_its_partner_leaves_the_requirement_missing_and_says_why(client, complete, applicant):
    _stored_agreement_without_partner(complete, applicant)
    response = client.get(reverse("attachments:list", args=[complete.public_id]))
    [(_, present, reason)] = [r for r in response.context["required"] if r[0].kind == "joint_agreement"]
    assert not present
    assert reason.startswith("已上传联合申报协议（中文），但未选择合作单位（一(三)9")
    assert f"选择“{PARTNER}”" in reason
    assert reason in response.content.decode()
    assert reason in client.get(reverse("applications:review", args=[complete.public_id])).content.decode()
    # The formal review says the same, not "未上传".
    [finding] = [f for f in review(*context_for(complete)) if f.field == "attachments.joint_agreement"]
    assert "但未选择合作单位" in finding.message and "未上传" not in finding.message


def test_a_requirement_with_nothing_of_its_kind_is_simply_missing(client, complete):
    response = client.get(reverse("attachments:list", args=[complete.public_id]))
    [(_, present, reason)] = [r for r in response.context["required"] if r[0].kind == "joint_agreement"]
    assert not present and reason == ""


def test_a_financial_statement_of_another_year_or_none_says_which_year_is_missing(spec):
    import copy
    import json

    from conftest import EXAMPLE_APPLICATION, make_uscc
    from shenbao.rules.required_attachments import missing_attachments, why_missing
    from shenbao.rules.snapshot import Snapshot

    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    data["lead_unit"].update(unit_type="企业", uscc=make_uscc("91"))
    data["attachments"] += [{"kind": "financial_statement", "year": 2022, "file": "2022.pdf"}]

    def reasons(document):
        app = Snapshot(copy.deepcopy(document))
        return {r.year: why_missing(r, app, spec) for r in missing_attachments(app, spec) if r.year}

    assert reasons(data) == {
        2023: "已上传的财务报表为2022年度，缺少2023年度（一(一)3）",
        2024: "已上传的财务报表为2022年度，缺少2024年度（一(一)3）",
    }
    data["attachments"][-1]["year"] = None
    assert reasons(data)[2022].startswith("已上传财务报表，但未选择年度（一(一)3）：")
