"""The search over title, PI, lead unit, keywords and receipt number (applications/search.py): the
normalised text on each application, and its index — pg_trgm's GIN index on PostgreSQL, an FTS5
table with the trigram tokenizer on SQLite. Each vendor's part does nothing on the other."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEX = "applications_search_trgm"


def fill_search_text(apps, schema_editor):
    from shenbao.applications.search import search_text

    Application = apps.get_model("applications", "Application")
    batch = []
    for application in Application.objects.only("pk", "data", "receipt_no").iterator(chunk_size=500):
        application.search_text = search_text(application.data, application.receipt_no)
        batch.append(application)
        if len(batch) == 500:
            Application.objects.bulk_update(batch, ["search_text"])
            batch = []
    Application.objects.bulk_update(batch, ["search_text"])


def create_index(apps, schema_editor):
    from shenbao.applications.search import create_fts_table

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON applications_application "
            "USING gin (search_text gin_trgm_ops)"
        )
    create_fts_table(schema_editor)


def drop_index(apps, schema_editor):
    from shenbao.applications.search import drop_fts_table

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    drop_fts_table(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("applications", "0008_interchange_format_2")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="检索文本"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
