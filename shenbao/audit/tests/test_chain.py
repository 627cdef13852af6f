"""The audit log is a hash chain: editing or deleting an entry is detected."""

import pytest
from django.core.management import CommandError, call_command

from conftest import TEST_PASSWORD
from shenbao.audit.log import record, verify_chain
from shenbao.audit.models import AuditEntry


@pytest.fixture
def three_entries(db):
    return [record("test", object_type="x", object_id=str(i), after={"n": i}) for i in range(3)]


def test_an_untouched_chain_verifies(three_entries):
    assert verify_chain() == []
    call_command("verify_audit")


def test_an_edited_entry_is_detected(three_entries):
    AuditEntry.objects.filter(pk=three_entries[1].pk).update(reason="改过了")
    problems = verify_chain()
    assert [p.entry_id for p in problems] == [three_entries[1].pk]
    with pytest.raises(CommandError, match="审计日志校验失败"):
        call_command("verify_audit")


def test_a_deleted_entry_in_the_middle_is_detected(three_entries):
    AuditEntry.objects.filter(pk=three_entries[1].pk).delete()
    assert [p.entry_id for p in verify_chain()] == [three_entries[2].pk]


def test_a_deleted_last_entry_is_detected(three_entries):
    AuditEntry.objects.filter(pk=three_entries[2].pk).delete()
    assert verify_chain()[0].entry_id is None


def test_logins_and_failed_logins_are_recorded(client, applicant):
    client.post("/accounts/login/", {"username": applicant.username, "password": "wrong"})
    client.post("/accounts/login/", {"username": applicant.username, "password": TEST_PASSWORD})
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["login_failed", "login"]
    assert AuditEntry.objects.get(action="login").source_ip == "127.0.0.1"
