"""Storage outside transactions (issue 9 item 4): a hanging store holds no row lock, a failing one
gives a Chinese sentence without paths or endpoints, an interrupted write leaves nothing under a final
name, orphans are cleaned, and a file that went missing is refused before it is depended on."""

import io
import threading
import time

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import OperationalError, connection, connections, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from shenbao import storage
from shenbao.applications import services as applications
from shenbao.applications.models import Application
from shenbao.attachments import services as attachments
from shenbao.attachments.models import Attachment
from shenbao.attachments.tests.test_uploads import _upload, pdf_bytes

ENDPOINT = "http://10.20.30.40:8333"


class HangingStorage(FileSystemStorage):
    """A store that takes its time answering, and notes whether a transaction was open meanwhile."""

    delay = 1.0
    saw_transaction: list[bool] = []

    def _save(self, name, content):
        HangingStorage.saw_transaction.append(connection.in_atomic_block)
        time.sleep(self.delay)
        return super()._save(name, content)


class RefusingStorage(FileSystemStorage):
    """A store whose endpoint does not answer (the error names the endpoint and a path)."""

    def _save(self, name, content):
        raise ConnectionError(f"Connect timeout on endpoint URL: {ENDPOINT}/shenbao/{name}")


class DyingStorage(FileSystemStorage):
    """A write killed half-way: 262,144 bytes land, then the process is gone."""

    def _save(self, name, content):
        path = self.path(name)
        import os

        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as half:
            half.write(content.read(262_144))
        raise KeyboardInterrupt  # nothing after this line runs in a killed process


@pytest.fixture
def store(settings, media):
    def use(backend):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": f"{__name__}.{backend.__name__}", "OPTIONS": {"location": str(media)}},
        }

    return use


@pytest.fixture
def draft(client, applicant, call, during_filing):
    client.force_login(applicant)
    client.post(reverse("applications:start"))
    return Application.objects.get(applicant=applicant)


def _files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_an_upload_writes_to_a_slow_store_with_no_transaction_open(client, draft, store):
    store(HangingStorage)
    HangingStorage.saw_transaction, HangingStorage.delay = [], 0.05
    assert _upload(client, draft, pdf_bytes(1)).status_code == 302
    assert HangingStorage.saw_transaction and not any(HangingStorage.saw_transaction)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_while_the_store_hangs_the_other_tab_saves_without_waiting(client, draft, store):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections are what is tested")
    store(HangingStorage)
    HangingStorage.saw_transaction, HangingStorage.delay = [], 2.0
    upload = threading.Thread(target=lambda: (_upload(client, draft, pdf_bytes(1)), connections.close_all()))
    upload.start()
    time.sleep(0.5)  # the upload is now waiting on the store
    started = time.monotonic()
    with transaction.atomic():  # what an autosave does: lock the application's row
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '500ms'")
        Application.objects.select_for_update().get(pk=draft.pk)
    waited = time.monotonic() - started
    upload.join()
    assert waited < 0.5 and Attachment.objects.count() == 1


class UploadWaiting:
    """Another connection holding what an upload being recorded waits for (`hold`), and the upload
    started and waiting there: what its row lock on the application lets through meanwhile is tested."""

    def __init__(self, client, draft):
        self.client, self.draft = client, draft

    def hold(self) -> str:
        raise NotImplementedError

    waiting = ""  # counts the lock requests of `hold`'s kind not granted

    def __enter__(self):
        self.holder = connections.create_connection("default")
        self.holder.ensure_connection()
        self.holder.connection.execute("BEGIN")
        self.holder.connection.execute(self.hold())
        self.upload = threading.Thread(
            target=lambda: (_upload(self.client, self.draft, pdf_bytes(1)), connections.close_all())
        )
        self.upload.start()
        deadline = time.monotonic() + 10
        while not self._upload_waits() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self._upload_waits()
        return self

    def _upload_waits(self) -> bool:
        return self.holder.connection.execute(self.waiting).fetchone()[0] > 0

    def __exit__(self, *exc):
        self.holder.connection.execute("ROLLBACK")
        self.upload.join()
        self.holder.close()


class AuditChainHeld(UploadWaiting):
    """As the rush's other uploads and submissions hold the audit chain: the upload waits its turn."""

    def hold(self) -> str:
        from shenbao.audit.models import AuditHead

        return f"LOCK TABLE {AuditHead._meta.db_table} IN EXCLUSIVE MODE"

    waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'audit_audithead'::regclass"


class AnotherUploadBeingRecorded(UploadWaiting):
    """As another tab's upload to the same application holds it: the upload waits for it to end."""

    def hold(self) -> str:
        return f"SELECT pg_advisory_xact_lock({attachments._UPLOADS_OF_AN_APPLICATION}, {self.draft.pk})"

    waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'advisory'"


def _locked_within(timeout_ms: int, lock) -> float:
    started = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{timeout_ms}ms'")
        result = lock()
    assert result is not None
    return time.monotonic() - started


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("holder", [AuditChainHeld, AnotherUploadBeingRecorded], ids=["audit chain", "another upload"])
def test_while_an_upload_waits_its_turn_the_applicants_autosaves_go_on(client, draft, holder):
    """Its turn for the audit chain, behind the rush's other uploads and submissions; its turn behind
    another tab's upload to the same application, so that the two cannot pass the attachments' limit."""
    if connection.vendor != "postgresql":
        pytest.skip("locks between two connections are what is tested")
    from shenbao.applications import autosave
    from shenbao.applications.sections import SECTION_BY_SLUG

    posted = QueryDict(mutable=True)
    posted["content.background"] = "退化草原"
    with holder(client, draft):
        assert Attachment.objects.count() == 0
        waited = _locked_within(
            500,
            lambda: autosave.save_lean(
                draft.public_id, draft.applicant, SECTION_BY_SLUG["content"], posted, 1, timezone.now()
            ),
        )
    assert waited < 0.5 and Attachment.objects.count() == 1
    assert Application.objects.get(pk=draft.pk).data["content"]["background"] == "退化草原"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_while_an_upload_is_being_recorded_no_submission_or_return_can_change_the_applications_state(client, draft):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections are what is tested")
    with AuditChainHeld(client, draft):
        # What submit, return and withdraw do first (review/services._locked, applications/services).
        with pytest.raises(OperationalError):
            _locked_within(300, lambda: Application.objects.select_for_update().get(pk=draft.pk))
    assert Attachment.objects.count() == 1


def test_a_refusing_store_gives_a_chinese_sentence_without_endpoint_or_path(client, draft, store, media):
    store(RefusingStorage)
    response = _upload(client, draft, pdf_bytes(1))
    page = response.content.decode()
    assert response.status_code == 503 and "文件存储暂时不可用，附件未能保存或读取，请稍后重试。" in page
    assert ENDPOINT not in page and "10.20.30.40" not in page and str(media) not in page
    assert not Attachment.objects.exists() and _files(media) == []


def test_a_write_killed_half_way_leaves_nothing_under_a_final_name(draft, applicant, store, media):
    store(DyingStorage)
    with pytest.raises(KeyboardInterrupt):
        storage.store(io.BytesIO(b"%PDF-" + b"x" * 600_000).getvalue(), "sealed/final.pdf")
    assert not (media / "sealed").exists()
    assert all(name.startswith("tmp/") for name in _files(media))  # only a temporary, for clean_storage


def test_clean_storage_removes_orphans_and_temporaries_but_keeps_named_and_recent_files(
    draft, client, media, during_filing
):
    import datetime as dt
    import os

    _upload(client, draft, pdf_bytes(1))
    kept = Attachment.objects.get().file.name
    for orphan in ("tmp/abc-upload.pdf", "sealed/orphan.pdf"):
        (media / orphan).parent.mkdir(parents=True, exist_ok=True)
        (media / orphan).write_bytes(b"%PDF-half")
        old = (timezone.now() - dt.timedelta(hours=2)).timestamp()
        os.utime(media / orphan, (old, old))
    (media / "sealed" / "recent.pdf").write_bytes(b"%PDF-")
    out = io.StringIO()
    call_command("clean_storage", stdout=out)
    assert out.getvalue().splitlines()[-1] == "clean_storage: removed=2 kept=1"
    assert _files(media) == sorted([kept, "sealed/recent.pdf"])


def test_an_application_whose_attachment_file_was_deleted_cannot_be_submitted(make_complete, applicant, during_filing):
    application = make_complete(applicant)
    attachment = application.attachments.first()
    attachment.file.storage.delete(attachment.file.name)
    with pytest.raises(applications.EditRefused, match=f"附件“{attachment.original_name}”的文件已丢失"):
        applications.submit_application(application, applicant, timezone.now())
    assert Application.objects.get(pk=application.pk).state == Application.State.DRAFT


def test_downloading_a_file_that_went_missing_is_a_chinese_404_not_a_server_error(client, draft, media):
    _upload(client, draft, pdf_bytes(1))
    attachment = Attachment.objects.get()
    (media / attachment.file.name).unlink()
    response = client.get(reverse("attachments:download", args=[draft.public_id, attachment.public_id]))
    assert response.status_code == 404 and "文件已丢失" in response.content.decode()
    assert str(media) not in response.content.decode()


# --- S3 (moto): the same sentences when the bucket refuses ----------------------------------------


@pytest.fixture
def s3(settings):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="shenbao-test")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "shenbao.s3_storage.S3Storage",
                "OPTIONS": {
                    "bucket_name": "shenbao-test",
                    "region_name": "us-east-1",
                    "access_key": "test",
                    "secret_key": "test",
                    "file_overwrite": False,
                },
            },
        }
        yield boto3.client("s3", region_name="us-east-1")


def test_on_s3_an_upload_is_stored_whole_and_a_vanished_bucket_gives_the_chinese_sentence(client, draft, s3):
    assert _upload(client, draft, pdf_bytes(2)).status_code == 302
    name = Attachment.objects.get().file.name
    assert s3.get_object(Bucket="shenbao-test", Key=name)["Body"].read()[:5] == b"%PDF-"
    assert not s3.list_objects_v2(Bucket="shenbao-test", Prefix="tmp/").get("Contents")
    s3.delete_object(Bucket="shenbao-test", Key=name)
    s3.delete_bucket(Bucket="shenbao-test")
    response = _upload(client, draft, pdf_bytes(1), kind="other")
    assert response.status_code == 503 and "文件存储暂时不可用" in response.content.decode()
    assert "amazonaws" not in response.content.decode() and Attachment.objects.count() == 1


def test_on_s3_every_thread_has_its_own_resource_made_from_one_session_per_process(s3):
    from django.core.files.storage import storages

    store = storages.create_storage(settings_of_default())
    made = {}

    def connect(name):
        made[name] = store.connection

    threads = [threading.Thread(target=connect, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(resource) for resource in made.values()}) == 4  # resources are not thread-safe
    assert len({id(resource.meta.client._endpoint) for resource in made.values()}) == 4
    assert store._session is not None and store._create_session() is store._session  # read once


def test_on_s3_a_ten_megabyte_attachment_goes_in_one_put_not_in_parts(client, draft, s3):
    big = pdf_bytes(1) + b"%" + b"0" * (9 * 1024 * 1024)  # trailing bytes after %%EOF: still a PDF
    assert _upload(client, draft, big).status_code == 302
    name = Attachment.objects.get().file.name
    assert "-" not in s3.head_object(Bucket="shenbao-test", Key=name)["ETag"]  # a multipart ETag ends "-N"


def settings_of_default() -> dict:
    from django.conf import settings

    return settings.STORAGES["default"]


def test_on_s3_an_upload_is_signed_but_carries_no_extra_checksum_of_its_bytes(client, draft, s3):
    from django.core.files.storage import default_storage

    sent = {}
    default_storage.connection.meta.client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **kwargs: sent.update(request.headers)
    )
    assert _upload(client, draft, pdf_bytes(1)).status_code == 302
    assert "Authorization" in sent
    assert not any("checksum" in f"{name}: {value!r}".lower() for name, value in sent.items())  # nor a trailer
