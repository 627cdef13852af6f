"""Uploads: PDF only, within the call's limit while streaming, checked with pikepdf, names sanitised,
stored through Django's storage (local disk or S3)."""

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.urls import reverse
from django.utils import timezone

from shenbao.applications.models import Application
from shenbao.applications.services import EditRefused
from shenbao.attachments.models import Attachment
from shenbao.attachments.services import remove_attachment
from shenbao.attachments.uploads import LimitedUploadHandler, sanitise_name
from shenbao.audit.models import AuditEntry

pytestmark = pytest.mark.usefixtures("during_filing", "media")
LIMIT = 10_485_760


def pdf_bytes(pages: int = 1, password: str | None = None) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    out = io.BytesIO()
    encryption = pikepdf.Encryption(user=password, owner=password + "-owner") if password else False
    pdf.save(out, encryption=encryption)
    return out.getvalue()


@pytest.fixture
def draft(client, applicant, call):
    client.force_login(applicant)
    client.post(reverse("applications:start"))
    return Application.objects.get(applicant=applicant)


def _upload(client, draft, content: bytes, name="协议.pdf", kind="integrity_commitment", **extra):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(reverse("attachments:upload", args=[draft.public_id]), {"file": file, "kind": kind, **extra})


def test_a_sound_pdf_is_stored_counted_and_audited(client, draft, media):
    response = _upload(client, draft, pdf_bytes(3))
    attachment = Attachment.objects.get()
    assert response.status_code == 302
    assert (attachment.pages, attachment.original_name, attachment.kind) == (3, "协议.pdf", "integrity_commitment")
    assert (media / attachment.file.name).read_bytes()[:5] == b"%PDF-"
    assert AuditEntry.objects.filter(action="attachment.uploaded").exists()


def test_an_uploaded_integrity_commitment_is_no_longer_missing(client, draft):
    page = reverse("attachments:list", args=[draft.public_id])
    before = dict((r.kind, present) for r, present, _ in client.get(page).context["required"])
    _upload(client, draft, pdf_bytes())
    after = dict((r.kind, present) for r, present, _ in client.get(page).context["required"])
    assert before["integrity_commitment"] is False and after["integrity_commitment"] is True


def _attached(client, draft) -> Attachment:
    _upload(client, draft, pdf_bytes())
    return Attachment.objects.select_related("application").get()


def test_a_removal_read_before_a_submission_committed_leaves_the_submitted_attachment_alone(client, draft, applicant):
    attachment = _attached(client, draft)  # as the removal's request read it, with its application a draft
    Application.objects.filter(pk=draft.pk).update(state=Application.State.SUBMITTED)  # then the submission committed
    assert attachment.application.state == Application.State.DRAFT
    with pytest.raises(EditRefused):
        remove_attachment(attachment, applicant, timezone.now())
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert not AuditEntry.objects.filter(action="attachment.removed").exists()


def test_a_second_click_on_remove_finds_nothing_left_and_records_one_removal(client, draft, applicant):
    first_click = _attached(client, draft)
    second_click = Attachment.objects.get(pk=first_click.pk)
    remove_attachment(first_click, applicant, timezone.now())
    remove_attachment(second_click, applicant, timezone.now())
    assert not Attachment.objects.exists()
    assert AuditEntry.objects.filter(action="attachment.removed").count() == 1


def _recorded_elsewhere(draft) -> Attachment:
    """An attachment another tab's upload recorded (its file is of no concern here)."""
    return Attachment.objects.create(
        application=draft,
        kind="integrity_commitment",
        original_name="另一窗口.pdf",
        size=9,
        sha256="0" * 64,
        pages=1,
        uploaded_by=draft.applicant,
        file="elsewhere.pdf",
    )


def test_an_upload_is_refused_when_another_tabs_uploads_filled_the_application_while_it_was_stored(
    client, draft, monkeypatch, media
):
    from shenbao import storage

    limit = draft.call.spec.attachments["max_count"]
    for _ in range(limit - 1):
        _recorded_elsewhere(draft)
    store = storage.store

    def store_while_another_tab_uploads(*args, **kwargs):
        _recorded_elsewhere(draft)  # the last free place, recorded by the other tab meanwhile
        return store(*args, **kwargs)

    monkeypatch.setattr(storage, "store", store_while_another_tab_uploads)
    response = _upload(client, draft, pdf_bytes())
    assert response.status_code == 400 and f"每份申报书最多上传{limit}个附件" in response.content.decode()
    assert Attachment.objects.filter(application=draft).count() == limit
    assert [path.name for path in media.rglob("*") if path.is_file()] == []  # the stored file went again


def test_a_password_protected_pdf_is_refused(client, draft):
    response = _upload(client, draft, pdf_bytes(password="secret"))
    assert response.status_code == 400 and "密码" in response.context["error"] and not Attachment.objects.exists()


def test_a_corrupt_pdf_is_refused(client, draft):
    response = _upload(client, draft, b"%PDF-1.7\n" + b"\x00garbage" * 100)
    assert response.status_code == 400 and "损坏" in response.context["error"]


def test_a_renamed_non_pdf_is_refused(client, draft):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    response = _upload(client, draft, png, name="扫描件.pdf")
    assert response.status_code == 400 and "不是PDF文件" in response.context["error"]


def test_a_pdf_without_pages_is_refused(client, draft):
    response = _upload(client, draft, pdf_bytes(pages=0))
    assert response.status_code == 400 and "没有页面" in response.context["error"]


def test_a_file_over_the_limit_is_refused_citing_the_clause(client, draft):
    oversize = pdf_bytes() + b"%" + b"0" * LIMIT
    response = _upload(client, draft, oversize)
    assert (
        response.status_code == 413 and "10MB" in response.context["error"] and "二(一)3" in response.context["error"]
    )
    assert not Attachment.objects.exists()


class EndlessUpload:
    """A multipart body that claims and would deliver 2 GB, generated as it is read."""

    def __init__(self, total: int, boundary: str = "B0UNDARY"):
        self.head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        self.total, self.read_bytes = total, 0

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else size
        if self.read_bytes >= self.total:
            return b""
        if self.read_bytes < len(self.head):
            chunk = self.head[self.read_bytes : self.read_bytes + size]
        else:
            chunk = b"0" * min(size, self.total - self.read_bytes)
        self.read_bytes += len(chunk)
        return chunk


def test_a_2_gb_upload_is_cut_off_at_the_limit_while_streaming(rf):
    body = EndlessUpload(2 * 1024**3)
    meta = {"CONTENT_TYPE": "multipart/form-data; boundary=B0UNDARY", "CONTENT_LENGTH": str(body.total)}
    limit = LimitedUploadHandler(LIMIT)
    _, files = MultiPartParser(meta, body, [limit, TemporaryFileUploadHandler()]).parse()
    assert limit.too_large and "file" not in files
    assert body.read_bytes < LIMIT + 1024 * 1024  # read at most the limit and one buffer more


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\x\\合同.PDF", "合同.pdf"),
        ("..hidden.pdf", "hidden.pdf"),
        ("a\u202egnp.pdf", "agnp.pdf"),  # right-to-left override hides the real extension
        ('<script>"x".pdf', "_script_x_.pdf"),
        ("", "附件.pdf"),
        ("长" * 300 + ".pdf", "长" * 116 + ".pdf"),
    ],
)
def test_hostile_file_names_are_made_harmless(name, expected):
    assert sanitise_name(name) == expected


def test_the_stored_name_is_ours_not_the_uploaders(client, draft):
    _upload(client, draft, pdf_bytes(), name="../../../shenbao/settings.py.pdf")
    attachment = Attachment.objects.get()
    assert attachment.file.name == f"attachments/{draft.public_id}/{attachment.public_id}.pdf"
    assert attachment.original_name == "settings.py.pdf"


def test_another_users_attachment_is_never_served(client, draft, make_user, unit):
    from shenbao.accounts.models import User

    _upload(client, draft, pdf_bytes())
    attachment = Attachment.objects.get()
    client.force_login(make_user(User.Role.APPLICANT, unit=unit))
    url = reverse("attachments:download", args=[draft.public_id, attachment.public_id])
    assert client.get(url).status_code == 404


def test_attachments_go_to_s3_when_configured(client, draft, settings):
    boto3 = pytest.importorskip("boto3")
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="shenbao-test")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": "shenbao-test", "region_name": "us-east-1"},
            },
        }
        _upload(client, draft, pdf_bytes(2))
        attachment = Attachment.objects.get()
        stored = boto3.client("s3", region_name="us-east-1").get_object(Bucket="shenbao-test", Key=attachment.file.name)
        assert stored["Body"].read()[:5] == b"%PDF-"
        download = client.get(reverse("attachments:download", args=[draft.public_id, attachment.public_id]))
        assert b"".join(download.streaming_content)[:5] == b"%PDF-"
