"""Fixtures every app's tests share: the real call file loaded, and a factory for each role."""

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from stdnum.cn.uscc import calc_check_digit

from shenbao.accounts.models import User
from shenbao.calls.loading import load_call
from shenbao.organisations.models import Recommender, Unit
from shenbao.organisations.uscc import ALPHABET

REPO = Path(__file__).resolve().parent
CALL_FILE = REPO / "calls" / "nmg-2026-kjhz.toml"
# The shared example when this checkout sits beside it, else the copy kept in the repository.
SHARED_EXAMPLE = REPO.parent / "shared" / "examples" / "application-1001.json"
EXAMPLE_APPLICATION = (
    SHARED_EXAMPLE if SHARED_EXAMPLE.exists() else REPO / "docs" / "examples" / "application-1001.json"
)
TEST_PASSWORD = "test-pass-2026"


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.JOBS_IMMEDIATE = True
    cache.clear()  # rate-limit counters start afresh in every test
    # A small ceiling for opening uploaded PDFs, so that the decompression-bomb tests stay quick.
    settings.PDF_CHECK_MEMORY_MB = 192
    settings.PDF_CHECK_SECONDS = 10


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches: cached contexts and drafts are keyed by primary keys, which
    a rolled-back test database hands out again, and the calls the autosave knows are read afresh."""
    from django.core.cache import caches

    from shenbao.applications import autosave

    for alias in caches:
        caches[alias].clear()
    autosave.forget_calls()


@pytest.fixture
def call(db):
    return load_call(CALL_FILE)[0]


@pytest.fixture
def spec(call):
    return call.spec


_serial = itertools.count(1)


def make_uscc(prefix: str = "12", division: str = "150102") -> str:
    """A valid 统一社会信用代码 with a fresh organisation code, for tests."""
    body = f"{prefix}{division}{next(_serial):09d}"
    assert all(c in ALPHABET for c in body)
    return body + calc_check_digit(body)


@pytest.fixture
def make_unit(call):
    def make(name=None, division="150102", recommender_code=None, status=Unit.Status.APPROVED, **fields) -> Unit:
        if recommender_code is None:
            recommender_code = "150100"
        recommender = Recommender.objects.get(code=recommender_code)
        values = dict(
            name=name or f"测试单位{next(_serial)}",
            uscc=make_uscc(division=division),
            unit_type="科研院所",
            independent_legal_person=True,
            registered_on=dt.date(2010, 1, 1),
            division_code=division,
            route=Unit.Route.LOCAL,
            recommender=recommender,
            legal_representative="张三",
            contact_name="李四",
            phone="0471-1234567",
            email="unit@example.org",
            address="呼和浩特市",
            status=status,
        )
        values.update(fields)
        return Unit.objects.create(**values)

    return make


@pytest.fixture
def make_user(db):
    def make(role=User.Role.APPLICANT, username=None, **fields) -> User:
        user = User(username=username or f"user{next(_serial)}", role=role, **fields)
        user.set_password(TEST_PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def unit(make_unit):
    return make_unit()


@pytest.fixture
def unit_admin(make_user, unit):
    return make_user(User.Role.UNIT_ADMIN, unit=unit, real_name="单位管理员")


@pytest.fixture
def applicant(make_user, unit):
    return make_user(User.Role.APPLICANT, unit=unit, real_name="乌云其其格", id_number="150105199007160025")


@pytest.fixture
def recommender_staff(make_user, unit):
    return make_user(User.Role.RECOMMENDER, recommender=unit.recommender, real_name="推荐部门")


@pytest.fixture
def department_staff(make_user):
    return make_user(User.Role.DEPARTMENT, real_name="科技厅", is_staff=True, is_superuser=True)


# Inside the 2026 call's filing window (2025-09-26 08:00 to 2025-11-14 16:00, Asia/Shanghai).
DURING_FILING = dt.datetime(2025, 10, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
AFTER_FILING = dt.datetime(2025, 11, 14, 16, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def during_filing():
    """The clock frozen inside the filing window (tests never depend on today's date)."""
    import time_machine

    with time_machine.travel(DURING_FILING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return settings.MEDIA_ROOT


@pytest.fixture
def make_complete(call, media):
    """The example application imported as a draft of `applicant`, with the two attachments it needs:
    a draft with no bar, ready to submit."""
    from django.utils import timezone

    from shenbao.applications import services

    def make(applicant, **changes):
        data = json.loads(EXAMPLE_APPLICATION.read_text(encoding="utf-8"))
        data.update(changes)
        data["subprojects"][0]["leader_id_number"] = applicant.id_number  # the PI leads a 课题
        application = services.import_application(applicant, call, data, timezone.now())
        attach_example_files(application, applicant)
        return application

    return make


def attach_example_files(application, uploader, partner="北京草业科学研究中心"):
    """The two attachments the example 申报书 needs (its joint agreement with `partner`, the integrity
    commitment), as tiny stored files."""
    from django.core.files.base import ContentFile

    from shenbao.attachments.models import Attachment

    for kind, partner_of_kind in (("joint_agreement", partner), ("integrity_commitment", "")):
        attachment = Attachment(
            application=application,
            kind=kind,
            partner=partner_of_kind,
            original_name=f"{kind}.pdf",
            size=9,
            sha256="0" * 64,
            pages=1,
            uploaded_by=uploader,
        )
        attachment.file.save("x.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
