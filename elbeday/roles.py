"""The staff roles and their permissions. They span every app, so they live here.

- Editors edit memorial sites and ceremony content.
- Organisers also manage registrations, exports, messages and the dashboard.
- Protocol staff manage delegations, the order of wreaths, speakers and the press, and
  see the dashboard; Organisers can do all of that too.
- Check-in volunteers only check in and search guests of today's ceremonies.
- Organisers see the phones signed in at the gate and revoke a lost one.

The groups are made by the migrations: `events/migrations/0003_roles.py` made them with
the permissions of the time, and later migrations carry them along (registrations moved
to their own app with their permissions). `tests/staff/test_roles.py` checks what the
groups hold after all migrations.
"""

CONTENT = {
    "memorials": [
        "memorialsite",
        "photo",
        "sitedate",
        "source",
        "historynote",
        "series",
        "trail",
        "trailstop",
        # What the public sends; changing one is deciding on it (memorials.services).
        "correction",
        "photosubmission",
    ],
    "events": ["series", "ceremony", "programmeitem", "seatcategory"],
    "elbeday": ["page"],
}
ALL_ACTIONS = ("add", "change", "delete", "view")

EDITORS = "Editors"
ORGANISERS = "Organisers"
VOLUNTEERS = "Check-in volunteers"
PROTOCOL = "Protocol"

PROTOCOL_MODELS = [
    "delegation",
    "delegationinvitation",
    "kindprecedence",
    "speaker",
    "pressaccreditation",
]


def _protocol_permissions():
    return [
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
        ("registrations", "view_registration"),
        ("registrations", "change_registration"),
        ("registrations", "view_historicalregistration"),
        ("registrations", "view_outgoingemail"),
        ("registrations", "change_outgoingemail"),
        ("registrations", "view_checkin"),
        ("registrations", "checkin_registration"),
        ("registrations", "export_registration"),
        ("registrations", "message_registration"),
        ("registrations", "view_dashboard"),
        ("registrations", "view_gatedevice"),
        ("registrations", "change_gatedevice"),
        *_protocol_permissions(),
    ],
    PROTOCOL: [*_protocol_permissions(), ("registrations", "view_dashboard")],
    VOLUNTEERS: [("registrations", "checkin_registration")],
}
