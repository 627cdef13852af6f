"""The JSON API: same domain functions and permissions as the pages, refusals with the same reasons."""

import json
import uuid

import pytest
from django.urls import get_resolver, resolve, reverse

from conftest import EXAMPLE_APPLICATION
from shenbao.accounts.models import User
from shenbao.api.models import ApiToken
from shenbao.applications.models import Application

pytestmark = pytest.mark.usefixtures("during_filing", "media")


def _auth(user):
    _, key = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _post(client, url, user, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **_auth(user))


def test_a_request_without_a_valid_token_is_refused(client, call):
    assert client.get(reverse("api:applications")).status_code == 401
    response = client.get(reverse("api:applications"), HTTP_AUTHORIZATION="Bearer sb_wrong")
    assert response.status_code == 401 and "令牌" in response.json()["error"]


def test_a_revoked_token_no_longer_works(client, applicant, call):
    token, key = ApiToken.issue(applicant, "x")
    token.revoked = True
    token.save()
    assert client.get(reverse("api:applications"), HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_unit_system_imports_reads_findings_and_submits_like_the_pages(client, applicant):
    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    created = _post(client, reverse("api:applications"), applicant, data)
    assert created.status_code == 201 and created.json()["state"] == "draft"
    public_id = created.json()["id"]
    findings = client.get(reverse("api:findings", args=[public_id]), **_auth(applicant)).json()
    blocking = {f["code"]: f["severity"] for f in findings if f["severity"] in ("bar", "incomplete")}
    assert blocking == {"attachments.missing": "incomplete"}  # not uploaded yet: unanswered, not a breach
    refused = _post(client, reverse("api:transition-submit", args=[public_id]), applicant)
    assert refused.status_code == 409 and "未填写" in refused.json()["error"]
    assert {f["code"] for f in refused.json()["findings"]} == {"attachments.missing"}


def test_the_api_and_the_page_refuse_with_the_same_reason(client, submitted, admin):
    url = reverse("api:transition-submit-to-recommender", args=[submitted.public_id])
    api_refusal = _post(client, url, admin).json()["error"]
    client.force_login(admin)
    page = client.post(
        reverse("review:unit_action"), {"action": "submit", "application": submitted.public_id}, follow=True
    )
    assert api_refusal in page.content.decode()


def test_the_whole_flow_runs_through_the_api(client, submitted, admin, staff):
    for step in ("approve",):
        assert _post(client, reverse(f"api:transition-{step}", args=[submitted.public_id]), admin).status_code == 200
    sealed = _post(client, reverse("api:seal", args=[submitted.public_id]), admin)
    assert sealed.status_code == 202
    assert Application.objects.get(pk=submitted.pk).state == Application.State.SEALED  # immediate task backend
    _post(client, reverse("api:transition-submit-to-recommender", args=[submitted.public_id]), admin)
    recommended = _post(client, reverse("api:transition-recommend", args=[submitted.public_id]), staff)
    assert recommended.json()["state"] == "recommended"
    confirmed = _post(client, reverse("api:confirm_list"), staff)
    assert confirmed.status_code == 201
    pdf = client.get(reverse("api:list_file", args=[confirmed.json()["id"], "pdf"]), **_auth(staff))
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"


def test_another_units_application_is_not_found_through_the_api(client, submitted, make_user, make_unit):
    stranger = make_user(User.Role.UNIT_ADMIN, unit=make_unit())
    response = _post(client, reverse("api:transition-approve", args=[submitted.public_id]), stranger)
    assert response.status_code == 404
    assert Application.objects.get(pk=submitted.pk).state == Application.State.SUBMITTED


def test_the_openapi_document_and_the_api_routes_agree(client):
    """Each documented path resolves to an API view, and each API view is documented."""
    paths = client.get(reverse("api:openapi")).json()["paths"]
    samples = {"{id}": str(uuid.uuid4()), "{list}": "1"}
    documented = set()
    for path in paths:
        for placeholder, value in samples.items():
            path = path.replace(placeholder, value)
        documented.add(resolve(f"/api/v1{path}").view_name)
    api = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "api")
    routed = {f"api:{p.name}" for p in api.url_patterns if str(p.pattern).startswith("v1/") and p.name != "openapi"}
    assert documented == routed
