"""The lean autosave: one statement that checks and writes, retries that succeed, sections that do not
conflict with each other, conflicts that keep both texts, input that is never silently dropped."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import AFTER_FILING
from shenbao.accounts.models import User
from shenbao.applications.models import Application
from shenbao.applications.tests.conftest import live_panels, section_url
from shenbao.rules.snapshot import Snapshot

pytestmark = pytest.mark.usefixtures("during_filing")


def _autosave(client, draft, slug, values, version):
    return client.post(section_url(draft, slug), {"version": version, **values}, HTTP_X_AUTOSAVE="1")


def test_a_successful_autosave_runs_at_most_three_sql_statements(client, draft):
    first = _autosave(client, draft, "basic", {"title": "草原生态修复", "category": "2001"}, 1).json()
    with CaptureQueriesContext(connection) as queries:
        second = _autosave(client, draft, "basic", {"title": "草原生态修复与乡土草种", "category": "2001"}, 2)
    assert second.status_code == 200 and second.json()["version"] == first["version"] + 1 == 3
    statements = [q["sql"] for q in queries.captured_queries]
    # the session, the user, and one UPDATE … WHERE … version that both checks and writes
    assert len(statements) <= 3, statements
    assert sum("UPDATE APPLICATIONS_APPLICATION" in s.upper() for s in statements) == 1
    assert set(second.json()) == {"ok", "version", "errors"}  # the panels come in a request of their own
    assert "请填写项目摘要" in live_panels(client, draft, "basic")["findings_html"]
    draft.refresh_from_db()
    assert draft.data["title"] == "草原生态修复与乡土草种" and draft.title == "草原生态修复与乡土草种"


@pytest.mark.postgres
def test_on_postgresql_the_autosave_is_prepared_once_per_connection_and_nothing_else_is(client, draft):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for version in (1, 2, 3):  # with the session, the user and the live panels' queries between them
        saved = _autosave(client, draft, "basic", {"title": f"草原生态修复{version}", "category": "2001"}, version)
        assert saved.json()["version"] == version + 1
        live_panels(client, draft, "basic")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 1 and prepared[0].startswith("WITH locked AS"), prepared


def _autosave_as_the_page_sends_it(client, draft, slug, pairs):
    return client.post(
        section_url(draft, slug), json.dumps(pairs), content_type="application/json", HTTP_X_AUTOSAVE="1"
    )


def test_the_pages_autosave_sends_its_fields_as_json_pairs_and_they_are_saved_as_a_form_post_would_be(client, draft):
    pairs = [["version", "1"], ["title", "草原生态修复"], ["category", "2001"], ["abstract", "乡土草种 & 100%"]]
    response = _autosave_as_the_page_sends_it(client, draft, "basic", pairs)
    assert response.status_code == 200 and response.json()["ok"] and response.json()["version"] == 2
    draft.refresh_from_db()
    assert (draft.data["title"], draft.data["abstract"]) == ("草原生态修复", "乡土草种 & 100%")


@pytest.mark.parametrize(
    "body",
    ["{not json", '{"title": "x"}', '[["title"]]', '[["title", 5]]', "[" + ",".join(['["a", "b"]'] * 1001) + "]"],
)
def test_an_autosave_body_that_is_not_a_list_of_name_value_pairs_is_refused_in_chinese_and_saves_nothing(
    client, draft, body
):
    response = client.post(section_url(draft, "basic"), body, content_type="application/json", HTTP_X_AUTOSAVE="1")
    assert response.status_code == 400 and "自动保存的内容无法读取" in response.content.decode()
    draft.refresh_from_db()
    assert draft.version == 1 and draft.section_version("basic") == 1


def test_a_save_that_asks_for_the_live_panels_brings_them_within_the_same_three_statements(client, draft):
    first = _autosave(client, draft, "basic", {"title": "草原生态修复"}, 1).json()
    live_panels(client, draft, "basic")  # the page has shown them once: their context is cached
    with CaptureQueriesContext(connection) as queries:
        second = client.post(
            section_url(draft, "basic"),
            {"version": first["version"], "title": "草原生态修复与保护"},
            HTTP_X_AUTOSAVE="1",
            HTTP_X_PANELS="",
        ).json()
    assert second["ok"] and "请填写项目摘要" in second["findings_html"] and "progress_html" in second
    assert len(queries.captured_queries) <= 3, [q["sql"] for q in queries.captured_queries]


def test_a_panels_refresh_that_changes_nothing_they_show_answers_without_drawing_them(client, draft):
    page = client.get(section_url(draft, "basic"))
    shown = page.context["panels_digest"]
    assert f'data-panels="{shown}"' in page.content.decode()
    # The title was required and empty: typing it changes the findings and the counts, so they are drawn.
    saved = _autosave(client, draft, "basic", {"title": "草原生态修复"}, 1).json()
    first = live_panels(client, draft, "basic", shown)
    assert first["panels"] != shown and "findings_html" in first and "progress_html" in first
    # Typing on in the same field changes neither: the answer only confirms the digest.
    _autosave(client, draft, "basic", {"title": "草原生态修复与保护"}, saved["version"])
    second = live_panels(client, draft, "basic", first["panels"])
    assert second == {"panels": first["panels"]}
    # A page that shows something else (another tab, an older digest) gets the panels drawn.
    assert "请填写项目摘要" in live_panels(client, draft, "basic", shown)["findings_html"]


def test_the_live_panels_are_the_applicants_own_and_are_not_cached_by_the_browser(client, draft, make_user, unit):
    response = client.get(reverse("applications:section_panels", args=[draft.public_id, "basic"]))
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("applications:section_panels", args=[draft.public_id, "nosuch"])).status_code == 404
    assert client.post(reverse("applications:section_panels", args=[draft.public_id, "basic"])).status_code == 405
    client.force_login(make_user(User.Role.APPLICANT, unit=unit))  # a colleague: not theirs to see
    assert client.get(reverse("applications:section_panels", args=[draft.public_id, "basic"])).status_code == 404


def test_the_live_findings_see_an_attachment_uploaded_after_they_were_cached(client, draft, media):
    from django.core.files.base import ContentFile

    from shenbao.applications import live_review
    from shenbao.attachments.models import Attachment

    _autosave(client, draft, "basic", {"title": "草原生态修复"}, 1)  # the context is cached now
    draft.refresh_from_db()
    assert live_review.context(draft, Snapshot(draft.data))[0].files == []
    attachment = Attachment(
        application=draft,
        kind="integrity_commitment",
        original_name="诚信承诺书.pdf",
        size=9,
        sha256="0" * 64,
        pages=1,
        uploaded_by=draft.applicant,
    )
    attachment.file.save("x.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    with CaptureQueriesContext(connection) as queries:
        cached, _ = live_review.context(draft, Snapshot(draft.data))
    assert [f["kind"] for f in cached.files] == ["integrity_commitment"] and queries.captured_queries
    with CaptureQueriesContext(connection) as again:
        live_review.findings(draft)
    assert again.captured_queries == []  # cached until something it holds changes


def test_a_save_that_committed_but_was_answered_with_an_error_succeeds_when_retried(client, draft):
    """Issue 9: the page retries a save whose answer was lost; same content at the old version is no conflict."""
    values = {"title": "草原生态修复", "abstract": "乡土草种"}
    committed = _autosave(client, draft, "basic", values, 1)  # the answer never reached the page
    assert committed.json()["version"] == 2
    retried = _autosave(client, draft, "basic", values, 1)
    assert retried.status_code == 200 and retried.json()["ok"] and retried.json()["version"] == 2
    draft.refresh_from_db()
    assert draft.section_version("basic") == 2 and draft.data["title"] == "草原生态修复"


def test_two_tabs_on_different_sections_never_conflict(client, draft):
    assert _autosave(client, draft, "basic", {"title": "标题一"}, 1).status_code == 200
    # the second tab loaded the content section at version 1 before the basic section was saved
    content = _autosave(client, draft, "content", {"content.background": "背景"}, 1)
    assert content.status_code == 200
    assert _autosave(client, draft, "basic", {"title": "标题二"}, 2).status_code == 200
    assert _autosave(client, draft, "content", {"content.background": "背景二"}, 2).status_code == 200
    draft.refresh_from_db()
    assert draft.data["title"] == "标题二" and draft.data["content"]["background"] == "背景二"


def test_two_tabs_on_the_same_section_get_both_texts_and_nothing_is_overwritten(client, draft):
    _autosave(client, draft, "basic", {"title": "甲窗口的标题", "abstract": "共同的摘要"}, 1)
    response = _autosave(client, draft, "basic", {"title": "乙窗口的标题", "abstract": "共同的摘要"}, 1)
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] and body["version"] == 2 and "版本不一致" in body["message"]
    assert body["differences"] == [
        {"path": "title", "label": "项目名称", "theirs": "甲窗口的标题", "mine": "乙窗口的标题"}
    ]
    draft.refresh_from_db()
    assert draft.data["title"] == "甲窗口的标题"
    # the person keeps what this tab typed: the page saves it again at the version it was shown
    kept = _autosave(client, draft, "basic", {"title": "乙窗口的标题", "abstract": "共同的摘要"}, body["version"])
    assert kept.status_code == 200
    draft.refresh_from_db()
    assert draft.data["title"] == "乙窗口的标题"


def test_a_conflicting_form_post_without_javascript_shows_both_texts_and_keeps_the_typed_one(client, draft):
    _autosave(client, draft, "basic", {"title": "甲窗口的标题"}, 1)
    response = client.post(section_url(draft, "basic"), {"version": 1, "title": "乙窗口的标题"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "甲窗口的标题" in body and 'value="乙窗口的标题"' in body and "版本不一致" in body
    assert 'name="version" value="2"' in body  # saving this form again keeps this tab's text


def test_a_table_cell_that_cannot_be_read_is_kept_with_its_message_and_survives_leaving(client, draft):
    values = {
        "indicators.__present": "1",
        "indicators.0.description": "新品种",
        "indicators.0.quantity": "三篇",
        "indicators.1.description": "示范基地",
        "indicators.1.quantity": "2",
    }
    body = _autosave(client, draft, "indicators", values, 1).json()
    assert "应为数字" in body["errors"]["indicators.0.quantity"]
    draft.refresh_from_db()
    assert draft.data["indicators"] == [{"description": "新品种"}, {"description": "示范基地", "quantity": 2}]
    page = client.get(section_url(draft, "indicators"))
    html = page.content.decode()
    assert 'name="indicators.0.quantity" value="三篇"' in html and "应为数字" in html
    assert page.context["errors"]["indicators.0.quantity"].startswith("“数量”应为数字")


def test_a_month_that_does_not_exist_is_kept_and_blocks_submission_until_corrected(client, draft, applicant):
    from django.utils import timezone

    from shenbao.applications import services

    values = {
        "content.schedule.__present": "1",
        "content.schedule.0.from": "2026-13",
        "content.schedule.0.task": "调研",
    }
    _autosave(client, draft, "content", values, 1)
    html = client.get(section_url(draft, "content")).content.decode()
    assert 'value="2026-13"' in html and "应为年月" in html
    draft.refresh_from_db()
    with pytest.raises(services.EditRefused, match="1处填写的内容无法识别"):
        services.submit_application(draft, applicant, timezone.now())
    values["content.schedule.0.from"] = "2026-12"
    _autosave(client, draft, "content", values, 2)
    draft.refresh_from_db()
    assert draft.invalid_inputs == {} and draft.data["content"]["schedule"][0]["from"] == "2026-12"


def test_the_lean_save_checks_the_applicant_the_state_and_the_window(client, draft, make_user, unit, during_filing):
    colleague = make_user(User.Role.APPLICANT, unit=unit, id_number="")
    client.force_login(colleague)
    assert _autosave(client, draft, "basic", {"title": "篡改"}, 1).status_code == 404
    draft.refresh_from_db()
    Application.objects.filter(pk=draft.pk).update(state=Application.State.SUBMITTED)
    client.force_login(draft.applicant)
    refused = _autosave(client, draft, "basic", {"title": "提交后的修改"}, 1)
    assert refused.status_code == 409 and "已提交单位审核" in refused.json()["message"]
    Application.objects.filter(pk=draft.pk).update(state=Application.State.DRAFT)
    during_filing.move_to(AFTER_FILING)
    client.force_login(draft.applicant)
    late = _autosave(client, draft, "basic", {"title": "截止后的修改"}, 1)
    assert late.status_code == 409 and "截止" in late.json()["message"]
    draft.refresh_from_db()
    assert draft.data.get("title") in (None, "") and draft.version == 1


def test_a_submitted_application_is_read_only_with_the_real_reason(client, draft):
    Application.objects.filter(pk=draft.pk).update(state=Application.State.SUBMITTED)
    draft.data["partners"] = [{"name": "北京草业科学研究中心"}]
    Application.objects.filter(pk=draft.pk).update(data=draft.data)
    html = client.get(section_url(draft, "units")).content.decode()
    assert "已提交单位审核，如需修改请联系单位管理员撤回/退回" in html
    assert "申报受理已截止" not in html
    assert 'name="partners.0.name" value="北京草业科学研究中心" type="text"  disabled' in html
    assert "增加一行" not in html and "remove-row" not in html and 'data-autosave=""' in html


def test_the_attachments_of_a_submitted_application_say_why_nothing_can_be_uploaded(client, draft):
    Application.objects.filter(pk=draft.pk).update(state=Application.State.SUBMITTED)
    html = client.get(reverse("attachments:list", args=[draft.public_id])).content.decode()
    assert "已提交单位审核，如需修改请联系单位管理员撤回/退回" in html and 'type="file"' not in html


def test_the_live_findings_count_another_application_of_the_same_pi_once_it_is_submitted(
    client, draft, applicant, call
):
    """A draft belongs to its author (一(二)3 counts what was submitted): the PI's second draft is not a
    peer of the first until it is submitted, and then the live panel reads it."""
    from django.utils import timezone

    from shenbao.applications import live_review, services
    from shenbao.applications.models import Application as Model

    _autosave(client, draft, "basic", {"title": "第一份", "category": "1001"}, 1)
    draft.refresh_from_db()
    before, _ = live_review.context(draft, Snapshot(draft.data))
    assert before.peers == []
    second = services.start_application(applicant, call, timezone.now())
    still, _ = live_review.context(draft, Snapshot(draft.data))
    assert still.peers == []
    Model.objects.filter(pk=second.pk).update(state=Model.State.SUBMITTED)
    live_review.forget_peers(second)
    after, context = live_review.context(draft, Snapshot(draft.data))
    assert [pk for pk, _ in after.peers] == [second.pk]
    assert [peer.key for peer in context.applications_by_pi[applicant.id_number]] == [str(second.public_id)]


def test_the_lean_save_serves_an_application_while_another_call_is_open_too(client, draft, call):
    from shenbao.calls.models import Call

    Call.objects.create(code="demo-copy", title="【演示】", data=call.data, is_demo=True)
    _autosave(client, draft, "basic", {"title": "第一稿"}, 1)
    with CaptureQueriesContext(connection) as queries:
        response = _autosave(client, draft, "basic", {"title": "第二稿"}, 2)
    assert response.json()["version"] == 3 and len(queries.captured_queries) <= 3
    draft.refresh_from_db()
    assert draft.data["title"] == "第二稿"


def test_a_committed_save_is_answered_as_saved_even_when_the_panels_cannot_be_drawn(client, draft):
    from unittest import mock

    from django.db import OperationalError

    from shenbao.applications import live_review

    with mock.patch.object(live_review, "findings", side_effect=OperationalError("database away")):
        response = _autosave(client, draft, "basic", {"title": "保存了"}, 1)
    assert response.status_code == 200 and response.json() == {"ok": True, "version": 2, "errors": {}}
    draft.refresh_from_db()
    assert draft.data["title"] == "保存了"


def test_every_section_page_shows_its_fields_and_no_template_text(client, draft):
    from shenbao.applications.sections import SECTIONS

    for section in SECTIONS:
        body = client.get(section_url(draft, section.slug)).content.decode()
        assert "{#" not in body and "{%" not in body and "endcomment" not in body, section.slug


def test_the_live_context_is_read_again_after_a_registry_changes_or_its_generation_is_evicted(client, draft):
    from django.core.cache import cache

    from shenbao.applications import live_review
    from shenbao.rules.models import DishonestyRecord

    def reads_the_database() -> bool:
        with CaptureQueriesContext(connection) as queries:
            live_review.findings(draft)
        return bool(queries.captured_queries)

    _autosave(client, draft, "basic", {"title": "草原生态修复"}, 1)
    draft.refresh_from_db()
    live_review.findings(draft)
    assert not reads_the_database()  # cached
    DishonestyRecord.objects.create(kind="person", identifier="150105199007010017", name="某人")
    assert reads_the_database() and not reads_the_database()
    cache.delete("live-review:generation")  # evicted: the next generation is a new one, never an old one
    assert reads_the_database() and not reads_the_database()
