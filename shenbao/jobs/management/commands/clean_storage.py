"""`manage.py clean_storage [--older-than MINUTES] [--dry-run]`: remove stored files no row names
(what a crash between storing a file and committing its row leaves behind, and temporary files of
interrupted writes). Run it periodically (cron); files younger than the threshold are left alone,
since their row may be about to commit."""

import datetime as dt
import posixpath

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone


def referenced_names() -> set[str]:
    """Every name a FileField of any model holds."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    n
                    for n in model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                    if n
                )
    return names


def stored_names(storage, folder: str = ""):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing stored yet
        return
    for name in files:
        yield posixpath.join(folder, name) if folder else name
    for sub in folders:
        yield from stored_names(storage, posixpath.join(folder, sub) if folder else sub)


class Command(BaseCommand):
    help = "Remove stored files that no database row names (orphans of interrupted writes)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=60, help="minutes (default 60)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *, older_than: int, dry_run: bool, **options):
        storage = default_storage
        cutoff = timezone.now() - dt.timedelta(minutes=older_than)
        keep = referenced_names()
        removed = kept = 0
        for name in stored_names(storage):
            if name in keep:
                kept += 1
                continue
            if storage.get_modified_time(name) > cutoff:
                continue  # its row may be about to commit
            self.stdout.write(f"{'would remove' if dry_run else 'removed'}\t{name}")
            if not dry_run:
                storage.delete(name)
            removed += 1
        self.stdout.write(f"clean_storage: removed={removed} kept={kept}")
