"""A draft PDF is rendered once per version and not more often than a person can read it."""

from unittest import mock

import pytest
from django.urls import reverse

from shenbao.documents import drafts

pytestmark = pytest.mark.usefixtures("during_filing", "media")


@pytest.fixture
def draft(make_complete, applicant):
    return make_complete(applicant)


@pytest.fixture
def render():
    with mock.patch.object(drafts, "render_application", return_value=b"%PDF-1.7 draft") as fake:
        yield fake


def _get(client, application):
    return client.get(reverse("documents:application_pdf", args=[application.public_id]))


def test_the_same_version_is_rendered_once(client, draft, applicant, render):
    client.force_login(applicant)
    first, second = _get(client, draft), _get(client, draft)
    assert first.status_code == second.status_code == 200 and second.content == b"%PDF-1.7 draft"
    assert render.call_count == 1


def test_a_new_version_or_a_new_attachment_is_rendered_again(client, draft, applicant, render):
    client.force_login(applicant)
    _get(client, draft)
    draft.version += 1
    draft.save()
    _get(client, draft)
    draft.attachments.first().delete()
    _get(client, draft)
    assert render.call_count == 3


def test_too_many_renders_by_one_person_are_refused_with_a_reason_but_cached_drafts_are_served(
    client, draft, applicant, render, settings
):
    settings.DRAFT_PDF_RENDERS = 2
    client.force_login(applicant)
    for _ in range(2):
        assert _get(client, draft).status_code == 200
        draft.version += 1
        draft.save()
    refused = _get(client, draft)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "过于频繁" in refused.content.decode() and render.call_count == 2
    draft.version -= 1
    draft.save()
    assert _get(client, draft).status_code == 200  # already rendered: served from the cache


def test_a_draft_being_rendered_is_not_rendered_twice_at_once(draft, applicant, render):
    from django.core.cache import cache

    cache.add(f"{drafts._key(draft)}:rendering", 1, 60)
    with pytest.raises(drafts.DraftRefused, match="正在生成"):
        drafts.draft_pdf(draft, applicant)
    assert render.call_count == 0
