"""The interchange format's version bump (issue #11): /2 carries what the new rules need, and a /1
document keeps working everywhere — upgraded on read, and in storage by a data migration."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from conftest import EXAMPLE_APPLICATION
from shenbao.applications import interchange
from shenbao.applications.models import Application

upgrade_migration = importlib.import_module("shenbao.applications.migrations.0008_interchange_format_2")


def _example():
    return json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))


def test_a_version_1_document_is_read_as_version_2_with_the_pis_answer_on_the_subprojects_the_pi_leads():
    data = interchange.validate(_example())
    assert data["format"] == interchange.FORMAT and data["upgraded_from"] == interchange.FORMAT_1
    assert data["subprojects"][0]["leader_civil_servant"] is False  # led by the PI: the PI's answer
    assert "leader_civil_servant" not in data["subprojects"][1]  # /1 could not say: to be confirmed


def test_reading_does_not_change_the_callers_document():
    original = _example()
    interchange.validate(original)
    assert original["format"] == interchange.FORMAT_1 and "leader_civil_servant" not in original["subprojects"][0]


def test_a_version_2_document_carries_the_new_answers_and_is_read_as_it_is():
    data = _example() | {"format": interchange.FORMAT}
    data["subprojects"][1]["leader_civil_servant"] = True
    data["attachments"][0]["content_type"] = "application/pdf"
    assert interchange.validate(data) is data


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["subprojects"][0].update(leader_civil_servant="否"), "subprojects[0].leader_civil_servant"),
        (lambda d: d["attachments"][0].update(content_type=1), "attachments[0].content_type"),
    ],
)
def test_a_version_2_document_with_a_wrong_type_is_refused_naming_the_key(change, where):
    data = _example() | {"format": interchange.FORMAT}
    change(data)
    with pytest.raises(interchange.InterchangeError, match=where.replace("[", r"\[").replace("]", r"\]")):
        interchange.validate(data)


def test_an_unknown_format_is_refused_naming_both_readable_ones():
    with pytest.raises(interchange.InterchangeError, match=r"shenbao\.application/2.*shenbao\.application/1"):
        interchange.validate({"format": "shenbao.application/3"})


def test_both_schemas_are_published(client, db):
    assert client.get(reverse("applications:schema")).json()["properties"]["format"]["const"] == interchange.FORMAT
    old = client.get(reverse("applications:schema-1")).json()
    assert old["properties"]["format"]["const"] == interchange.FORMAT_1


def test_stored_version_1_documents_are_upgraded_by_the_data_migration(call, unit, applicant):
    old = Application.objects.create(call=call, unit=unit, applicant=applicant, data=_example())
    bare = Application.objects.create(call=call, unit=unit, applicant=applicant, data={"title": "无格式草稿"})
    upgrade_migration.upgrade_documents(django_apps, None)
    old.refresh_from_db()
    bare.refresh_from_db()
    assert old.data["format"] == interchange.FORMAT and old.data["subprojects"][0]["leader_civil_servant"] is False
    assert bare.data["format"] == interchange.FORMAT


def test_an_exported_application_is_written_as_version_2(client, make_complete, applicant, media, during_filing):
    application = make_complete(applicant)
    client.force_login(applicant)
    exported = json.loads(client.get(reverse("applications:export", args=[application.public_id])).content)
    assert exported["format"] == interchange.FORMAT
    assert interchange.validate(exported)["format"] == interchange.FORMAT
