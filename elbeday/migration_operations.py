"""Operations that migrations of every app share."""

from django.db import migrations


def keep_id_counters(*tables):
    """The operations to put before and after migration steps that rebuild `tables`.

    SQLite alters a column by rebuilding its table (copy, drop, rename), and the copy's
    AUTOINCREMENT counter restarts at the highest id left in it: after an upgrade the id
    of the last deleted row, which the admin's log and history still name, would be given
    to somebody new. PostgreSQL keeps its identity sequences, so nothing happens there.
    """
    saved = {}

    def counters(cursor):
        placeholders = ", ".join(["%s"] * len(tables))
        cursor.execute(
            f"SELECT name, seq FROM sqlite_sequence WHERE name IN ({placeholders})", tables
        )
        return dict(cursor.fetchall())

    def remember(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                saved[connection.alias] = counters(cursor)

    def restore(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            now = counters(cursor)
            for table, seq in saved.pop(connection.alias, {}).items():
                if table not in now:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, seq]
                    )
                elif now[table] < seq:
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [seq, table]
                    )

    return (
        migrations.RunPython(remember, migrations.RunPython.noop),
        migrations.RunPython(restore, migrations.RunPython.noop),
    )


def grant_permissions(granted):
    """The operation that gives groups permissions, `granted` as {group name: [(app label,
    codename), ...]}, and takes them back when the migration is reversed (the groups
    stay). Permissions are normally made after all migrations; it makes them first."""

    def grant(apps, schema_editor):
        from django.contrib.auth.management import create_permissions

        db = schema_editor.connection.alias
        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, verbosity=0, using=db, apps=apps)
            app_config.models_module = None
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        for name, permissions in granted.items():
            group, _created = Group.objects.using(db).get_or_create(name=name)
            group.permissions.add(
                *(
                    Permission.objects.using(db).get(content_type__app_label=app, codename=codename)
                    for app, codename in permissions
                )
            )

    def take_back(apps, schema_editor):
        db = schema_editor.connection.alias
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        for name, permissions in granted.items():
            group = Group.objects.using(db).filter(name=name).first()
            if group:
                group.permissions.remove(
                    *(
                        Permission.objects.using(db).get(
                            content_type__app_label=app, codename=codename
                        )
                        for app, codename in permissions
                    )
                )

    return migrations.RunPython(grant, take_back)
