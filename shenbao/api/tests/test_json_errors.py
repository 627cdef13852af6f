"""The API answers JSON, always: whatever goes wrong under /api/, the answer is a JSON object with a
Chinese `detail`, whether the API's own code refused or Django did (an unknown route, a malformed id,
an exception), and whatever HTML error pages the site has. The people's token pages stay HTML."""

import json
import uuid

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from shenbao import urls as site_urls
from shenbao.api import views
from shenbao.api.errors import AUTHENTICATE, as_json_error
from shenbao.api.models import ApiToken

# This module is also a URLconf: the site's routes with HTML error handlers of its own, standing for
# whatever 404 and 500 pages the site shows people.
urlpatterns = site_urls.urlpatterns


def handler404(request, exception):
    return HttpResponse("<html><body>页面不存在</body></html>", status=404)


def handler500(request):
    return HttpResponse("<html><body>服务器出错</body></html>", status=500)


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def _assert_json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"] and body["error"] == body["detail"]
    assert any("\u4e00" <= character <= "\u9fff" for character in body["detail"])  # said in Chinese
    return body


@pytest.mark.urls(__name__)
def test_a_malformed_id_is_a_json_404_even_where_the_site_answers_html(client, applicant, call):
    response = client.get("/api/v1/applications/not-a-uuid", **_auth(applicant))
    _assert_json_error(response, 404)


@pytest.mark.urls(__name__)
def test_an_unknown_route_under_api_is_a_json_404(client, call):
    _assert_json_error(client.get("/api/v2/applications"), 404)
    _assert_json_error(client.post("/api/nothing-here"), 404)


def test_an_id_that_names_nothing_is_a_json_404(client, applicant, call):
    response = client.get(reverse("api:application", args=[uuid.uuid4()]), **_auth(applicant))
    _assert_json_error(response, 404)


@pytest.mark.urls(__name__)
def test_an_exception_in_the_api_is_a_json_500(applicant, call, monkeypatch):
    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.applications, "visible_applications", broken)
    client = Client(raise_request_exception=False)
    body = _assert_json_error(client.get(reverse("api:applications"), **_auth(applicant)), 500)
    assert "boom" not in json.dumps(body)  # the technical detail goes to the log, not to the caller


def test_a_method_the_path_does_not_support_is_405_with_allow(client, applicant, call):
    response = client.delete(reverse("api:applications"), **_auth(applicant))
    _assert_json_error(response, 405)
    assert response["Allow"] == "GET, POST"
    assert client.put(reverse("api:openapi"))["Allow"] == "GET"


def test_a_missing_token_is_401_with_the_bearer_challenge(client, call):
    response = client.get(reverse("api:applications"))
    _assert_json_error(response, 401)
    assert response["WWW-Authenticate"] == AUTHENTICATE


def test_a_document_whose_format_is_an_object_is_a_400_not_a_500(client, applicant, call):
    response = client.post(
        reverse("api:review"), json.dumps({"format": {}}), content_type="application/json", **_auth(applicant)
    )
    assert "format" in _assert_json_error(response, 400)["detail"]


def test_a_seal_request_whose_submit_is_not_a_boolean_is_a_400(client, admin, submitted):
    response = client.post(
        reverse("api:seal", args=[submitted.public_id]),
        json.dumps({"submit": "yes"}),
        content_type="application/json",
        **_auth(admin),
    )
    assert "submit" in _assert_json_error(response, 400)["detail"]


def test_the_token_pages_for_people_stay_html(client, applicant, call):
    client.force_login(applicant)
    response = client.post(reverse("api:revoke", args=[987654]))
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_the_openapi_document_is_self_contained(client, call):
    document = client.get(reverse("api:openapi")).json()
    references = []

    def collect(node):
        if isinstance(node, dict):
            references.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    assert references
    for reference in references:
        assert reference.startswith("#/"), reference
        target = document
        for part in reference[2:].split("/"):
            target = target[part]  # a KeyError names a reference to nothing


def test_the_application_detail_documents_its_document_field(client, call):
    detail = client.get(reverse("api:openapi")).json()["components"]["schemas"]["ApplicationDetail"]
    assert "document" in detail["required"] and detail["additionalProperties"] is False
    assert detail["properties"]["document"]["$ref"] == "#/components/schemas/Application"


def test_a_plain_text_refusal_keeps_its_sentence_and_its_headers():
    sentence = "草稿PDF生成过于频繁，请10分钟后再试。"
    refusal = HttpResponse(sentence, status=429, content_type="text/plain; charset=utf-8")
    refusal["Retry-After"] = "600"
    answer = as_json_error(refusal)
    assert answer.status_code == 429 and answer["Retry-After"] == "600"
    assert json.loads(answer.content)["detail"] == sentence
