"""Hostile PDFs: bombs hit a hard ceiling in a child process, active content and encryption of any kind
are refused, a polyglot is not a PDF, downloads never open inline, and the count and size limits hold
before the body is read (二(一)3)."""

import io
import resource

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shenbao.applications.models import Application
from shenbao.attachments.models import Attachment
from shenbao.attachments.pdf_inspection import inspect_in_child
from shenbao.attachments.uploads import UploadRefused, check_pdf

from .hostile_pdfs import normal_pdf, object_stream_bomb, with_catalog_entries
from .test_uploads import pdf_bytes

pytestmark = pytest.mark.usefixtures("during_filing", "media")
LIMIT = 10_485_760


@pytest.fixture
def draft(client, applicant, call):
    client.force_login(applicant)
    client.post(reverse("applications:start"))
    return Application.objects.get(applicant=applicant)


def _upload(client, draft, content: bytes, name="承诺书.pdf", kind="integrity_commitment"):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(reverse("attachments:upload", args=[draft.public_id]), {"file": file, "kind": kind})


def _check(content: bytes, name="x.pdf"):
    return check_pdf(SimpleUploadedFile(name, content), LIMIT, "二(一)3")


def test_an_object_stream_bomb_is_refused_at_the_ceiling_citing_the_clause(client, draft):
    bomb = object_stream_bomb(padding_mb=400)  # inflates to 400 MB; the test ceiling is 192 MB
    assert len(bomb) < 1024 * 1024
    response = _upload(client, draft, bomb)
    error = response.context["error"]
    assert response.status_code == 400 and "上限" in error and "二(一)3" in error
    assert not Attachment.objects.exists()


def test_the_bomb_is_opened_in_a_child_so_the_worker_does_not_grow(settings):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(UploadRefused):
        _check(object_stream_bomb(padding_mb=400))
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50 * 1024


def test_a_bomb_under_the_memory_ceiling_still_hits_the_time_ceiling(tmp_path):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(object_stream_bomb(padding_mb=1000))
    # Memory enough to inflate it all (~2 GB): only the CPU-time limit (1 s of the ~5 s it needs) stops it.
    inspection = inspect_in_child(str(path), None, memory_bytes=8 << 30, seconds=1)
    assert inspection.outcome == "ceiling"


def test_the_same_pages_without_padding_are_a_sound_pdf():
    assert _check(object_stream_bomb(padding_mb=1)).pages == 1


def test_a_normal_10_mb_pdf_passes_under_the_ceiling():
    assert _check(normal_pdf(9)).pages == 1


@pytest.mark.parametrize(
    ("entries", "named"),
    [
        (
            {"/OpenAction": pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))},
            "JavaScript",
        ),
        ({"/OpenAction": pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))}, "Launch"),
        ({"/AA": pikepdf.Dictionary()}, "AA"),
        (
            {"/Names": pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(Names=pikepdf.Array()))},
            "嵌入文件",
        ),
        (
            {"/Names": pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Names=pikepdf.Array()))},
            "JavaScript",
        ),
        ({"/OpenAction": pikepdf.Dictionary(S=pikepdf.Name.SubmitForm)}, "SubmitForm"),
    ],
)
def test_active_content_is_refused_naming_what_was_found(entries, named):
    with pytest.raises(UploadRefused) as refused:
        _check(with_catalog_entries(entries))
    assert "可执行或嵌入内容" in str(refused.value) and named in str(refused.value) and "二(一)3" in str(refused.value)


def test_a_file_attachment_annotation_carrying_an_embedded_file_is_refused():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    carried = pdf.make_stream(b"MZ\x90\x00 not a document", Type=pikepdf.Name.EmbeddedFile)
    spec = pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("a.exe"), EF=pikepdf.Dictionary(F=carried))
    annotation = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[0, 0, 10, 10], FS=spec
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annotation)]))
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(UploadRefused, match="嵌入文件"):
        _check(out.getvalue())


@pytest.mark.parametrize("as_action", [False, True])
def test_an_open_action_that_only_shows_a_page_is_accepted(as_action):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    destination = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=destination) if as_action else destination
    out = io.BytesIO()
    pdf.save(out)
    assert _check(out.getvalue()).pages == 1


def test_a_pdf_with_only_an_owner_password_is_refused_like_a_user_password():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(
        out, encryption=pikepdf.Encryption(user="", owner="owner-secret", allow=pikepdf.Permissions(extract=False))
    )
    with pytest.raises(UploadRefused) as refused:
        _check(out.getvalue())
    assert "加密" in str(refused.value) and "二(一)3" in str(refused.value)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><script>alert(1)</script></body></html>\n" + pdf_bytes(),  # HTML first, PDF after
        b"\n\n" + pdf_bytes(),  # the header not at byte 0
        b"%PDF-1.7\n<html><script>alert(document.cookie)</script>\n" + pdf_bytes()[9:],
    ],
)
def test_an_html_pdf_polyglot_is_not_a_pdf(content):
    with pytest.raises(UploadRefused) as refused:
        _check(content)
    assert "不是PDF文件" in str(refused.value)


def test_an_attachment_is_always_downloaded_never_shown_inline(client, draft):
    _upload(client, draft, pdf_bytes())
    attachment = Attachment.objects.get()
    response = client.get(reverse("attachments:download", args=[draft.public_id, attachment.public_id]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_uploads_past_the_calls_attachment_count_are_refused(client, draft, call):
    call.data["attachments"]["max_count"] = 2
    call.save()
    assert _upload(client, draft, pdf_bytes()).status_code == 302
    assert _upload(client, draft, pdf_bytes()).status_code == 302
    response = _upload(client, draft, pdf_bytes())
    assert response.status_code == 400 and "最多上传2个附件" in response.context["error"]
    assert Attachment.objects.count() == 2


def test_the_count_limit_is_checked_before_the_body_is_read(client, draft, call):
    call.data["attachments"]["max_count"] = 1
    call.save()
    _upload(client, draft, pdf_bytes())
    response = _upload(client, draft, b"not even read")
    assert response.status_code == 400 and "最多上传1个附件" in response.context["error"]


def test_an_import_file_over_the_limit_is_refused_before_its_body_is_read(client, applicant, call):
    """The request declares 50 MB and sends nothing: only a refusal on the declared length names the size."""
    client.force_login(applicant)
    response = client.post(
        reverse("applications:import"),
        b"",
        content_type="multipart/form-data; boundary=B0UNDARY",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
        follow=True,
    )
    assert "文件超过2MB" in response.content.decode()


def test_an_import_file_over_the_limit_is_cut_off_while_streaming(client, applicant, call):
    client.force_login(applicant)
    big = SimpleUploadedFile("a.json", b"{" + b" " * (3 * 1024 * 1024) + b"}", content_type="application/json")
    response = client.post(reverse("applications:import"), {"file": big}, follow=True)
    assert "文件超过2MB" in response.content.decode()


def test_an_api_import_over_the_limit_is_refused_before_its_body_is_read(client, applicant, call):
    from shenbao.api.models import ApiToken

    _, key = ApiToken.issue(applicant, "x")
    response = client.post(
        reverse("api:applications"),
        b"",
        content_type="application/json",
        CONTENT_LENGTH=str(2 * 1024 * 1024 + 200_000),  # declared, never sent
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400 and "超过2MB" in response.json()["error"]


def test_the_import_still_demands_the_csrf_token_once_the_size_is_checked(applicant, call):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    small = SimpleUploadedFile("a.json", b"{}", content_type="application/json")
    assert client.post(reverse("applications:import"), {"file": small}).status_code == 403


def test_the_child_lowers_its_priority_and_catches_qpdfs_output_before_its_ceilings_and_the_file(monkeypatch):
    from shenbao.attachments import pdf_inspection

    steps, sent = [], []

    class Kept:
        def close(self):
            steps.append(("stderr read",))
            return b"qpdf: std::bad_alloc"

    monkeypatch.setattr("os.nice", lambda n: steps.append(("nice", n)))
    monkeypatch.setattr(pdf_inspection, "_StderrKept", lambda: steps.append(("stderr caught",)) or Kept())
    monkeypatch.setattr(resource, "setrlimit", lambda *a: steps.append(("limit",)))
    monkeypatch.setattr(
        pdf_inspection, "inspect_file", lambda source: steps.append(("open",)) or {"outcome": "corrupt"}
    )
    pdf_inspection._forked_child(
        "unused.pdf", None, 1 << 30, 20, type("Answer", (), {"send": lambda _, r: sent.append(r)})()
    )
    assert [step[0] for step in steps] == ["nice", "stderr caught", "limit", "limit", "limit", "open", "stderr read"]
    assert steps[0] == ("nice", pdf_inspection.CHILD_NICENESS)
    assert 0 < pdf_inspection.CHILD_NICENESS < 10  # yields to the web workers, never starved past its timeout
    assert sent == [{"outcome": "corrupt", "bad_alloc": True}]


def test_checks_in_parallel_threads_each_get_their_own_answer(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    files = {pages: tmp_path / f"{pages}.pdf" for pages in (1, 2, 3, 4)}
    for pages, path in files.items():
        path.write_bytes(pdf_bytes(pages))
    with ThreadPoolExecutor(4) as pool:
        checked = pool.map(lambda p: inspect_in_child(str(p), None, memory_bytes=1 << 30, seconds=20), files.values())
        found = dict(zip(files, checked, strict=True))
    assert {pages: inspection.pages for pages, inspection in found.items()} == {1: 1, 2: 2, 3: 3, 4: 4}
    assert inspect_in_child(None, pdf_bytes(2), memory_bytes=1 << 30, seconds=20).pages == 2  # from memory too
