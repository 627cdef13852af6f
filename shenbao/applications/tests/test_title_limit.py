"""项目名称 is at most the call's `max_title_length` characters (calls/nmg-2026-kjhz.toml: 50, the guide
states none): refused with one Chinese sentence naming the limit and where it comes from — as it is
typed (autosave and the Save button), in an import or the API, and in the review of one already
stored — and shown on the section page (maxlength, the limit, how much is used)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import EXAMPLE_APPLICATION
from shenbao.applications.models import Application
from shenbao.rules.limits import title_refusal

pytestmark = pytest.mark.usefixtures("during_filing", "media")

FIFTY = ("草原退化区乡土牧草种质创新与生态修复关键技术集成研究及产业化示范应用" * 2)[:50]
SOURCE = "指南未规定字数，本系统按申报书封面版式设定"


def _post_basic(client, draft, title, *, autosave=True):
    draft.refresh_from_db()
    headers = {"HTTP_X_AUTOSAVE": "1"} if autosave else {}
    url = reverse("applications:section", args=[draft.public_id, "basic"])
    return client.post(url, {"version": draft.section_version("basic"), "title": title}, **headers)


def test_the_limit_is_counted_in_characters_after_trimming_and_the_refusal_says_where_it_comes_from(spec):
    assert len(FIFTY) == 50
    assert title_refusal(f"  {FIFTY}  ", spec) == ""
    assert title_refusal(FIFTY + "研", spec) == f"“项目名称”最多50个字（{SOURCE}），当前为51个字，请精简。"


def test_autosave_refuses_a_title_over_the_limit_and_keeps_what_was_typed_in_its_field(client, draft):
    response = _post_basic(client, draft, FIFTY + "研究")
    assert response.status_code == 200
    assert response.json()["errors"]["title"] == f"“项目名称”最多50个字（{SOURCE}），当前为52个字，请精简。"
    draft.refresh_from_db()
    assert draft.data.get("title") is None  # never a document value, so never printed
    page = client.get(reverse("applications:section", args=[draft.public_id, "basic"])).content.decode()
    assert f'value="{FIFTY}研究"' in page and "当前为52个字" in page


def test_a_title_of_exactly_the_limit_is_saved(client, draft):
    response = _post_basic(client, draft, FIFTY)
    assert response.json()["errors"] == {}
    draft.refresh_from_db()
    assert draft.data["title"] == FIFTY and draft.title == FIFTY


def test_the_save_button_refuses_it_too(client, draft):
    response = _post_basic(client, draft, FIFTY * 2, autosave=False)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "“项目名称”最多50个字" in page and "当前为100个字" in page


def test_the_section_page_shows_the_limit_its_source_and_how_much_is_used(client, draft):
    _post_basic(client, draft, "乡土牧草种质创新")
    page = client.get(reverse("applications:section", args=[draft.public_id, "basic"])).content.decode()
    assert 'id="title" name="title" value="乡土牧草种质创新" type="text" maxlength="50"' in page
    assert f"最多50个字（{SOURCE}）" in page
    assert 'data-count-for="title" data-max-length="50"' in page and "，已输入8个字" in page
    assert "shenbao/char-count.js" in page


def _document(title):
    data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
    data["title"] = title
    return data


def test_the_api_refuses_a_title_over_the_limit_with_the_same_sentence(client, applicant, call):
    from shenbao.api.models import ApiToken

    _, key = ApiToken.issue(applicant, "test")

    def create(title):
        return client.post(
            reverse("api:applications"),
            json.dumps(_document(title)),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )

    refused = create(FIFTY + "研")
    assert refused.status_code == 400
    assert refused.json()["error"] == f"“项目名称”最多50个字（{SOURCE}），当前为51个字，请精简。"
    assert not Application.objects.exists()
    assert create(FIFTY).status_code == 201


def test_an_imported_file_with_a_title_over_the_limit_is_refused(client, applicant, call):
    client.force_login(applicant)
    upload = SimpleUploadedFile("shenbao.json", json.dumps(_document(FIFTY + "研")).encode(), "application/json")
    response = client.post(reverse("applications:import"), {"file": upload}, follow=True)
    assert "导入失败：“项目名称”最多50个字" in response.content.decode()
    assert not Application.objects.exists()


def test_the_review_flags_a_title_over_the_limit_that_is_already_stored(draft, applicant):
    from shenbao.rules.batch import context_for
    from shenbao.rules.ruleset import review

    draft.data["title"] = FIFTY * 4
    draft.save()
    [finding] = [f for f in review(*context_for(draft)) if f.code == "project.title_too_long"]
    assert finding.severity == "bar" and "当前为200个字" in finding.message and finding.clause == SOURCE
