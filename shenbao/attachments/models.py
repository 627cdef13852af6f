import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shenbao.applications.models import Application


def _storage_path(attachment: "Attachment", _filename: str) -> str:
    # The stored name is ours; the person's file name is kept only as data (`original_name`).
    return f"attachments/{attachment.application.public_id}/{attachment.public_id}.pdf"


class Attachment(models.Model):
    """A PDF attached to an application, checked on upload (二(一)3), stored through Django's storage."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("附件类型"), max_length=40)
    partner = models.CharField(_("合作单位"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    original_name = models.CharField(_("文件名"), max_length=160)
    file = models.FileField(upload_to=_storage_path, max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(_("页数"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("附件")
        ordering = ["kind", "partner", "year", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def as_interchange(self) -> dict:
        row = {"kind": self.kind, "file": self.original_name, "sha256": self.sha256, "size": self.size}
        if self.partner:
            row["partner"] = self.partner
        if self.year:
            row["year"] = self.year
        return row
