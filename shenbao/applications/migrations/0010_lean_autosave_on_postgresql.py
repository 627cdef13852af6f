"""The lean autosave's work in PostgreSQL, made cheaper (applications/autosave.py, bench/rush.py).

The merge patch walks the patch's keys only. Migration 0004's version rebuilt every level of the
document it passed through (each key of the document, joined with the patch and aggregated again), and
dropped nulls it had not been asked to drop; this one follows RFC 7396 to the letter, like SQLite's
json_patch and `services.merge_patch`.

The document is compressed with lz4 where the server has it (PostgreSQL 14 and later, built with it,
as Debian's are): an autosave writes the whole document again, and pglz took a tenth of the statement.
Documents already stored keep their compression until they are next saved.

Each part does nothing on SQLite.
"""

from importlib import import_module

from django.db import migrations

MERGE_PATCH_OF_0004 = import_module(f"{__package__}.0004_section_versions_and_invalid_inputs").MERGE_PATCH

MERGE_PATCH = """
CREATE OR REPLACE FUNCTION shenbao_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    name text;
    value jsonb;
BEGIN
    IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
        RETURN patch;
    END IF;
    IF jsonb_typeof(target) IS DISTINCT FROM 'object' THEN
        target := '{}'::jsonb;
    END IF;
    FOR name, value IN SELECT * FROM jsonb_each(patch) LOOP
        IF value = 'null'::jsonb THEN
            target := target - name;
        ELSE
            target := jsonb_set(target, ARRAY[name], shenbao_merge_patch(target -> name, value));
        END IF;
    END LOOP;
    RETURN target;
END
$$;
"""

TABLE = "applications_application"


def _has_lz4(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return row is not None and "lz4" in (row[0] or [])


def _install(schema_editor, merge_patch: str, compression: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(merge_patch)
    if _has_lz4(schema_editor):
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN data SET COMPRESSION {compression}")


def forwards(apps, schema_editor):
    _install(schema_editor, MERGE_PATCH, "lz4")


def backwards(apps, schema_editor):
    _install(schema_editor, MERGE_PATCH_OF_0004, "DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("applications", "0009_search_text")]

    operations = [migrations.RunPython(forwards, backwards)]
