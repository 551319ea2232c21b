"""The staff roles and their permissions, created by a data migration.

- Editors edit memorial sites and ceremony content.
- Organisers also manage registrations, exports, messages and the dashboard.
- Check-in volunteers only check in and search guests of today's ceremonies.
"""

CONTENT = {
    "memorials": ["memorialsite", "photo", "sitedate", "source", "historynote"],
    "events": ["series", "ceremony", "programmeitem", "seatcategory"],
    "elbeday": ["page"],
}
ALL_ACTIONS = ("add", "change", "delete", "view")

EDITORS = "Editors"
ORGANISERS = "Organisers"
VOLUNTEERS = "Check-in volunteers"


def _content_permissions():
    return [
        (app, f"{action}_{model}")
        for app, models in CONTENT.items()
        for model in models
        for action in ALL_ACTIONS
    ]


ROLES = {
    EDITORS: _content_permissions(),
    ORGANISERS: [
        *_content_permissions(),
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
    VOLUNTEERS: [("events", "checkin_registration")],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in codenames
        ]
        group.permissions.set(permissions)
