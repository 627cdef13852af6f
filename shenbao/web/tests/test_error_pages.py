"""Error pages: the site's header, a Chinese explanation and a way back; JSON on the API."""

import uuid

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from shenbao.web import errors


def _page(response) -> str:
    return response.content.decode()


def _is_the_sites_page(body: str) -> bool:
    return 'class="topbar"' in body and 'lang="zh-CN"' in body and 'href="/"' in body and "返回首页" in body


def test_an_unknown_address_gets_the_sites_404_page_in_chinese_with_a_way_home(client, call):
    response = client.get("/no-such-page/")
    body = _page(response)
    assert response.status_code == 404
    assert _is_the_sites_page(body)
    assert "<title>页面不存在 · shenbao</title>" in body and "请检查网址是否完整" in body
    assert "Not Found" not in body and "The requested resource" not in body


def test_a_404_shows_the_chinese_reason_a_view_gave_but_never_djangos_english_one(client, rf, applicant):
    request = rf.get("/units/register/")
    request.user = applicant
    body = _page(errors.page_not_found(request, Http404("尚未发布申报批次")))
    assert "页面不存在" in body and "尚未发布申报批次" in body
    # Another person's application: get_object_or_404's English sentence names the model; not shown.
    client.force_login(applicant)
    body = _page(client.get(reverse("applications:review", args=[uuid.uuid4()])))
    assert "页面不存在" in body and "matches the given query" not in body


def test_a_signed_in_person_refused_a_page_gets_the_403_page_with_their_menu(client, call, applicant):
    client.force_login(applicant)
    response = client.get(reverse("review:overview"))
    body = _page(response)
    assert response.status_code == 403
    assert _is_the_sites_page(body) and "没有权限访问此页面" in body
    assert applicant.real_name in body and reverse("applications:list") in body  # the person's own menu
    assert "403 Forbidden" not in body


def test_a_stale_form_token_gets_a_chinese_page_that_says_to_reload_and_try_again(call):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    body = _page(response)
    assert response.status_code == 403
    assert _is_the_sites_page(body) and "页面已过期，请刷新后重试" in body
    assert "CSRF verification failed" not in body


def test_a_malformed_request_gets_the_400_page(client, call):
    response = client.get("/", HTTP_HOST="attacker.example")  # not in ALLOWED_HOSTS: SuspiciousOperation
    body = _page(response)
    assert response.status_code == 400
    assert "请求无法处理" in body and "返回首页" in body and "Bad Request" not in body


def test_a_server_error_gets_the_sites_page_even_when_the_database_fails(client, call, monkeypatch):
    def database_gone():
        raise RuntimeError("database is gone")

    # The help page and the context processor of every page both read the call from the database.
    monkeypatch.setattr("shenbao.web.views.current_call", database_gone)
    monkeypatch.setattr("shenbao.web.context_processors.current_call", database_gone)
    client.raise_request_exception = False
    response = client.get(reverse("web:help"))
    body = _page(response)
    assert response.status_code == 500
    assert _is_the_sites_page(body) and "系统出现错误" in body and "错误已记录" in body
    assert 'id="lang"' not in body  # the switcher needs the request's token: not offered on this page
    assert "Server Error" not in body


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_every_error_page_renders_from_a_plain_context_without_the_database(rf, status):
    # No db fixture: any query here would fail the test.
    request = rf.get("/somewhere/")
    handler = {
        400: errors.bad_request,
        403: errors.permission_denied,
        404: errors.page_not_found,
        500: errors.server_error,
    }[status]
    heading, _ = errors._texts(status)
    response = errors._plain({"status": status, "heading": heading, "explanation": "…", "detail": ""}, status)
    assert response.status_code == status and heading in _page(response) and "返回首页" in _page(response)
    if status == 500:
        assert handler(request).status_code == 500


def test_the_api_answers_its_errors_as_json_never_as_a_page(client, call):
    for path in ("/api/v1/applications/not-a-uuid", "/api/v1/nothing-here", "/api/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path
        assert response.json() == {"detail": "页面不存在", "error": "页面不存在"}, path  # the API's shape


def test_the_api_token_pages_are_pages_for_people(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("api:revoke", args=[999999]))
    assert response.status_code == 404 and "返回首页" in _page(response)
