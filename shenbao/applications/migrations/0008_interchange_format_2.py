"""Stored 申报书 documents from shenbao.application/1 to /2 (docs/interchange.md): the same upgrade
every reader applies to a /1 file, so nothing downstream ever sees /1."""

from django.db import migrations


def upgrade_documents(apps, schema_editor):
    from shenbao.applications.interchange import FORMAT, FORMAT_1, upgrade

    Application = apps.get_model("applications", "Application")
    for application in Application.objects.filter(data__format=FORMAT_1).iterator(chunk_size=500):
        application.data = upgrade(application.data)
        application.save(update_fields=["data"])
    # Documents with no format key (drafts started before it was written) are today's shape.
    for application in Application.objects.exclude(data__has_key="format").iterator(chunk_size=500):
        application.data = {**application.data, "format": FORMAT}
        application.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0007_call_and_pi_index")]

    operations = [migrations.RunPython(upgrade_documents, migrations.RunPython.noop)]
