"""Anchoring the audit chain outside the database.

The HMAC key keeps anyone who can only write to the database from re-chaining edited rows. An anchor
also covers whoever holds the key as well: `manage.py anchor_audit` (from cron) appends the chain's
head — the last entry's id and hash and the number of entries — signed with the department's seal
key, to storage the database cannot reach: a local append-only file (AUDIT_ANCHOR_FILE, opened with
O_APPEND; make it append-only with `chattr +a`) or, with AUDIT_ANCHOR_STORAGE=storage, one object per
anchor in Django's default storage (S3: enable versioning or Object Lock on the bucket).
`verify_anchors` finds the anchored entry in the database with the same hash, so a chain recomputed
after an edit or a deletion no longer matches the last anchor before it.
"""

import base64
import datetime as dt
import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.module_loading import import_string

from .log import ChainProblem
from .models import AuditEntry

STORAGE_PREFIX = "audit-anchors/"
# Whose seal signs the anchors: the department (科技厅), through the configured identity provider.
SIGNER = ("recommender", "department-audit", "科技厅审计日志锚定", "科技厅")


@dataclass(frozen=True)
class Anchor:
    entry_id: int
    hash: str
    count: int
    at: str
    signature: str
    certificate: str

    def payload(self) -> bytes:
        return _payload(self.entry_id, self.hash, self.count, self.at)


def _payload(entry_id: int, hash_: str, count: int, at: str) -> bytes:
    return json.dumps({"entry_id": entry_id, "hash": hash_, "count": count, "at": at}, sort_keys=True).encode()


def _signer():
    return import_string(settings.SEAL_IDENTITY_PROVIDER)(*SIGNER)


def make_anchor(now: dt.datetime) -> Anchor | None:
    """The signed head of the chain now; None while the log is empty."""
    last = AuditEntry.objects.order_by("-id").first()
    if last is None:
        return None
    count = AuditEntry.objects.filter(id__lte=last.id).count()
    at = now.isoformat()
    identity = _signer()
    signature = identity.key.sign(_payload(last.id, last.hash, count, at), ec.ECDSA(hashes.SHA256()))
    certificate = identity.certificate.public_bytes(serialization.Encoding.PEM).decode()
    return Anchor(last.id, last.hash, count, at, base64.b64encode(signature).decode(), certificate)


def write_anchor(anchor: Anchor) -> str:
    """Append it where the database cannot reach; returns where."""
    line = json.dumps(anchor.__dict__, sort_keys=True)
    if settings.AUDIT_ANCHOR_STORAGE == "storage":
        name = f"{STORAGE_PREFIX}{anchor.at.replace(':', '')}-{anchor.entry_id}.json"
        return default_storage.save(name, ContentFile(line.encode()))  # never overwrites: a new name if taken
    path = settings.AUDIT_ANCHOR_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as file:  # O_APPEND: each anchor is added, none rewritten
        file.write(line + "\n")
    return str(path)


def read_anchors() -> list[Anchor]:
    lines = []
    if settings.AUDIT_ANCHOR_STORAGE == "storage":
        if default_storage.exists(STORAGE_PREFIX):
            _, names = default_storage.listdir(STORAGE_PREFIX)
            for name in sorted(names):
                with default_storage.open(STORAGE_PREFIX + name) as file:
                    lines.append(file.read().decode())
    elif settings.AUDIT_ANCHOR_FILE.exists():
        lines = settings.AUDIT_ANCHOR_FILE.read_text(encoding="utf-8").splitlines()
    anchors = []
    for line in lines:
        if line.strip():
            try:
                anchors.append(Anchor(**json.loads(line)))
            except (ValueError, TypeError):
                anchors.append(Anchor(0, "", 0, "", "", ""))  # unreadable: reported as unsigned
    return anchors


def _signed_by_trusted_seal(anchor: Anchor) -> bool:
    from shenbao.documents.ca import trust_roots

    try:
        certificate = x509.load_pem_x509_certificate(anchor.certificate.encode())
        certificate.public_key().verify(base64.b64decode(anchor.signature), anchor.payload(), ec.ECDSA(hashes.SHA256()))
        for root in trust_roots():
            try:
                certificate.verify_directly_issued_by(root)
                return True
            except (ValueError, TypeError, InvalidSignature):
                continue
    except (ValueError, TypeError, InvalidSignature):
        return False
    return False


def verify_anchors() -> list[ChainProblem]:
    """Each anchor is signed by a trusted seal, and the database still holds its entry with its hash
    and as many entries up to it."""
    problems = []
    for anchor in read_anchors():
        if not _signed_by_trusted_seal(anchor):
            problems.append(ChainProblem(None, f"锚点（{anchor.at}）的签名无效或不是受信任的印章"))
            continue
        entry = AuditEntry.objects.filter(pk=anchor.entry_id).first()
        if entry is None or entry.hash != anchor.hash:
            problems.append(
                ChainProblem(
                    anchor.entry_id,
                    f"第{anchor.entry_id}条记录与{anchor.at}的锚点不符：该记录或其之前的记录被删除、改动或重算",
                )
            )
        elif AuditEntry.objects.filter(id__lte=anchor.entry_id).count() != anchor.count:
            problems.append(ChainProblem(anchor.entry_id, f"第{anchor.entry_id}条记录之前的记录数与锚点不符"))
    return problems
