from django.db import migrations

# Registrations, check-ins and the outbox moved to the `registrations` app. This migration
# only forgets them here; `registrations.0001_initial` takes over their tables, rows and
# permissions.


class Migration(migrations.Migration):
    dependencies = [("events", "0004_ceremony_year")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CheckIn"),
                migrations.DeleteModel(name="HistoricalRegistration"),
                migrations.DeleteModel(name="OutgoingEmail"),
                migrations.DeleteModel(name="Registration"),
            ]
        )
    ]
