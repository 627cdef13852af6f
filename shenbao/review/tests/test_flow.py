"""Every transition of SPEC §4: allowed, wrong role, wrong unit, wrong state, closed window."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import AFTER_FILING
from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.audit.models import AuditEntry
from shenbao.documents.sealing import seal_application
from shenbao.review import services
from shenbao.review.models import Notification

State = Application.State
AFTER_RECOMMENDATION = dt.datetime(2025, 11, 21, 16, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def now():
    return timezone.now()


def sealed_and_sent(application, admin):
    services.approve(application, admin, now())
    seal_application(application, admin, now())
    return services.submit_to_recommender(application, admin, now())


def test_the_unit_admin_approves_a_submitted_application_and_the_applicant_is_told(submitted, admin, applicant):
    services.approve(submitted, admin, now())
    assert Application.objects.get(pk=submitted.pk).state == State.UNIT_APPROVED
    assert AuditEntry.objects.filter(action="application.approved_by_unit", object_id=str(submitted.pk)).exists()


@pytest.mark.parametrize("who", ["applicant", "staff", "other_admin"])
def test_only_the_units_own_admin_may_approve(submitted, who, applicant, staff, make_user, make_unit):
    actor = {"applicant": applicant, "staff": staff, "other_admin": make_user(User.Role.UNIT_ADMIN, unit=make_unit())}[
        who
    ]
    with pytest.raises(PermissionDenied):
        services.approve(submitted, actor, now())
    assert Application.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_a_draft_cannot_be_approved(submitted, admin, applicant):
    services.withdraw(submitted, applicant, now())
    with pytest.raises(services.TransitionRefused, match="草稿"):
        services.approve(submitted, admin, now())


def test_the_unit_cannot_act_after_the_filing_close(submitted, admin, during_filing):
    during_filing.move_to(AFTER_FILING)
    with pytest.raises(services.TransitionRefused, match="2025年11月14日 16:00"):
        services.approve(submitted, admin, now())


def test_the_applicant_withdraws_before_the_unit_acts_but_not_after(submitted, admin, applicant):
    services.withdraw(submitted, applicant, now())
    assert Application.objects.get(pk=submitted.pk).state == State.DRAFT
    again = submitted.__class__.objects.get(pk=submitted.pk)
    from shenbao.applications.services import submit_application

    submit_application(again, applicant, now())
    services.approve(again, admin, now())
    with pytest.raises(services.TransitionRefused, match="单位已处理"):
        services.withdraw(again, applicant, now())


def test_a_return_needs_a_reason_tells_the_applicant_and_lets_them_edit_again(
    submitted, admin, applicant, django_capture_on_commit_callbacks
):
    with pytest.raises(services.TransitionRefused, match="原因"):
        services.return_to_applicant(submitted, admin, " ", now())
    with django_capture_on_commit_callbacks(execute=True):
        services.return_to_applicant(submitted, admin, "预算表合计有误", now())
    application = Application.objects.get(pk=submitted.pk)
    assert application.state == State.RETURNED_BY_UNIT and application.return_reason == "预算表合计有误"
    assert Notification.objects.filter(user=applicant, message__contains="预算表合计有误").exists()
    assert State.RETURNED_BY_UNIT in State.editable_by_applicant()


def test_a_sealed_application_cannot_change_and_returning_it_voids_the_seal(submitted, admin, applicant):
    services.approve(submitted, admin, now())
    sealed = seal_application(submitted, admin, now())
    assert sealed.state == State.SEALED and sealed.sealed_pdf
    from django.http import QueryDict

    from shenbao.applications.sections import SECTION_BY_SLUG
    from shenbao.applications.services import EditRefused, save_section

    with pytest.raises(EditRefused, match="已签章"):
        save_section(sealed, applicant, SECTION_BY_SLUG["basic"], QueryDict("title=x"), sealed.version, now())
    services.return_to_applicant(sealed, admin, "需补充合作协议", now())
    returned = Application.objects.get(pk=submitted.pk)
    assert not returned.sealed_pdf and returned.sealed_at is None


def test_only_a_sealed_application_goes_to_the_recommender(submitted, admin):
    services.approve(submitted, admin, now())
    with pytest.raises(services.TransitionRefused, match="须先签章"):
        services.submit_to_recommender(submitted, admin, now())


def test_the_recommender_recommends_within_the_quota_and_the_next_one_is_refused_with_the_numbers(
    make_submitted, applicant, admin, staff, unit, make_user
):
    unit.recommender.quota_overrides = {"1001": 1}
    unit.recommender.save()
    first = sealed_and_sent(make_submitted(applicant), admin)
    colleague = make_user(User.Role.APPLICANT, unit=unit, id_number="150105199007160041", real_name="巴图")
    second = sealed_and_sent(make_submitted(colleague, title="第二个项目"), admin)
    services.recommend(first, staff, now())
    with pytest.raises(services.TransitionRefused, match="推荐限额为1项，已推荐1项"):
        services.recommend(second, staff, now())
    assert Application.objects.get(pk=second.pk).state == State.SUBMITTED_TO_RECOMMENDER


def test_a_city_bureau_has_7_places_for_domestic_and_4_for_international(call, unit):
    spec = call.spec
    assert services.quota_of(unit.recommender, spec, "1001") == 7
    assert services.quota_of(unit.recommender, spec, "2001") == 4


def test_another_bureau_cannot_recommend_this_units_application(submitted, admin, make_user):
    from shenbao.organisations.models import Recommender

    sealed_and_sent(submitted, admin)
    stranger = make_user(User.Role.RECOMMENDER, recommender=Recommender.objects.get(code="150200"))
    with pytest.raises(PermissionDenied):
        services.recommend(submitted, stranger, now())


def test_no_recommendation_after_the_recommendation_deadline(submitted, admin, staff, during_filing):
    sealed_and_sent(submitted, admin)
    during_filing.move_to(AFTER_RECOMMENDATION)
    with pytest.raises(services.TransitionRefused, match="2025年11月21日 16:00"):
        services.recommend(submitted, staff, now())


def test_the_recommender_returns_an_application_to_the_unit_and_the_seal_is_void(submitted, admin, staff):
    sealed_and_sent(submitted, admin)
    services.return_to_unit(submitted, staff, "合作协议缺少外方签字", now())
    application = Application.objects.get(pk=submitted.pk)
    assert application.state == State.RETURNED_BY_RECOMMENDER and not application.sealed_pdf


def test_the_unit_withdraws_from_the_recommender_before_it_acts(submitted, admin, staff):
    sealed_and_sent(submitted, admin)
    services.withdraw_from_recommender(submitted, admin, now())
    assert Application.objects.get(pk=submitted.pk).state == State.SEALED


def test_a_direct_report_unit_recommends_its_own_applications_within_quota_3(
    make_submitted, make_unit, make_user, call
):
    from shenbao.organisations.models import Recommender, Unit
    from shenbao.organisations.routing import direct_recommender_for

    direct = make_unit(route=Unit.Route.DIRECT, recommender=None, name="内蒙古大学")
    direct.recommender = direct_recommender_for(direct, call.spec.direct_quota_type)
    direct.save()
    own_admin = make_user(User.Role.UNIT_ADMIN, unit=direct)
    researcher = make_user(User.Role.APPLICANT, unit=direct, id_number="150105199007160025", real_name="乌云")
    application = make_submitted(researcher)
    sealed_and_sent(application, own_admin)
    assert services.quota_of(direct.recommender, call.spec, "1001") == 3
    services.recommend(application, own_admin, now())
    assert Application.objects.get(pk=application.pk).state == State.RECOMMENDED
    assert direct.recommender.kind == Recommender.Kind.DIRECT


def test_the_recommendation_letter_is_refused_unless_a_sound_pdf_and_kept_when_it_is(client, submitted, admin, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from shenbao.attachments.tests.test_uploads import pdf_bytes
    from shenbao.documents.sealing import confirm_list

    sealed_and_sent(submitted, admin)
    services.recommend(submitted, staff, now())
    entry = confirm_list(staff.recommender, submitted.call, staff, now())
    client.force_login(staff)
    url = reverse("review:upload_letter", args=[entry.pk])
    refused = client.post(url, {"letter": SimpleUploadedFile("推荐函.pdf", b"not a pdf")}, follow=True)
    assert "不是PDF文件" in refused.content.decode()
    client.post(url, {"letter": SimpleUploadedFile("推荐函.pdf", pdf_bytes(1))})
    entry.refresh_from_db()
    assert entry.letter and entry.letter_uploaded_at


def test_staff_read_the_history_of_an_application_with_actor_and_reason(client, submitted, admin):
    from django.urls import reverse

    services.return_to_applicant(submitted, admin, "预算需调整", now())
    client.force_login(admin)
    body = client.get(reverse("applications:review", args=[submitted.public_id])).content.decode()
    assert "处理记录" in body and "提交单位审核" in body and "单位退回修改" in body and "预算需调整" in body


def test_garbage_in_a_batch_form_is_ignored_not_a_server_error(client, submitted, admin):
    from django.urls import reverse

    client.force_login(admin)
    response = client.post(reverse("review:unit_action"), {"action": "approve", "application": ["x", "1"]}, follow=True)
    assert response.status_code == 200 and "请先勾选" in response.content.decode()
    assert Application.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_the_department_overview_counts_by_category_state_tag_and_pi(client, submitted, department_staff):
    from django.urls import reverse

    client.force_login(department_staff)
    context = client.get(reverse("review:overview")).context
    charts = {chart.key: chart for chart in context["charts"]}
    assert context["total"] == 1
    assert charts["by_recommender"].rows == [[submitted.unit.recommender.name, 1, 1]]
    assert charts["by_recommender"].headers[1] == "已提交单位"
    assert ["京蒙协作科技创新倍增计划标志性合作项目", 1] in charts["tags"].rows
    assert (context["young"], context["female"]) == (1, 1)  # 乌云其其格, born 1990, a woman
