import django.db.models
from django.db import migrations

import shenbao.applications.models

# RFC 7396 JSON merge patch, as SQLite's built-in json_patch does it: objects merge key by key, any
# other value replaces, null removes. The autosave merges one section into the document with it in a
# single conditional UPDATE (see applications/autosave.py).
MERGE_PATCH = """
CREATE OR REPLACE FUNCTION shenbao_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN
        RETURN patch;
    END IF;
    IF jsonb_typeof(target) IS DISTINCT FROM 'object' THEN
        target := '{}'::jsonb;
    END IF;
    RETURN (
        SELECT coalesce(jsonb_object_agg(merged.key, merged.value), '{}'::jsonb)
        FROM (
            SELECT coalesce(p.key, t.key) AS key,
                   CASE WHEN p.key IS NULL THEN t.value ELSE shenbao_merge_patch(t.value, p.value) END AS value
            FROM jsonb_each(target) t FULL OUTER JOIN jsonb_each(patch) p ON t.key = p.key
        ) merged
        WHERE merged.value <> 'null'::jsonb
    );
END
$$;
"""


def create_merge_patch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(MERGE_PATCH)


def drop_merge_patch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS shenbao_merge_patch(jsonb, jsonb)")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0003_return_reason_and_seal"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="invalid_inputs",
            field=django.db.models.JSONField(
                blank=True,
                default=dict,
                encoder=shenbao.applications.models.Utf8JSONEncoder,
                verbose_name="未能识别的输入",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="section_versions",
            field=django.db.models.JSONField(blank=True, default=dict, verbose_name="各部分版本"),
        ),
        migrations.RunPython(create_merge_patch, drop_merge_patch),
    ]
