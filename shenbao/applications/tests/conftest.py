import pytest
from django.urls import reverse

from shenbao.applications.models import Application

# Submitted applications and the unit admin, as the review tests make them.
from shenbao.review.tests.conftest import admin, make_submitted, submitted  # noqa: F401 (fixtures)


@pytest.fixture
def draft(client, applicant, call):
    """A new draft started through the page, with the client logged in as its applicant."""
    client.force_login(applicant)
    client.post(reverse("applications:start"))
    return Application.objects.get(applicant=applicant)


def section_url(draft, slug: str) -> str:
    return reverse("applications:section", args=[draft.public_id, slug])


def live_panels(client, draft, slug: str, shown: str = "") -> dict:
    """The section page's live panels, as the page fetches them after its saves (application.js)."""
    response = client.get(reverse("applications:section_panels", args=[draft.public_id, slug]), HTTP_X_PANELS=shown)
    assert response.status_code == 200, response.content
    return response.json()
