"""What is stored or sent for others is written in the system's language (Chinese), whoever's click
wrote it; a reader who chose English reads the findings afresh in English (docs/i18n.md)."""

import re

from django.utils import timezone, translation

from shenbao.applications import findings as stored_findings
from shenbao.applications import services
from shenbao.review.models import Notification

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_submission_in_english_stores_chinese_findings_and_tells_the_unit_in_chinese(
    make_complete, applicant, admin, during_filing, django_capture_on_commit_callbacks
):
    application = make_complete(applicant)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        application = services.submit_application(application, applicant, timezone.now())
    stored = stored_findings.of(application)
    assert stored and all(CJK.search(f.message) for f in stored)
    note = Notification.objects.get(user=admin)
    assert note.message.endswith("请登录审核。")


def test_an_english_reader_gets_the_stored_findings_in_english(make_submitted, applicant):
    application = make_submitted(applicant)
    chinese = stored_findings.for_reader(application)
    with translation.override("en"):
        english = stored_findings.for_reader(application)
    assert [f.code for f in chinese] == [f.code for f in english]
    assert english[0].message != chinese[0].message and not CJK.search(english[0].message.split("“")[0])
