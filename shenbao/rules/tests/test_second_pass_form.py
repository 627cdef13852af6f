"""The second pass in the live form: what a person types into the 申报书 sections is reviewed with
the same sentences of the guide, and an unanswered question is 未填写, never 不符合 (issue #13)."""

import pytest
from django.urls import reverse

from shenbao.applications import services
from shenbao.applications.models import Application
from shenbao.applications.tests.conftest import live_panels

pytestmark = pytest.mark.usefixtures("during_filing", "media")


@pytest.fixture
def draft(client, applicant, call):
    client.force_login(applicant)
    client.post(reverse("applications:start"))
    return Application.objects.get(applicant=applicant)


def _autosave(client, application, slug, values):
    application.refresh_from_db()
    url = reverse("applications:section", args=[application.public_id, slug])
    response = client.post(url, {"version": application.version, **values}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 200, response.content
    return live_panels(client, application, slug)["findings_html"]


def test_a_blank_new_application_shows_unanswered_questions_as_unanswered_not_as_breaches(client, draft):
    page = client.get(reverse("applications:section", args=[draft.public_id, "pi"])).content.decode()
    assert 'class="finding incomplete" data-field="pi.civil_servant"><strong>未填写' in page
    assert 'class="finding bar" data-field="pi.civil_servant"' not in page
    review = client.get(reverse("applications:review", args=[draft.public_id])).content.decode()
    assert "项目负责人为政府部门" not in review  # never reads "unanswered" as "is a civil servant"
    assert 'class="finding bar"' not in review


def test_answering_yes_to_the_civil_servant_question_is_a_breach(client, draft):
    html = _autosave(client, draft, "pi", {"pi.civil_servant": "true"})
    assert "不符合" in html and "不能作为项目（课题）负责人" in html
    html = _autosave(client, draft, "pi", {"pi.civil_servant": "false"})
    assert "公务员" not in html


def test_a_blank_application_cannot_be_submitted_and_says_what_is_unanswered(client, draft, applicant):
    with pytest.raises(services.SubmissionBarred) as refusal:
        services.submit_application(draft, applicant, draft.updated_at)
    severities = {f.severity for f in refusal.value.findings}
    assert severities == {"incomplete"}


def test_a_team_members_unit_typed_in_the_form_becomes_a_partner_needing_its_agreement(client, draft):
    html = _autosave(
        client,
        draft,
        "team",
        {"team.__present": "1", "team.0.name": "李华", "team.0.id_number": "", "team.0.unit": "清华大学"},
    )
    assert "清华大学" in html and "视为合作单位" in html and "一(三)9" in html
    review = client.get(reverse("applications:review", args=[draft.public_id])).content.decode()
    assert "与清华大学的联合申报协议" in review


def test_a_subproject_leader_answered_as_civil_servant_in_the_form_is_barred(client, draft, applicant):
    values = {
        "subprojects.__present": "1",
        "subprojects.0.title": "课题一",
        "subprojects.0.leader_id_number": "310104198205040015",
        "subprojects.0.unit": draft.data["lead_unit"]["name"],
    }
    html = _autosave(client, draft, "team", values)
    assert 'data-field="subprojects[0].leader_civil_servant"><strong>未填写' in html
    html = _autosave(client, draft, "team", {**values, "subprojects.0.leader_civil_servant": "true"})
    assert "不符合" in html and "课题“课题一”的负责人为政府部门" in html


def test_a_partner_typed_as_out_of_region_but_in_inner_mongolia_is_counted_in_region(client, draft):
    html = _autosave(
        client,
        draft,
        "units",
        {
            "partners.__present": "1",
            "partners.0.name": "包头稀土研究院",
            "partners.0.unit_type": "科研院所",
            "partners.0.location.scope": "domestic_out_of_region",
            "partners.0.location.province": "内蒙古自治区 ",
        },
    )
    assert "按区内单位计" in html


def test_a_hong_kong_partner_typed_in_the_form_needs_no_uscc_and_counts_as_out_of_region(client, draft):
    html = _autosave(
        client,
        draft,
        "units",
        {
            "partners.__present": "1",
            "partners.0.name": "香港大学",
            "partners.0.unit_type": "高等院校",
            "partners.0.location.scope": "domestic_out_of_region",
            "partners.0.location.province": "香港特別行政區",
        },
    )
    assert "统一社会信用代码" not in html and "区外（国内）单位联合申报" not in html


def test_a_team_members_id_typed_in_full_width_digits_is_a_valid_id(client, draft):
    html = _autosave(
        client,
        draft,
        "team",
        {"team.__present": "1", "team.0.name": "张明", "team.0.id_number": "３１０１０４１９８２０５０４００１５"},
    )
    assert "张明的身份证号" not in html
