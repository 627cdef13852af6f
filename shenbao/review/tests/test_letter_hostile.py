"""The recommendation letter goes through the same PDF check as every attachment: a decompression bomb
hits the ceiling and is refused citing 二(一)3, and active content is refused."""

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shenbao.attachments.tests.hostile_pdfs import object_stream_bomb, with_catalog_entries
from shenbao.documents.sealing import confirm_list
from shenbao.review import services

from .test_flow import now, sealed_and_sent


def test_a_bomb_or_a_scripted_letter_is_refused_and_not_kept(client, submitted, admin, staff):
    sealed_and_sent(submitted, admin)
    services.recommend(submitted, staff, now())
    entry = confirm_list(staff.recommender, submitted.call, staff, now())
    client.force_login(staff)
    url = reverse("review:upload_letter", args=[entry.pk])
    bomb = client.post(url, {"letter": SimpleUploadedFile("推荐函.pdf", object_stream_bomb(400))}, follow=True)
    assert "上限" in bomb.content.decode() and "二(一)3" in bomb.content.decode()
    script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    scripted = with_catalog_entries({"/OpenAction": script})
    refused = client.post(url, {"letter": SimpleUploadedFile("推荐函.pdf", scripted)}, follow=True)
    assert "JavaScript" in refused.content.decode()
    entry.refresh_from_db()
    assert not entry.letter
