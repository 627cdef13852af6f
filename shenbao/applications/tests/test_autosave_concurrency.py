"""Two tabs saving different sections at the same moment on PostgreSQL: the second save waits for the
first and merges into the document the first left, so neither section is lost (autosave.py)."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.http import QueryDict
from django.utils import timezone

from shenbao.applications import autosave
from shenbao.applications.models import Application
from shenbao.applications.sections import SECTION_BY_SLUG

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("during_filing")]


def _posted(**values) -> QueryDict:
    posted = QueryDict(mutable=True)
    for name, value in values.items():
        posted[name] = value
    return posted


def test_a_save_that_waited_for_another_tabs_save_merges_into_the_document_that_save_left(draft):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite serialises all writers anyway")
    first_holds_its_lock, second_has_started = threading.Event(), threading.Event()
    outcome = {}

    def first_tab():
        try:
            with transaction.atomic():
                outcome["first"] = autosave.save_lean(
                    draft.public_id,
                    draft.applicant,
                    SECTION_BY_SLUG["basic"],
                    _posted(title="草原生态修复"),
                    1,
                    timezone.now(),
                )
                first_holds_its_lock.set()
                second_has_started.wait(5)
                threading.Event().wait(0.3)  # the second save is now waiting on the row lock
        finally:
            connections.close_all()

    def second_tab():
        try:
            first_holds_its_lock.wait(5)
            second_has_started.set()
            outcome["second"] = autosave.save_lean(
                draft.public_id,
                draft.applicant,
                SECTION_BY_SLUG["content"],
                _posted(**{"content.background": "退化草原"}),
                1,
                timezone.now(),
            )
        finally:
            connections.close_all()

    tabs = [threading.Thread(target=first_tab), threading.Thread(target=second_tab)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(10)
    assert outcome["first"] is not None and outcome["second"] is not None
    stored = Application.objects.get(pk=draft.pk)
    assert stored.data["title"] == "草原生态修复" and stored.data["content"]["background"] == "退化草原"
    assert (stored.section_version("basic"), stored.section_version("content"), stored.version) == (2, 2, 3)
