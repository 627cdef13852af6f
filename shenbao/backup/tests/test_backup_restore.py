"""A backup restores into a fresh database and storage on a host with another SECRET_KEY: every sealed
PDF still validates, the audit chain verifies, and the restored system seals again."""

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from shenbao.applications.models import Application
from shenbao.audit.models import AuditEntry
from shenbao.backup.archive import BackupError, make_backup, restore_backup
from shenbao.documents.sealing import confirm_list, seal_application
from shenbao.documents.signing import check_signatures
from shenbao.review import services
from shenbao.review.models import RecommendationList

pytestmark = pytest.mark.django_db(transaction=True)
PASSPHRASE = "operator-backup-passphrase"


@pytest.fixture
def confirmed(submitted, admin, staff, make_submitted, applicant):
    """One application sealed and on a confirmed list, a second one sealed and waiting at the unit."""
    services.approve(submitted, admin, timezone.now())
    seal_application(submitted, admin, timezone.now())
    services.submit_to_recommender(submitted, admin, timezone.now())
    services.recommend(submitted, staff, timezone.now())
    confirm_list(staff.recommender, submitted.call, staff, timezone.now())
    return submitted


def _another_host(settings, tmp_path):
    """An empty database and storage, and secrets that are not the first host's."""
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "other-host-media"
    settings.SECRET_KEY = "another-host-secret-key-0123456789"
    settings.SEAL_KEY_PASSPHRASE = "another-host-seal-passphrase"


def _sealed_pdfs():
    for application in Application.objects.exclude(sealed_pdf=""):
        yield application.sealed_pdf.read()
    for entry in RecommendationList.objects.all():
        yield entry.pdf.read()


def test_a_backup_restored_on_another_host_validates_every_seal_and_the_audit_chain(
    confirmed, settings, tmp_path, make_submitted, make_user, unit
):
    audit_entries = AuditEntry.objects.count()
    summary = make_backup(tmp_path / "backup", PASSPHRASE)
    assert summary.files >= 4 and summary.keys >= 4  # attachments, sealed PDF, list PDF and Excel

    _another_host(settings, tmp_path)
    assert not Application.objects.exists() and not default_storage.exists(confirmed.sealed_pdf.name)
    restore_backup(tmp_path / "backup", PASSPHRASE)

    pdfs = list(_sealed_pdfs())
    assert len(pdfs) == 2
    for pdf in pdfs:
        checks = check_signatures(pdf)
        assert checks and all(check.valid for check in checks)
    assert AuditEntry.objects.count() == audit_entries
    call_command("verify_audit")

    # The keys opened with the new host's passphrase: the restored unit seals again.
    from shenbao.accounts.models import User

    restored = Application.objects.get(pk=confirmed.pk)
    admin = User.objects.get(role=User.Role.UNIT_ADMIN, unit=restored.unit)
    another = make_submitted(User.objects.get(pk=restored.applicant_id), title="草原生态修复技术集成与示范")
    services.approve(another, admin, timezone.now())
    assert all(c.valid for c in check_signatures(seal_application(another, admin, timezone.now()).sealed_pdf.read()))


def test_the_management_commands_back_up_and_restore_with_the_operators_passphrase(
    confirmed, settings, tmp_path, monkeypatch
):
    monkeypatch.setenv("BACKUP_PASSPHRASE", PASSPHRASE)
    call_command("backup", str(tmp_path / "backup"), verbosity=0)
    _another_host(settings, tmp_path)
    call_command("restore", str(tmp_path / "backup"), verbosity=0)
    assert Application.objects.get(pk=confirmed.pk).state == Application.State.RECOMMENDED


def test_a_wrong_passphrase_is_refused_before_anything_is_written(confirmed, settings, tmp_path):
    make_backup(tmp_path / "backup", PASSPHRASE)
    _another_host(settings, tmp_path)
    with pytest.raises(BackupError, match="备份口令不正确"):
        restore_backup(tmp_path / "backup", "not-the-operators-passphrase")
    assert not Application.objects.exists()


def test_a_restore_never_overwrites_a_database_that_holds_data_unless_asked(confirmed, tmp_path):
    make_backup(tmp_path / "backup", PASSPHRASE)
    with pytest.raises(BackupError, match="已有数据"):
        restore_backup(tmp_path / "backup", PASSPHRASE)
    restore_backup(tmp_path / "backup", PASSPHRASE, replace=True)
    assert Application.objects.get(pk=confirmed.pk).state == Application.State.RECOMMENDED


def test_a_damaged_backup_file_is_named_and_refused(confirmed, tmp_path):
    make_backup(tmp_path / "backup", PASSPHRASE)
    stored = next((tmp_path / "backup" / "storage").rglob("*.pdf"))
    stored.write_bytes(b"%PDF-1.7 damaged")
    with pytest.raises(BackupError, match="已损坏"):
        restore_backup(tmp_path / "backup", PASSPHRASE, replace=True)


def test_a_short_passphrase_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="备份口令至少"):
        call_command("backup", str(tmp_path / "backup"))


def test_a_restore_forgets_every_cached_session_user_and_context_of_the_database_it_replaced(
    confirmed, applicant, settings, tmp_path
):
    from django.core.cache import cache

    from shenbao.accounts.backends import CachedModelBackend

    settings.SHARED_CACHE = True
    make_backup(tmp_path / "backup", PASSPHRASE)
    CachedModelBackend().get_user(applicant.pk)  # cached, as a signed-in request leaves it
    cache.set("live-review:1", "a context of the replaced database")
    assert cache.get(f"user:{applicant.pk}") is not None
    restore_backup(tmp_path / "backup", PASSPHRASE, replace=True)
    assert cache.get(f"user:{applicant.pk}") is None and cache.get("live-review:1") is None
