"""Input that Python's lenient checks let through never becomes a 500: `²` passes `isdigit()`, `nan`
and `inf` parse as floats, ten thousand brackets overflow `json.loads`. Each is a 400 (or a field error)
with a Chinese message naming the field."""

import json

import pytest
from django.urls import reverse

from shenbao.api.models import ApiToken
from shenbao.applications.models import Application
from shenbao.parsing import BadInput, is_index, loads_json, parse_finite_number, parse_int

pytestmark = pytest.mark.usefixtures("during_filing", "media")


@pytest.mark.parametrize("text", ["²", "١٢", "①", "1.5", "", "0x10", " 1 2"])
def test_only_ascii_digits_are_an_integer(text):
    assert not is_index(text)
    with pytest.raises(BadInput, match="应为整数"):
        parse_int(text, "版本号")


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "1e999", "Infinity"])
def test_nan_and_infinity_are_not_numbers(text):
    with pytest.raises(BadInput, match="金额"):
        parse_finite_number(text, "金额")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50 + "1" + "}" * 50, '{"x": NaN}'])
def test_hostile_json_is_refused(text):
    with pytest.raises(BadInput):
        loads_json(text)


@pytest.fixture
def draft(client, applicant, call):
    client.force_login(applicant)
    client.post(reverse("applications:start"))
    return Application.objects.get(applicant=applicant)


def test_a_superscript_version_is_a_400_naming_the_field(client, draft):
    url = reverse("applications:section", args=[draft.public_id, "basic"])
    response = client.post(url, {"version": "²", "title": "x"})
    assert response.status_code == 400 and "版本号" in response.content.decode()


def test_a_superscript_table_row_index_is_ignored_not_a_500(client, draft):
    url = reverse("applications:section", args=[draft.public_id, "partners"])
    response = client.post(url, {"version": str(draft.version), "partners.².name": "某单位"})
    assert response.status_code < 500


def test_a_superscript_upload_year_is_a_400_naming_the_field(client, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shenbao.attachments.tests.test_uploads import pdf_bytes

    file = SimpleUploadedFile("报表.pdf", pdf_bytes(), content_type="application/pdf")
    url = reverse("attachments:upload", args=[draft.public_id])
    response = client.post(url, {"file": file, "kind": "financial_statement", "year": "２０２４²"})
    assert response.status_code == 400 and "年度" in response.content.decode()


def test_a_superscript_hand_over_applicant_is_a_400(client, draft, unit_admin):
    client.force_login(unit_admin)
    response = client.post(reverse("applications:hand_over", args=[draft.public_id]), {"applicant": "²"})
    assert response.status_code == 400 and "移交给的申报人" in response.content.decode()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_nan_in_a_number_field_is_a_field_error_not_a_500(client, draft, value):
    url = reverse("applications:section", args=[draft.public_id, "budget"])
    response = client.post(url, {"version": str(draft.version), "budget.fiscal.设备费": value})
    assert response.status_code < 500
    draft.refresh_from_db()
    assert "nan" not in json.dumps(draft.data).lower() and "inf" not in json.dumps(draft.data).lower()
    # what was typed is kept in its cell with the message (issue 13), never stored as a number
    assert value in json.dumps(draft.invalid_inputs, ensure_ascii=False)


def test_deeply_nested_json_on_the_api_is_a_400(client, applicant, call):
    _, key = ApiToken.issue(applicant, "测试")
    response = client.post(
        reverse("api:applications"),
        "[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400 and "嵌套过深" in response.json()["error"]


def test_nan_in_json_on_the_api_is_a_400(client, applicant, call):
    _, key = ApiToken.issue(applicant, "测试")
    response = client.post(
        reverse("api:applications"),
        '{"format": "shenbao-application-1", "title": NaN}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400 and "NaN" in response.json()["error"]


@pytest.mark.parametrize("number", ["1²0105199007160025", "15010519900716002²"])
def test_an_id_number_with_non_ascii_digits_is_refused_with_its_rule(number):
    from shenbao.accounts.id_number import check_id_number

    assert "GB 11643-1999" in check_id_number(number).error


def test_an_id_number_in_full_width_digits_is_the_same_number():
    """Codes are compared after NFKC (SPEC §3): full-width digits are the same ID, and never reach int() raw."""
    from shenbao.accounts.id_number import check_id_number

    check = check_id_number("１50105199007160025")
    assert check.error == "" and check.number == "150105199007160025"


def test_a_reason_that_is_not_text_is_a_400_on_the_api(client, applicant, call):
    from shenbao.applications.models import Application

    draft = Application.objects.create(call=call, unit=applicant.unit, applicant=applicant)
    _, key = ApiToken.issue(applicant, "测试")
    response = client.post(
        reverse("api:transition-return", args=[draft.public_id]),
        json.dumps({"reason": {"x": 1}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400 and "reason" in response.json()["error"]
