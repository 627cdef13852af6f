"""The scanned recommendation letter (二(二)4) is uploaded on a route of its own and downloaded where
the recommender's list page and the department's overview link it: a download, never shown inline."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shenbao.accounts.models import User
from shenbao.attachments.tests.test_uploads import pdf_bytes
from shenbao.documents.sealing import confirm_list
from shenbao.review import services

from .test_flow import now, sealed_and_sent


@pytest.fixture
def confirmed(submitted, admin, staff):
    sealed_and_sent(submitted, admin)
    services.recommend(submitted, staff, now())
    return confirm_list(staff.recommender, submitted.call, staff, now())


@pytest.fixture
def with_letter(client, confirmed, staff):
    client.force_login(staff)
    client.post(
        reverse("review:upload_letter", args=[confirmed.pk]), {"letter": SimpleUploadedFile("推荐函.pdf", pdf_bytes(1))}
    )
    confirmed.refresh_from_db()
    assert confirmed.letter
    return confirmed


def _links(page: str) -> list[str]:
    return re.findall(r'href="([^"]*/letter/)"', page)


def test_the_upload_has_its_own_route_and_the_letters_address_is_the_download(confirmed):
    assert reverse("review:upload_letter", args=[confirmed.pk]).endswith("/letter/upload/")
    assert reverse("review:list_letter", args=[confirmed.pk]).endswith("/letter/")


def test_the_recommender_downloads_the_letter_from_its_list_page(client, with_letter):
    page = client.get(reverse("review:recommender_queue")).content.decode()
    (link,) = _links(page)
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_department_downloads_the_letter_from_its_overview(client, with_letter, department_staff):
    client.force_login(department_staff)
    (link,) = _links(client.get(reverse("review:overview")).content.decode())
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")


def test_another_recommender_and_the_unit_admin_cannot_download_the_letter(
    client, with_letter, admin, make_unit, make_user
):
    other = make_user(
        User.Role.RECOMMENDER, recommender=make_unit(division="150203", recommender_code="150200").recommender
    )
    url = reverse("review:list_letter", args=[with_letter.pk])
    for person in (other, admin):
        client.force_login(person)
        assert client.get(url).status_code in (403, 404)


def test_a_list_without_a_letter_has_no_letter_to_download(client, confirmed, staff):
    client.force_login(staff)
    assert not _links(client.get(reverse("review:recommender_queue")).content.decode())
    assert client.get(reverse("review:list_letter", args=[confirmed.pk])).status_code == 404


def test_the_letter_address_answers_a_post_with_405_not_an_upload(client, confirmed, staff):
    client.force_login(staff)
    url = reverse("review:list_letter", args=[confirmed.pk])
    response = client.post(url, {"letter": SimpleUploadedFile("推荐函.pdf", pdf_bytes(1))})
    assert response.status_code == 405
    confirmed.refresh_from_db()
    assert not confirmed.letter
