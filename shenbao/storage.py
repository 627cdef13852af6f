"""Files outside transactions (issue 9 item 4). A file is written completely before any row names it:
under a temporary name first, then promoted to its final name in one step, so a killed or failed write
never leaves half a PDF under a name a row could point to. Storage errors become one Chinese sentence
for the person; the path, the endpoint and the exception go to the log only.

The caller's order is always: `store` (outside any transaction) → commit the row in a short
transaction → on failure `discard` what was stored. What a crash leaves behind is an unreferenced file,
which `manage.py clean_storage` removes.
"""

import logging
import os
import posixpath
import uuid

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

TEMPORARY_DIR = "tmp"


class StorageUnavailable(Exception):
    """The file store did not answer or refused: nothing was stored, the person may simply retry."""

    def __init__(self, what: str = ""):
        super().__init__(_("文件存储暂时不可用，%(what)s未能保存或读取，请稍后重试。") % {"what": what or _("文件")})


class FileMissing(Exception):
    """A file a row names is not in the store any more (deleted, lost in a restore)."""


def _is_atomic_store(storage) -> bool:
    # An S3 PUT is all or nothing: the object appears only once every byte arrived. A local file
    # grows chunk by chunk under its name, so it needs the temporary name and a rename.
    return not isinstance(storage, FileSystemStorage) and hasattr(storage, "bucket_name")


def store(content: bytes | File, final_name: str, *, what: str = "", storage=None) -> str:
    """Store `content` under `final_name` (or a free variant of it), all or nothing; return the name."""
    storage = storage or default_storage
    if isinstance(content, bytes):
        content = ContentFile(content)
    try:
        if _is_atomic_store(storage):
            return storage.save(final_name, content)
        temporary = storage.save(
            posixpath.join(TEMPORARY_DIR, f"{uuid.uuid4().hex}-{posixpath.basename(final_name)}"), content
        )
        try:
            return _promote(storage, temporary, final_name)
        except BaseException:
            _quietly_delete(storage, temporary)
            raise
    except Exception as error:
        logger.exception("storing %s failed", final_name)
        raise StorageUnavailable(what) from error


def _promote(storage, temporary: str, final_name: str) -> str:
    if isinstance(storage, FileSystemStorage):
        name = storage.get_available_name(final_name)
        os.makedirs(os.path.dirname(storage.path(name)), exist_ok=True)
        os.replace(storage.path(temporary), storage.path(name))
        return name
    with storage.open(temporary, "rb") as stream:
        name = storage.save(final_name, stream)
    storage.delete(temporary)
    return name


def _quietly_delete(storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        logger.exception("could not delete %s (clean_storage will)", name)


def discard(*names: str, storage=None) -> None:
    """Remove files whose row was never committed; a failure is only logged (clean_storage retries)."""
    storage = storage or default_storage
    for name in names:
        if name:
            _quietly_delete(storage, name)


def check_present(named: dict[str, str], *, storage=None) -> None:
    """Raise FileMissing naming the first file (by what it is to a person) that the store lacks."""
    storage = storage or default_storage
    for name, label in named.items():
        try:
            present = bool(name) and storage.exists(name)
        except Exception as error:
            logger.exception("checking %s failed", name)
            raise StorageUnavailable(label) from error
        if not present:
            raise FileMissing(_("%(label)s的文件已丢失，请重新上传或重新生成后再操作。") % {"label": label})
