"""The chain is keyed (HMAC) and anchored outside the database: whoever rewrites rows and recomputes the
chain is caught, without the key by the keyed hashes, with the key by the last signed anchor."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from shenbao.audit import anchors
from shenbao.audit.log import _canonical, entry_hash, record, verify_chain
from shenbao.audit.models import AuditEntry, AuditHead


@pytest.fixture(autouse=True)
def anchor_file(settings, tmp_path):
    settings.AUDIT_ANCHOR_STORAGE = "file"
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors.jsonl"
    return settings.AUDIT_ANCHOR_FILE


@pytest.fixture
def entries(db):
    return [record("test", object_type="x", object_id=str(i), after={"n": i}) for i in range(4)]


def _recompute(hasher):
    """What an attacker with write access to the database does after editing: re-chain every row."""
    previous = "0" * 64
    for entry in AuditEntry.objects.order_by("id"):
        entry.prev_hash = previous
        entry.hash = hasher(entry)
        entry.save(update_fields=["prev_hash", "hash"])
        previous = entry.hash
    AuditHead.objects.update(last_hash=previous)


def test_the_hash_is_keyed_not_a_plain_digest(entries):
    assert entries[0].hash != hashlib.sha256(_canonical(entries[0])).hexdigest()


def test_a_chain_recomputed_without_the_key_fails_verification(entries):
    AuditEntry.objects.filter(pk=entries[1].pk).update(reason="改过了")
    _recompute(lambda e: hashlib.sha256(_canonical(e)).hexdigest())
    assert verify_chain()


def test_a_chain_recomputed_with_the_key_fails_against_the_last_anchor(entries, anchor_file):
    call_command("anchor_audit")
    AuditEntry.objects.filter(pk=entries[1].pk).update(reason="改过了")
    _recompute(entry_hash)
    assert verify_chain() == []  # the chain alone cannot tell
    problems = anchors.verify_anchors()
    assert [p.entry_id for p in problems] == [entries[-1].pk]
    with pytest.raises(CommandError, match="审计日志校验失败"):
        call_command("verify_audit")


def test_deleting_entries_up_to_the_anchor_and_rechaining_is_detected(entries):
    call_command("anchor_audit")
    AuditEntry.objects.filter(pk=entries[0].pk).delete()
    _recompute(entry_hash)
    assert anchors.verify_anchors()


def test_an_untouched_log_verifies_against_its_anchors_and_entries_after_them(entries, anchor_file):
    call_command("anchor_audit")
    record("later", object_type="x", object_id="9")
    call_command("anchor_audit")
    assert len(anchor_file.read_text().splitlines()) == 2
    assert anchors.verify_anchors() == []
    call_command("verify_audit")


def test_an_anchor_not_signed_by_the_departments_seal_is_reported(entries, anchor_file):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    call_command("anchor_audit")
    forged = json.loads(anchor_file.read_text())
    forged["hash"] = "f" * 64
    other_key = ec.generate_private_key(ec.SECP256R1())
    payload = anchors._payload(forged["entry_id"], forged["hash"], forged["count"], forged["at"])
    import base64

    forged["signature"] = base64.b64encode(other_key.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
    anchor_file.write_text(json.dumps(forged) + "\n")
    assert "签名无效" in anchors.verify_anchors()[0].message


def test_anchors_can_go_to_the_object_storage(entries, settings, media):
    settings.AUDIT_ANCHOR_STORAGE = "storage"
    call_command("anchor_audit")
    call_command("anchor_audit")
    assert len(list((media / "audit-anchors").iterdir())) == 2
    assert anchors.verify_anchors() == []
    AuditEntry.objects.filter(pk=entries[2].pk).update(reason="x")
    _recompute(entry_hash)
    assert anchors.verify_anchors()


def test_anchoring_an_empty_log_writes_nothing(db, anchor_file):
    call_command("anchor_audit")
    assert not anchor_file.exists()
