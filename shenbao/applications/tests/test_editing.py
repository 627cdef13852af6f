"""Filling the 申报书: sections save on their own, nothing typed is lost, a stale tab cannot overwrite."""

import json

import pytest
from django.urls import reverse

from conftest import AFTER_FILING, EXAMPLE_APPLICATION
from shenbao.applications.models import Application
from shenbao.applications.tests.conftest import live_panels, section_url
from shenbao.audit.models import AuditEntry

pytestmark = pytest.mark.usefixtures("during_filing")


def _autosave(client, draft, slug, values, version=None):
    payload = {"version": draft.version if version is None else version, **values}
    return client.post(section_url(draft, slug), payload, HTTP_X_AUTOSAVE="1")


def test_a_new_draft_is_filled_with_what_the_registration_knows(draft, unit, applicant):
    assert draft.data["lead_unit"]["uscc"] == unit.uscc
    assert draft.data["pi"]["id_number"] == applicant.id_number
    assert draft.state == Application.State.DRAFT
    assert AuditEntry.objects.filter(action="application.created").exists()


def test_an_incomplete_section_autosaves_and_its_live_findings_follow(client, draft):
    response = _autosave(client, draft, "basic", {"title": "草原生态修复", "category": "2001"})
    body = response.json()
    draft.refresh_from_db()
    assert body["ok"] and body["version"] == 2 == draft.version
    assert draft.data["title"] == "草原生态修复" and draft.title == "草原生态修复"
    panels = live_panels(client, draft, "basic")["findings_html"]
    assert "请填写项目摘要" in panels and "一(三)" in panels


def test_a_bar_disappears_from_the_findings_when_the_field_is_corrected(client, draft):
    _autosave(client, draft, "basic", {"start_date": "2026-01-01", "end_date": "2029-06-30"})
    assert "超过3年" in live_panels(client, draft, "basic")["findings_html"]
    draft.refresh_from_db()
    _autosave(client, draft, "basic", {"end_date": "2028-12-31"})
    assert "超过3年" not in live_panels(client, draft, "basic")["findings_html"]


def test_a_save_from_a_stale_tab_is_refused_and_changes_nothing(client, draft):
    _autosave(client, draft, "basic", {"title": "新标题"})  # the other tab, now version 2
    response = _autosave(client, draft, "basic", {"title": "旧窗口的标题"}, version=1)
    assert response.status_code == 409 and "版本不一致" in response.json()["message"]
    draft.refresh_from_db()
    assert draft.data["title"] == "新标题" and draft.version == 2


def test_a_stale_form_post_comes_back_with_what_was_typed(client, draft):
    _autosave(client, draft, "basic", {"title": "新标题"})
    response = client.post(section_url(draft, "basic"), {"version": 1, "title": "我刚输入的标题"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "我刚输入的标题" in body and "版本不一致" in body


def test_a_value_that_cannot_parse_is_reported_and_the_rest_is_saved(client, draft):
    response = _autosave(client, draft, "budget", {"budget.fiscal.设备费": "十万", "budget.fiscal.业务费": "450000"})
    body = response.json()
    draft.refresh_from_db()
    assert "应为数字" in body["errors"]["budget.fiscal.设备费"]
    assert draft.data["budget"]["fiscal"]["业务费"] == 450000
    assert "设备费" not in draft.data["budget"]["fiscal"]


def test_table_rows_save_in_order_and_blank_rows_are_dropped(client, draft):
    _autosave(
        client,
        draft,
        "units",
        {
            "partners.__present": "1",
            "partners.0.name": "北京草业科学研究中心",
            "partners.0.location.scope": "domestic_out_of_region",
            "partners.1.name": "",
            "partners.2.name": "Leibniz Institute",
            "partners.2.location.scope": "foreign",
        },
    )
    draft.refresh_from_db()
    assert [p["name"] for p in draft.data["partners"]] == ["北京草业科学研究中心", "Leibniz Institute"]
    assert draft.data["partners"][1]["location"] == {"scope": "foreign"}


def test_read_only_registration_facts_cannot_be_overwritten(client, draft, unit):
    _autosave(client, draft, "units", {"lead_unit.name": "冒名单位", "lead_unit.research_assistant_post": "shared"})
    draft.refresh_from_db()
    assert draft.data["lead_unit"]["name"] == unit.name
    assert draft.data["lead_unit"]["research_assistant_post"] == "shared"


def test_after_the_deadline_a_draft_cannot_change_and_keeps_what_it_had(client, draft, applicant, during_filing):
    _autosave(client, draft, "basic", {"title": "截止前保存的标题"})
    during_filing.move_to(AFTER_FILING)
    client.force_login(applicant)  # the session has long expired
    draft.refresh_from_db()
    response = _autosave(client, draft, "basic", {"title": "截止后的修改"})
    assert (
        response.status_code == 409
        and "16:00" in response.json()["message"]
        and "不会丢失" in response.json()["message"]
    )
    draft.refresh_from_db()
    assert draft.data["title"] == "截止前保存的标题"
    assert client.get(section_url(draft, "basic")).status_code == 200


def test_another_applicant_of_the_unit_can_neither_see_nor_save_the_draft(client, draft, make_user, unit):
    from shenbao.accounts.models import User

    colleague = make_user(User.Role.APPLICANT, unit=unit, id_number="")
    client.force_login(colleague)
    assert client.get(section_url(draft, "basic")).status_code == 404
    assert _autosave(client, draft, "basic", {"title": "x"}).status_code == 404


def test_the_unit_admin_hands_a_draft_to_another_applicant(client, draft, unit_admin, make_user, unit):
    from shenbao.accounts.models import User

    colleague = make_user(User.Role.APPLICANT, unit=unit, real_name="巴图", id_number="150105199007160041")
    client.force_login(unit_admin)
    client.post(reverse("applications:hand_over", args=[draft.public_id]), {"applicant": colleague.pk})
    draft.refresh_from_db()
    assert draft.applicant == colleague and draft.data["pi"]["name"] == "巴图"
    assert draft.pi_id_number == "150105199007160041"


def test_the_example_imports_as_it_is_and_passes_the_formal_review_with_no_bar(client, applicant, call, media):
    client.force_login(applicant)
    with EXAMPLE_APPLICATION.open("rb") as file:
        response = client.post(reverse("applications:import"), {"file": file})
    application = Application.objects.get(applicant=applicant)
    assert response.status_code == 302
    review = client.get(reverse("applications:review", args=[application.public_id])).context
    # Only its attachments are missing: files come by upload, never by a claim in the file.
    bar_codes = {f.code for _, findings in review["by_section"] for f in findings if f.severity == "bar"}
    assert bar_codes <= {"attachments.missing"}
    assert {r.kind for r in review["missing"]} == {"joint_agreement", "integrity_commitment"}


def test_export_then_import_gives_the_same_application(client, applicant, call):
    client.force_login(applicant)
    with EXAMPLE_APPLICATION.open("rb") as file:
        client.post(reverse("applications:import"), {"file": file})
    first = Application.objects.get(applicant=applicant)
    exported = client.get(reverse("applications:export", args=[first.public_id]))
    data = json.loads(exported.content)
    assert data["format"] == "shenbao.application/2"
    client.post(reverse("applications:import"), {"file": _named(exported.content)})
    second = Application.objects.exclude(pk=first.pk).get(applicant=applicant)
    assert second.data == first.data


def test_an_unreadable_import_is_refused_saying_why(client, applicant, call):
    client.force_login(applicant)
    response = client.post(reverse("applications:import"), {"file": _named(b'{"format": "x"}')}, follow=True)
    assert "导入失败" in response.content.decode() and not Application.objects.exists()


def _named(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("application.json", content, content_type="application/json")


def test_the_repository_keeps_an_identical_copy_of_the_shared_example():
    from conftest import REPO, SHARED_EXAMPLE

    copy = REPO / "docs" / "examples" / "application-1001.json"
    if not SHARED_EXAMPLE.exists():
        pytest.skip("the shared folder is not beside this checkout")
    assert copy.read_bytes() == SHARED_EXAMPLE.read_bytes()


def test_the_unit_admin_reads_a_section_without_a_save_button_or_autosave(client, draft, unit_admin):
    client.force_login(unit_admin)
    response = client.get(section_url(draft, "basic"))
    assert response.status_code == 200 and not response.context["editable"]
    body = response.content.decode()
    assert 'data-autosave=""' in body and "只读：只有申报人本人可以修改。" in body


def test_a_save_that_changes_nothing_keeps_the_version_so_no_other_tab_turns_stale(client, draft):
    first = _autosave(client, draft, "basic", {"title": "草原生态修复"}).json()
    draft.refresh_from_db()
    again = _autosave(client, draft, "basic", {"title": "草原生态修复"}).json()
    assert first["version"] == again["version"] == 2
