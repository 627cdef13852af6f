"""Backup and restore of a whole shenbao: the database, the stored files, and the signing keys in a
form the operator's passphrase opens on any host.

A backup is a folder:

    manifest.json         what is in it, with a SHA-256 of every file
    database.json.gz      every row (Django's dumpdata, natural keys for content types)
    storage/<name>        every file of the storage (attachments, sealed PDFs, lists), by its stored name
    signing-keys.json     each signing identity's certificate and private key, the key encrypted with the
                          operator's backup passphrase (PKCS#8, PBKDF2-SHA256 + AES-256-CBC)

Why dumpdata rather than pg_dump: the same backup restores into SQLite (the embedded default) and
PostgreSQL, and into a server of another major version; it needs no client programs matching the
server. A department with a large database takes pg_dump snapshots as well (README).

In the database, private keys are encrypted with SEAL_KEY_PASSPHRASE, which defaults to SECRET_KEY:
another host cannot open them. The backup therefore carries them re-encrypted with the operator's own
passphrase, and a restore re-encrypts them with the new host's SEAL_KEY_PASSPHRASE, so that the
restored system seals again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.cache import caches
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "shenbao-backup-1"
DATABASE_FILE = "database.json.gz"
KEYS_FILE = "signing-keys.json"
STORAGE_DIR = "storage"
# Rows that are not the department's data: rebuilt by migrate, or state that should not travel.
NOT_BACKED_UP = ["contenttypes", "auth.permission", "sessions", "axes", "django_rq"]
MIN_PASSPHRASE = 12
KEY_ENCRYPTION = "PKCS#8 PEM, PBKDF2-HMAC-SHA256 and AES-256-CBC (salt and rounds in each PEM), backup passphrase"


class BackupError(Exception):
    """A backup that cannot be made or restored, with a Chinese message for the operator."""


@dataclass(frozen=True)
class Summary:
    rows: int
    files: int
    keys: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stored_names(storage, folder: str = ""):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # local storage before the first upload
        return
    for name in files:
        yield posixpath.join(folder, name) if folder else name
    for sub in folders:
        yield from _stored_names(storage, posixpath.join(folder, sub) if folder else sub)


def _check_passphrase(passphrase: str) -> bytes:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise BackupError(f"备份口令至少{MIN_PASSPHRASE}个字符（环境变量 BACKUP_PASSPHRASE）。")
    return passphrase.encode()


def _reencrypt(key_pem: str, old: bytes, new: bytes) -> str:
    key = serialization.load_pem_private_key(key_pem.encode(), password=old)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(new)
    ).decode()


def make_backup(directory: Path, passphrase: str) -> Summary:
    """Write a backup of this shenbao into `directory` (new or empty)."""
    from shenbao.documents.models import SigningIdentity

    secret = _check_passphrase(passphrase)
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"备份目录不是空的：{directory.name}")
    (directory / STORAGE_DIR).mkdir(parents=True, exist_ok=True)

    # One consistent snapshot of the rows (on PostgreSQL a repeatable-read transaction would be
    # stricter; dumpdata's single connection inside atomic reads one snapshot per statement).
    with transaction.atomic():
        keys = [
            {
                "kind": row.kind,
                "owner": row.owner,
                "subject": row.subject,
                "certificate_pem": row.certificate_pem,
                "key_pem": _reencrypt(row.key_pem, settings.SEAL_KEY_PASSPHRASE.encode(), secret),
            }
            for row in SigningIdentity.objects.order_by("pk")
        ]
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=NOT_BACKED_UP,
            output=str(directory / DATABASE_FILE),
            verbosity=0,
        )
    (directory / KEYS_FILE).write_text(json.dumps(keys, ensure_ascii=False, indent=1), encoding="utf-8")

    files = []
    for name in sorted(_stored_names(default_storage)):
        target = directory / STORAGE_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        files.append({"name": name, "size": target.stat().st_size, "sha256": _sha256(target)})

    rows = len(json.loads(_read_gz(directory / DATABASE_FILE)))
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "migrations": _latest_migrations(),
        "database": {"file": DATABASE_FILE, "rows": rows, "sha256": _sha256(directory / DATABASE_FILE)},
        "storage": files,
        "signing_keys": {"file": KEYS_FILE, "count": len(keys), "encryption": KEY_ENCRYPTION},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Summary(rows=rows, files=len(files), keys=len(keys))


def _read_gz(path: Path) -> bytes:
    import gzip

    with gzip.open(path, "rb") as handle:
        return handle.read()


def _latest_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def _manifest(directory: Path) -> dict:
    path = directory / "manifest.json"
    if not path.exists():
        raise BackupError(f"{directory.name} 不是 shenbao 备份：缺少 manifest.json。")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 无法识别（应为 {FORMAT}）。")
    if _sha256(directory / DATABASE_FILE) != manifest["database"]["sha256"]:
        raise BackupError("数据库备份文件已损坏（校验值不符）。")
    for entry in manifest["storage"]:
        path = directory / STORAGE_DIR / entry["name"]
        if not path.exists() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"备份中的文件已损坏或缺失：{entry['name']}")
    return manifest


def _has_data() -> bool:
    from shenbao.accounts.models import User
    from shenbao.applications.models import Application
    from shenbao.calls.models import Call

    return User.objects.exists() or Application.objects.exists() or Call.objects.exists()


def restore_backup(directory: Path, passphrase: str, *, replace: bool = False) -> Summary:
    """Restore a backup into this host's database and storage.

    Steps: check every file against the manifest → open the keys with the passphrase (before anything
    is written) → migrate → refuse a database that holds data unless `replace` (then flush) → load
    the rows → re-encrypt the keys with this host's SEAL_KEY_PASSPHRASE → copy the files back."""
    from shenbao.documents.models import SigningIdentity

    directory = Path(directory)
    secret = _check_passphrase(passphrase)
    manifest = _manifest(directory)
    keys = json.loads((directory / KEYS_FILE).read_text(encoding="utf-8"))
    here = settings.SEAL_KEY_PASSPHRASE.encode()
    try:
        reencrypted = {(k["kind"], k["owner"]): _reencrypt(k["key_pem"], secret, here) for k in keys}
    except ValueError:
        raise BackupError("备份口令不正确：无法解开备份中的签章私钥。") from None

    call_command("migrate", interactive=False, verbosity=0)
    if _has_data():
        if not replace:
            raise BackupError("目标数据库已有数据：请恢复到新数据库，或确认覆盖（--replace）。")
        call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        call_command("loaddata", str(directory / DATABASE_FILE), verbosity=0)
        for (kind, owner), key_pem in reencrypted.items():
            SigningIdentity.objects.filter(kind=kind, owner=owner).update(key_pem=key_pem)
    # The cache held the replaced database's sessions, users, live-review contexts and draft PDFs: a
    # user cached under a primary key that now belongs to someone else must not be served.
    for alias in settings.CACHES:
        caches[alias].clear()

    for entry in manifest["storage"]:
        name = entry["name"]
        if default_storage.exists(name):
            if default_storage.size(name) == entry["size"]:
                continue
            default_storage.delete(name)
        with open(directory / STORAGE_DIR / name, "rb") as handle:
            saved = default_storage.save(name, File(handle, name=posixpath.basename(name)))
        if saved != name:
            raise BackupError(f"存储拒绝了原文件名：{name}")
    return Summary(rows=manifest["database"]["rows"], files=len(manifest["storage"]), keys=len(reencrypted))
