from django.db import migrations

# The roles as they were made when this migration was written (registrations were then
# part of this app). Kept here rather than imported, so that the migration does the same
# on every database whatever the code around it says today; see `elbeday.roles`.
CONTENT = {
    "memorials": ["memorialsite", "photo", "sitedate", "source", "historynote"],
    "events": ["series", "ceremony", "programmeitem", "seatcategory"],
    "elbeday": ["page"],
}
CONTENT_PERMISSIONS = [
    (app, f"{action}_{model}")
    for app, models in CONTENT.items()
    for model in models
    for action in ("add", "change", "delete", "view")
]
ROLES = {
    "Editors": CONTENT_PERMISSIONS,
    "Organisers": [
        *CONTENT_PERMISSIONS,
        ("events", "view_registration"),
        ("events", "change_registration"),
        ("events", "view_historicalregistration"),
        ("events", "view_outgoingemail"),
        ("events", "change_outgoingemail"),
        ("events", "view_checkin"),
        ("events", "checkin_registration"),
        ("events", "export_registration"),
        ("events", "message_registration"),
        ("events", "view_dashboard"),
    ],
    "Check-in volunteers": [("events", "checkin_registration")],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    db = schema_editor.connection.alias

    # Permissions are normally made after all migrations; make them now, for the models
    # as they are at this point of the migrations.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.using(db).get_or_create(name=name)
        permissions = [
            Permission.objects.using(db).get(content_type__app_label=app, codename=codename)
            for app, codename in codenames
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=ROLES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_checkin_history_permissions"),
        ("memorials", "0001_initial"),
        ("elbeday", "0001_page"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
