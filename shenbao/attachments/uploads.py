"""Receiving an upload without trusting it: the size limit holds while the bytes stream in, and the
file must be a real, unencrypted PDF with pages and no active content before it is kept.

`check_pdf` is the one check every uploaded PDF goes through (attachments, the recommendation letter,
anything later). It never parses the file in the web worker: `pdf_inspection` opens it in a child
process under a hard memory and CPU-time ceiling (PDF_CHECK_MEMORY_MB, PDF_CHECK_SECONDS), so a
decompression bomb costs the child, not the worker, and is refused when it hits the ceiling.

A request whose declared length is already too large is refused before its body is read
(`declared_too_large`). `LimitedUploadHandler` goes first in the request's handlers and stops the
upload the moment the received bytes pass the limit, whatever the declared length said, so a 2 GB
upload costs at most the limit in memory or disk. Django's temporary-file handler behind it
keeps the accepted bytes on disk, never in memory.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

from shenbao.language import cite, join

from .pdf_inspection import inspect_in_child

# Multipart framing around the file: boundaries, headers and the other fields of the form.
FORM_OVERHEAD_BYTES = 64 * 1024
MAX_NAME_CHARS = 120
# Markup that makes a browser or a viewer read the file as a web page (an HTML/PDF polyglot).
MARKUP_MARKERS = (b"<html", b"<script", b"<!doctype", b"<svg", b"<body", b"<iframe")


class UploadRefused(ValueError):
    """The message names the file and the rule."""


def declared_too_large(request, max_bytes: int) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > max_bytes + FORM_OVERHEAD_BYTES


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, max_bytes: int, request=None):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data  # the next handler (a temporary file) keeps it

    def file_complete(self, file_size):
        return None


def sanitise_name(name: str) -> str:
    """A file name a person can read and no system can misread: no path, no control characters,
    no leading dots, at most MAX_NAME_CHARS, always ending in .pdf."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name  # drop any directory part, either separator
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")  # control and format characters
    name = re.sub(r'[<>:"/\\|?*]+', "_", name).strip().lstrip(".").strip()
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem[: MAX_NAME_CHARS - 4].strip() or _("附件")
    return f"{stem}.pdf"


@dataclass(frozen=True)
class CheckedPdf:
    pages: int
    sha256: str
    size: int


def check_pdf(uploaded, max_bytes: int, clause: str) -> CheckedPdf:
    """1. within the size limit; 2. a PDF from byte 0 and no markup in its head (not an HTML/PDF
    polyglot); 3. opened in a child process within the ceilings: not encrypted (neither an opening
    nor a permissions password), with pages, with no JavaScript, launch actions, embedded files or
    actions run on opening."""
    label = sanitise_name(uploaded.name)
    if uploaded.size > max_bytes:
        raise UploadRefused(
            _("“%(label)s”大小为%(size)sMB，超过%(max_bytes)sMB的限制（%(clause)s）。")
            % {
                "label": label,
                "size": f"{uploaded.size / 1048576:.1f}",
                "max_bytes": max_bytes // 1048576,
                "clause": cite(clause),
            }
        )
    uploaded.seek(0)
    head = uploaded.read(1024)
    if not head.startswith(b"%PDF-") or any(marker in head.lower() for marker in MARKUP_MARKERS):
        raise UploadRefused(
            _("“%(label)s”不是PDF文件（只接受PDF格式，%(clause)s）。") % {"label": label, "clause": cite(clause)}
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: uploaded.read(1 << 20), b""):
        digest.update(chunk)
    uploaded.seek(0)
    on_disk = getattr(uploaded, "temporary_file_path", None)
    inspection = inspect_in_child(
        on_disk() if on_disk else None,
        None if on_disk else uploaded.read(),
        memory_bytes=settings.PDF_CHECK_MEMORY_MB * 1048576,
        seconds=settings.PDF_CHECK_SECONDS,
    )
    uploaded.seek(0)
    if inspection.outcome == "ceiling":
        raise UploadRefused(
            _(
                "“%(label)s”打开时超出了检查的内存或时间上限（%(pdf_check_memory_mb)sMB，%(pdf_check_seconds)s秒），可能是异常构造的文件，请重新扫描或另存为PDF后上传（%(clause)s）。"
            )
            % {
                "label": label,
                "pdf_check_memory_mb": settings.PDF_CHECK_MEMORY_MB,
                "pdf_check_seconds": settings.PDF_CHECK_SECONDS,
                "clause": cite(clause),
            }
        )
    if inspection.outcome == "password":
        raise UploadRefused(
            _("“%(label)s”设置了打开密码，请上传未加密的PDF（%(clause)s）。") % {"label": label, "clause": cite(clause)}
        )
    if inspection.outcome == "encrypted":
        raise UploadRefused(
            _("“%(label)s”已加密（设置了权限密码），请上传未加密的PDF（%(clause)s）。")
            % {"label": label, "clause": cite(clause)}
        )
    if inspection.outcome != "ok":
        raise UploadRefused(
            _("“%(label)s”已损坏或不是有效的PDF，无法打开（%(clause)s）。") % {"label": label, "clause": cite(clause)}
        )
    if inspection.active:
        raise UploadRefused(
            _("“%(label)s”含有可执行或嵌入内容（%(join)s），请去除后（如重新扫描或打印为PDF）再上传（%(clause)s）。")
            % {"label": label, "join": join(_(name) for name in inspection.active), "clause": cite(clause)}
        )
    if inspection.pages == 0:
        raise UploadRefused(_("“%(label)s”没有页面（%(clause)s）。") % {"label": label, "clause": cite(clause)})
    return CheckedPdf(inspection.pages, digest.hexdigest(), uploaded.size)
