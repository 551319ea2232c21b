from django.db import migrations

# The Protocol role, and the protocol for Organisers (they run the whole ceremony), as
# they were made when this migration was written; see `elbeday.roles`.
PROTOCOL_MODELS = [
    "delegation",
    "delegationinvitation",
    "kindprecedence",
    "speaker",
    "pressaccreditation",
]
PROTOCOL = [
    ("registrations", "manage_protocol"),
    ("registrations", "view_historicaldelegation"),
    ("registrations", "view_historicalpressaccreditation"),
    ("registrations", "view_historicalspeaker"),
    *(
        ("registrations", f"{action}_{model}")
        for model in PROTOCOL_MODELS
        for action in ("add", "change", "view")
    ),
]
ADDED = {
    "Protocol": [*PROTOCOL, ("registrations", "view_dashboard")],
    "Organisers": PROTOCOL,
}


def add_protocol(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    db = schema_editor.connection.alias
    # Permissions are normally made after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ADDED.items():
        group, _created = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(
            *(
                Permission.objects.using(db).get(content_type__app_label=app, codename=codename)
                for app, codename in codenames
            )
        )


def remove_protocol(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.using(db).filter(name="Protocol").delete()
    organisers = Group.objects.using(db).filter(name="Organisers").first()
    if organisers:
        organisers.permissions.remove(
            *Permission.objects.using(db).filter(
                content_type__app_label="registrations",
                codename__in=[codename for _app, codename in PROTOCOL],
            )
        )


class Migration(migrations.Migration):
    dependencies = [("registrations", "0004_protocol")]

    operations = [migrations.RunPython(add_protocol, remove_protocol)]
