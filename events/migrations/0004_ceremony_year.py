import zoneinfo

from django.db import migrations, models


def fill_year(apps, schema_editor):
    """The year of each ceremony's start at its venue (see Ceremony.year)."""
    Ceremony = apps.get_model("events", "Ceremony")
    for ceremony in Ceremony.objects.using(schema_editor.connection.alias).only(
        "start", "time_zone"
    ):
        ceremony.year = ceremony.start.astimezone(zoneinfo.ZoneInfo(ceremony.time_zone)).year
        ceremony.save(update_fields=["year"])


class Migration(migrations.Migration):
    dependencies = [("events", "0003_roles")]

    operations = [
        migrations.AddField(
            model_name="ceremony",
            name="year",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="year"
            ),
        ),
        migrations.RunPython(fill_year, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ceremony",
            name="year",
            field=models.PositiveSmallIntegerField(
                blank=True, db_index=True, editable=False, verbose_name="year"
            ),
        ),
        migrations.AlterField(
            model_name="ceremony",
            name="photo_renditions",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]
