from django.db import migrations

from events.roles import create_roles


def remove_roles(apps, schema_editor):
    from events.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_checkin_history_permissions"),
        ("memorials", "0001_initial"),
        ("elbeday", "0001_page"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
