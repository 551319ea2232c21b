"""A site running the previous release upgrades with `migrate` and loses nothing.

The previous release kept registrations, check-ins, the outbox and the registrations'
history in the `events` app; `registrations.0001_initial` takes their tables over, renames
them and moves their content types, so that the roles' permissions, a user's own
permissions and the admin's log follow. A mistake there loses what no test on a freshly
migrated database can see: rows, permissions, log entries. So this builds a separate
database at the previous release, fills it the way that release would have, migrates it
to today, and compares everything, row by row, on whichever database the run uses
(SQLite or PostgreSQL: a table rename goes differently on each).

The database is made for this module and thrown away after it: the test database of the
other tests cannot be taken back to an older release, and must not be changed under them.
"""

import contextlib
import copy
import dataclasses
import datetime
import importlib
import io
import secrets
import uuid
import zoneinfo

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.dummy.base import DatabaseOperations as DummyDatabaseOperations
from django.db.backends.dummy.base import DatabaseWrapper as DummyDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

from elbeday.roles import ROLES

ALIAS = "upgrade"
# The project's migrations as the previous release shipped them. Apps made since then
# (`registrations`) did not exist; Django's own apps stand at their latest migrations.
PREVIOUS_RELEASE = [
    ("events", "0003_roles"),
    ("memorials", "0001_initial"),
    ("elbeday", "0001_page"),
]
MOVING_MIGRATIONS = [
    ("events", "0004_ceremony_year"),
    ("events", "0005_registrations_leave_events"),
    ("registrations", "0001_initial"),
]
# Third-party apps installed since the previous release: the upgrade adds their tables,
# content types and permissions, which the previous release could not have.
ADDED_SINCE = {"axes"}
MOVED = ["Registration", "CheckIn", "OutgoingEmail", "HistoricalRegistration"]
MOVED_NAMES = {name.lower() for name in MOVED}
# Indexes named in the models, renamed with their tables.
NAMED_INDEXES = {
    "registrations_registration": "registration_waiting_idx",
    "registrations_outgoingemail": "outbox_due_idx",
}
STAYING = [("events", name) for name in ("Series", "Ceremony", "ProgrammeItem", "SeatCategory")]
AUTH = [("auth", "User"), ("auth", "Group"), ("auth", "Permission"), ("admin", "LogEntry")]
THROUGH = [
    ("auth", "Group", "permissions"),
    ("auth", "User", "groups"),
    ("auth", "User", "user_permissions"),
]
OLD_ROLES = importlib.import_module("events.migrations.0003_roles").ROLES
# Models added since the previous release (the protocol's, and the phones at the gate),
# with their permissions and the Protocol role that a migration makes: the upgrade adds
# them and changes nothing else.
PROTOCOL_MODELS = {
    "delegation",
    "delegationinvitation",
    "gatedevice",
    "historicaldelegation",
    "historicalpressaccreditation",
    "historicalspeaker",
    "kindprecedence",
    "pressaccreditation",
    "speaker",
}
PROTOCOL_ROLE = "Protocol"
# Memorial models added since (series and trails, what the public sends), with their
# permissions and the roles' grants of them: the upgrade adds them and changes nothing
# else. By app too, since events has a model named "series" of its own.
CATALOGUE_MODELS = {"series", "trail", "trailstop", "correction", "photosubmission"}

UTC = datetime.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(*args, tz=UTC):
    return datetime.datetime(*args, tzinfo=tz)


@dataclasses.dataclass(repr=False)
class Upgrade:
    """What the database held before and after the upgrade, as plain values."""

    leaf_nodes: set
    targets: list
    plan: list
    tables_before: set
    tables_after: set
    indexes_after: dict
    before: dict
    after: dict
    content_types_before: dict
    content_types_after: dict
    roles_before: dict
    roles_after: dict
    user_permissions_before: dict
    user_permissions_after: dict
    log_before: dict
    log_after: dict
    last_ids: dict
    new_ids: dict


def _off_limits(*args, **kwargs):
    raise AssertionError(
        "Something used the default database while another one was being migrated: "
        "code run by a migration must use schema_editor.connection.alias."
    )


class _DefaultOffLimits(DummyDatabaseWrapper):
    """Stands in for the default database while the upgrade runs: a migration that
    forgets `schema_editor.connection.alias` would otherwise read and write whatever the
    default database is now (the test database, or a developer's own), and pass or fail
    for reasons that have nothing to do with the database being upgraded."""

    class ops_class(DummyDatabaseOperations):
        # Queries quote their table names before they connect.
        quote_name = _off_limits

    ensure_connection = _cursor = _off_limits


@contextlib.contextmanager
def _default_off_limits():
    real = connections[DEFAULT_DB_ALIAS]
    stand_in = {**real.settings_dict, "ENGINE": "django.db.backends.dummy"}
    connections[DEFAULT_DB_ALIAS] = _DefaultOffLimits(stand_in, alias=DEFAULT_DB_ALIAS)
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = real


@contextlib.contextmanager
def _fresh_database(tmp_path_factory):
    """An empty database on the server (or SQLite file) of the run, as another alias."""
    settings_dict = copy.deepcopy(connections.databases[DEFAULT_DB_ALIAS])
    is_sqlite = settings_dict["ENGINE"] == "django.db.backends.sqlite3"
    if is_sqlite:
        settings_dict["NAME"] = str(tmp_path_factory.mktemp("upgrade") / "upgrade.sqlite3")
    else:
        settings_dict["NAME"] = f"elbeday_upgrade_{secrets.token_hex(6)}"
    # `connections.databases` is `settings.DATABASES`: the migrate command and the
    # routers see the new alias too.
    connections.databases[ALIAS] = settings_dict
    created = False
    try:
        if not is_sqlite:
            # A connection to the server's maintenance database, as Django's own test
            # database creation uses: a database cannot be made from inside another.
            with connections[ALIAS]._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
            created = True
        yield ALIAS
    finally:
        connections[ALIAS].close()
        if created:
            with connections[ALIAS]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
        del connections[ALIAS]
        del connections.databases[ALIAS]


def _previous_release_targets(graph):
    django_apps = {
        app_label
        for app_label, _name in graph.leaf_nodes()
        if global_apps.get_app_config(app_label).name.startswith("django.")
    }
    return PREVIOUS_RELEASE + sorted(node for node in graph.leaf_nodes() if node[0] in django_apps)


def _fill(apps, db):
    """A site as the previous release left it: two ceremonies, registrations in every
    state with their check-ins, emails and history, staff in each role, the admin's log.
    Returns the highest id each moved table ever handed out."""

    def objects(app_label, name):
        return apps.get_model(app_label, name).objects.db_manager(db)

    def user(username, group=None):
        person = objects("auth", "User").create(username=username, password="!", is_staff=True)
        if group:
            person.groups.add(objects("auth", "Group").get(name=group))
        return person

    vera = user("vera", "Check-in volunteers")
    otto = user("otto", "Organisers")
    user("edith", "Editors")
    # A gatekeeper let in by hand, not through a role.
    gerd = user("gerd")
    gerd.user_permissions.add(
        objects("auth", "Permission").get(
            content_type__app_label="events", codename="checkin_registration"
        )
    )

    series = objects("events", "Series").create(
        name="Elbe Day",
        name_en="Elbe Day",
        name_de="Elbe-Tag",
        name_ru="День встречи на Эльбе",
        slug="elbe-day",
        commemorated_year=1945,
    )
    torgau = objects("events", "Ceremony").create(
        series=series,
        title="Elbe Day in Torgau",
        title_de="Elbe-Tag in Torgau",
        slug="elbe-day-torgau-2025",
        start=at(2025, 4, 25, 10, 0, tz=BERLIN),
        end=at(2025, 4, 25, 13, 0, tz=BERLIN),
        time_zone="Europe/Berlin",
        summary="Wreaths at the Elbe bridge.",
        status="published",
        registration_opens=at(2025, 3, 1),
        registration_closes=at(2025, 4, 24),
    )
    # New Year's Eve in New York is already the next year in UTC (and on a server in
    # Berlin): the ceremony belongs to the year its guests would name.
    new_york = objects("events", "Ceremony").create(
        series=series,
        title="Elbe Day in New York",
        slug="elbe-day-new-york-2024",
        start=at(2024, 12, 31, 23, 30, tz=NEW_YORK),
        end=at(2025, 1, 1, 0, 30, tz=NEW_YORK),
        time_zone="America/New_York",
        summary="A toast at the Elbe Day memorial in Riverside Park.",
        status="published",
    )
    objects("events", "ProgrammeItem").create(
        ceremony=torgau,
        starts_at=at(2025, 4, 25, 10, 0, tz=BERLIN),
        title="Wreath laying",
        languages="de, en, ru",
        interpretation=True,
    )
    guests = objects("events", "SeatCategory").create(
        ceremony=torgau, name="Guests", capacity=5, seats_taken=5
    )
    invited = objects("events", "SeatCategory").create(
        ceremony=torgau,
        name="Veterans' families",
        capacity=10,
        seats_taken=0,
        invitation_code="ELBE45",
        has_waiting_list=False,
        position=1,
    )
    members = objects("events", "SeatCategory").create(
        ceremony=new_york, name="Members", capacity=50, seats_taken=1
    )

    def register(category, **fields):
        return objects("events", "Registration").create(
            ceremony_id=category.ceremony_id,
            category=category,
            consent_privacy_at=at(2025, 3, 2, 9, 0),
            **fields,
        )

    anna = register(
        guests,
        status="confirmed",
        name="Anna Schmidt",
        email="anna@example.org",
        party_size=3,
        guest_names="Jürgen Müßig\nKarl Weiß",
        country="DE",
        language="de",
        needs_wheelchair_space=True,
        needs_note="Rampe am Nordeingang",
        confirmed_at=at(2025, 3, 2, 9, 0),
        reminder_sent_at=at(2025, 4, 24, 8, 0),
        checked_in=2,
    )
    boris = register(
        guests,
        status="confirmed",
        name="Борис Иванов",
        email="boris@example.org",
        party_size=2,
        language="ru",
        country="RU",
        consent_future=True,
        needs_seating=True,
        submission_key=uuid.uuid4(),
        confirmed_at=at(2025, 3, 3, 12, 0),
    )
    clara = register(
        guests,
        status="waiting",
        name="Clara Weber",
        email="clara@example.org",
        party_size=2,
        waiting_since=at(2025, 3, 4, 18, 30),
    )
    register(
        guests,
        status="cancelled",
        name="Dmitri Petrov",
        email="dmitri@example.org",
        party_size=1,
        confirmed_at=at(2025, 3, 5, 7, 0),
        cancelled_at=at(2025, 3, 20, 7, 0),
    )
    anonymised = register(
        invited,
        status="cancelled",
        name="",
        email="anonymised-5f3a9c0e1b2d@invalid",
        party_size=2,
        confirmed_at=at(2025, 3, 6, 7, 0),
        cancelled_at=at(2025, 3, 7, 7, 0),
        anonymised_at=at(2025, 5, 25, 3, 0),
    )
    mary = register(
        members,
        status="confirmed",
        name="Mary O'Neill",
        email="mary@example.org",
        party_size=1,
        country="US",
        confirmed_at=at(2024, 12, 1, 15, 0),
        checked_in=1,
    )

    check_ins = objects("events", "CheckIn")
    check_ins.create(registration=anna, people=1, by=vera, at=at(2025, 4, 25, 9, 40))
    check_ins.create(registration=anna, people=1, by=otto, at=at(2025, 4, 25, 9, 55))
    # Checked in by a volunteer whose account was deleted since.
    check_ins.create(registration=mary, people=1, by=None, at=at(2025, 1, 1, 4, 20))

    emails = objects("events", "OutgoingEmail")
    emails.create(
        registration=anna,
        kind="confirmation",
        to=anna.email,
        language="de",
        subject="Ihre Anmeldung",
        body_text="Guten Tag",
        body_html="<p>Guten Tag</p>",
        attachments=[{"filename": "ceremony.ics", "mimetype": "text/calendar", "make": "calendar"}],
        status="sent",
        attempts=1,
        sent_at=at(2025, 3, 2, 9, 1),
    )
    emails.create(
        registration=clara,
        kind="waiting_list",
        to=clara.email,
        language="en",
        subject="You are on the waiting list",
        body_text="Hello",
        next_attempt_at=at(2025, 3, 4, 18, 31),
    )
    emails.create(
        registration=mary,
        kind="reminder",
        to=mary.email,
        language="en",
        subject="Tomorrow",
        body_text="See you",
        status="failed",
        attempts=5,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )
    emails.create(
        registration=anonymised,
        kind="cancellation",
        to=anonymised.email,
        language="en",
        subject="",
        body_text="",
        status="sent",
        attempts=1,
        sent_at=at(2025, 3, 7, 7, 1),
    )
    emails.create(
        registration=None,
        kind="message",
        to="press@example.org",
        language="en",
        subject="Programme",
        body_text="Attached",
        status="sent",
        sent_at=at(2025, 4, 1),
    )

    history = objects("events", "HistoricalRegistration")
    history_fields = [
        field.attname for field in history.model._meta.fields if field.name != "history_id"
    ]
    copied = [name for name in history_fields if not name.startswith("history_")]

    def record(registration, history_type, when, user=None, reason=None):
        history.create(
            **{name: getattr(registration, name) for name in copied},
            history_type=history_type,
            history_date=when,
            history_user=user,
            history_change_reason=reason,
        )

    record(anna, "+", at(2025, 3, 2, 9, 0))
    record(anna, "~", at(2025, 4, 25, 9, 55), user=otto, reason="checked in")
    record(boris, "+", at(2025, 3, 3, 12, 0))
    record(clara, "+", at(2025, 3, 4, 18, 30))
    record(anonymised, "~", at(2025, 5, 25, 3, 0), reason="anonymised")
    # A registration deleted by an organiser keeps its history and its log entry, and its
    # id must never be handed out again: the log would then name someone else.
    deleted = register(
        guests, status="cancelled", name="Test", email="test@example.org", party_size=1
    )
    record(deleted, "+", at(2025, 3, 10, 8, 0), user=otto)
    record(deleted, "-", at(2025, 3, 10, 8, 5), user=otto)

    content_types = objects("contenttypes", "ContentType")
    log = objects("admin", "LogEntry")
    log.create(
        action_time=at(2025, 3, 21, 10, 0),
        user=otto,
        content_type=content_types.get(app_label="events", model="registration"),
        object_id=str(anna.pk),
        object_repr=f"{anna.booking_code} Anna Schmidt",
        action_flag=2,
        change_message='[{"changed": {"fields": ["Party size"]}}]',
    )
    log.create(
        action_time=at(2025, 3, 10, 8, 5),
        user=otto,
        content_type=content_types.get(app_label="events", model="registration"),
        object_id=str(deleted.pk),
        object_repr=f"{deleted.booking_code} Test",
        action_flag=3,
    )
    log.create(
        action_time=at(2025, 2, 1, 12, 0),
        user=otto,
        content_type=content_types.get(app_label="events", model="ceremony"),
        object_id=str(torgau.pk),
        object_repr="Elbe Day in Torgau (2025)",
        action_flag=1,
    )

    last_ids = {name: objects("events", name).order_by("pk").last().pk for name in MOVED}
    deleted.delete()
    return last_ids


def _rows(apps, db, moved_to):
    """Every row of the tables the upgrade touches, in id order, by model name."""
    models = [*STAYING, *((moved_to, name) for name in MOVED), *AUTH]
    rows = {
        name: list(apps.get_model(app, name).objects.using(db).order_by("pk").values())
        for app, name in models
    }
    rows["Permission"] = list(
        apps.get_model("auth", "Permission")
        .objects.using(db)
        .exclude(content_type__app_label__in=ADDED_SINCE)
        .exclude(content_type__model__in=PROTOCOL_MODELS)
        .exclude(content_type__app_label="memorials", content_type__model__in=CATALOGUE_MODELS)
        .order_by("pk")
        .values()
    )
    rows["Group"] = [row for row in rows["Group"] if row["name"] != PROTOCOL_ROLE]
    for app, name, field in THROUGH:
        through = apps.get_model(app, name)._meta.get_field(field).remote_field.through
        links = through.objects.using(db).order_by("pk")
        if through.__name__ == "Group_permissions":
            links = (
                links.exclude(group__name=PROTOCOL_ROLE)
                .exclude(permission__content_type__model__in=PROTOCOL_MODELS)
                .exclude(
                    permission__content_type__app_label="memorials",
                    permission__content_type__model__in=CATALOGUE_MODELS,
                )
            )
        rows[through.__name__] = list(links.values())
    return rows


def _permissions(queryset, owner, prefix):
    """{owner: {(permission id, app label, model, codename)}} of groups or users."""
    values = queryset.filter(**{f"{prefix}__isnull": False}).values_list(
        owner,
        f"{prefix}__id",
        f"{prefix}__content_type__app_label",
        f"{prefix}__content_type__model",
        f"{prefix}__codename",
    )
    permissions = {}
    for key, *permission in values:
        permissions.setdefault(key, set()).add(tuple(permission))
    return permissions


def _state(apps, db, moved_to):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return {
        "rows": _rows(apps, db, moved_to),
        "content_types": {
            pk: (app_label, model)
            for pk, app_label, model in ContentType.objects.using(db)
            .exclude(app_label__in=ADDED_SINCE)
            .exclude(model__in=PROTOCOL_MODELS)
            .exclude(app_label="memorials", model__in=CATALOGUE_MODELS)
            .values_list("pk", "app_label", "model")
        },
        "roles": _permissions(
            apps.get_model("auth", "Group").objects.using(db), "name", "permissions"
        ),
        "user_permissions": _permissions(
            apps.get_model("auth", "User").objects.using(db), "username", "user_permissions"
        ),
        "log": {
            object_repr: (app_label, model)
            for object_repr, app_label, model in apps.get_model("admin", "LogEntry")
            .objects.using(db)
            .values_list("object_repr", "content_type__app_label", "content_type__model")
        },
    }


def _insert_after(apps, db, before_rows):
    """One new row in each moved table, as the site would add them after the upgrade: the
    id each gets, or the error that stopped it."""
    model = {name: apps.get_model("registrations", name) for name in MOVED}
    ceremony = before_rows["Ceremony"][1]
    category = next(c for c in before_rows["SeatCategory"] if c["ceremony_id"] == ceremony["id"])
    new_ids = {}

    def insert(model_name, /, **fields):
        try:
            with transaction.atomic(using=db):
                new_ids[model_name] = model[model_name].objects.using(db).create(**fields).pk
        except DatabaseError as error:
            new_ids[model_name] = repr(error)

    insert(
        "Registration",
        ceremony_id=ceremony["id"],
        category_id=category["id"],
        status="confirmed",
        name="Erik Larsen",
        email="erik@example.org",
        party_size=1,
        consent_privacy_at=at(2025, 12, 1),
    )
    registration_id = new_ids["Registration"]
    if not isinstance(registration_id, int):
        # Still try the other tables, with a registration that is there.
        registration_id = before_rows["Registration"][0]["id"]
    insert("CheckIn", registration_id=registration_id, people=1)
    insert(
        "OutgoingEmail",
        registration_id=registration_id,
        kind="confirmation",
        to="erik@example.org",
        language="en",
        subject="Your registration",
        body_text="Hello",
    )
    insert(
        "HistoricalRegistration",
        **{
            key: value
            for key, value in before_rows["HistoricalRegistration"][0].items()
            if key != "history_id"
        },
    )
    return new_ids


@pytest.fixture(scope="module")
def upgrade(django_db_blocker, tmp_path_factory):
    """Migrate a new database to the previous release, fill it, upgrade it, and keep
    what it held before and after.

    Everything happens here, once for the module (migrating takes seconds), and the
    tests compare plain values. So no test needs the `django_db` mark: it would set up
    the test databases of the aliases configured when the run started (not this one) and
    wrap each test in a transaction on them or flush them after it, none of which this
    needs. Database access is unblocked here only, for this fixture."""
    with (
        django_db_blocker.unblock(),
        _fresh_database(tmp_path_factory) as db,
        _default_off_limits(),
    ):
        connection = connections[db]
        executor = MigrationExecutor(connection)
        targets = _previous_release_targets(executor.loader.graph)
        old_state = executor.loader.project_state(targets)
        plan = executor.migration_plan(targets)
        executor.migrate(targets, plan=plan)
        # What `migrate` did after the previous release's migrations: content types and
        # permissions of every model.
        emit_post_migrate_signal(0, False, db, apps=old_state.apps, plan=plan)
        last_ids = _fill(old_state.apps, db)
        before = _state(old_state.apps, db, "events")
        tables_before = set(connection.introspection.table_names())
        executor = MigrationExecutor(connection)
        leaf_nodes = executor.loader.graph.leaf_nodes()
        upgrade_plan = [
            (migration.app_label, migration.name)
            for migration, _backwards in executor.migration_plan(leaf_nodes)
        ]

        # The upgrade itself, as a site runs it, with the signals that follow.
        call_command("migrate", database=db, interactive=False, verbosity=0, stdout=io.StringIO())

        executor = MigrationExecutor(connection)
        assert executor.migration_plan(leaf_nodes) == []
        new_apps = executor.loader.project_state(leaf_nodes).apps
        after = _state(new_apps, db, "registrations")
        tables_after = set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            indexes_after = {
                table: set(connection.introspection.get_constraints(cursor, table))
                for table in NAMED_INDEXES
                if table in tables_after
            }
        new_ids = _insert_after(new_apps, db, before["rows"])
    return Upgrade(
        leaf_nodes=set(leaf_nodes),
        targets=targets,
        plan=upgrade_plan,
        tables_before=tables_before,
        tables_after=tables_after,
        indexes_after=indexes_after,
        before=before["rows"],
        after=after["rows"],
        content_types_before=before["content_types"],
        content_types_after=after["content_types"],
        roles_before=before["roles"],
        roles_after=after["roles"],
        user_permissions_before=before["user_permissions"],
        user_permissions_after=after["user_permissions"],
        log_before=before["log"],
        log_after=after["log"],
        last_ids=last_ids,
        new_ids=new_ids,
    )


def _moved(app_label, model):
    return "registrations" if app_label == "events" and model in MOVED_NAMES else app_label


def test_upgrade_starts_from_previous_release(upgrade):
    # Every app of today had migrations in the previous release, but `registrations`
    # (which the upgrade makes) and the third-party apps installed since.
    apps_then = {app for app, _name in upgrade.targets}
    apps_now = {app for app, _name in upgrade.leaf_nodes}
    assert apps_then == apps_now - {"registrations", *ADDED_SINCE}
    assert not set(upgrade.plan) & set(upgrade.targets)
    # The migrations that move registrations are what the upgrade applies, in order.
    assert [node for node in upgrade.plan if node in MOVING_MIGRATIONS] == MOVING_MIGRATIONS


def test_tables_after_upgrade_belong_to_registrations(upgrade):
    def tables(names):
        return {
            name: [table for table in sorted(names) if table.split("_", 1)[1:] == [name]]
            for name in MOVED_NAMES
        }

    assert tables(upgrade.tables_before) == {name: [f"events_{name}"] for name in MOVED_NAMES}
    assert tables(upgrade.tables_after) == {name: [f"registrations_{name}"] for name in MOVED_NAMES}
    assert {
        table: name in upgrade.indexes_after.get(table, set())
        for table, name in NAMED_INDEXES.items()
    } == dict.fromkeys(NAMED_INDEXES, True)


def test_rows_after_upgrade_are_all_there_field_by_field(upgrade):
    assert {name: len(rows) for name, rows in upgrade.after.items()} == {
        name: len(rows) for name, rows in upgrade.before.items()
    }
    # Fields added since then start empty or at their defaults: ceremonies gained a year
    # (see the next test), a waiting-list deadline and the protocol's settings, emails a
    # worker's claim (none held) and whose they are, registrations a phone number and
    # assistance, check-ins what a phone at the gate adds (none of them came from one);
    # everything else is exactly as it was, ids and foreign keys included.
    assistance = {"carers": {0}, "interpreter_language": {""}, "needs_transport": {False}}
    added = {
        "Ceremony": {
            "year": None,
            "waiting_list_promotion_deadline": {None},
            # The protocol: delegations by invitation only, no press, no transport.
            "delegation_requests": {"invitation"},
            "delegation_category_id": {None},
            "delegation_members_max": {5},
            "delegation_changes_until": {None},
            "ribbon_text_max_length": {80},
            "wreath_order_published": {False},
            "press_accreditation": {False},
            "press_category_id": {None},
            "wreath_programme_item_id": {None},
            "pickup_point": {""},
        },
        "OutgoingEmail": {
            "claim_token": {None},
            "claimed_at": {None},
            "delegation_id": {None},
            "delegation_invitation_id": {None},
            "press_accreditation_id": {None},
        },
        "Registration": {"phone": {""}, **assistance},
        "CheckIn": {
            "uncounted": {0},
            "conflict": {""},
            "device_id": {None},
            "client_id": {None},
            "received_at": {None},
        },
        "HistoricalRegistration": {"phone": {""}, **assistance},
    }
    after = dict(upgrade.after)
    for model, fields in added.items():
        assert {
            field: {row[field] for row in after[model]}
            for field, values in fields.items()
            if values is not None
        } == {field: values for field, values in fields.items() if values is not None}
        after[model] = [
            {key: value for key, value in row.items() if key not in fields} for row in after[model]
        ]
    assert after == upgrade.before


def test_ceremony_year_after_upgrade_is_year_at_venue(upgrade):
    new_york = next(row for row in upgrade.before["Ceremony"] if row["slug"].endswith("york-2024"))
    assert new_york["start"].astimezone(UTC).year == 2025
    assert {row["slug"]: row["year"] for row in upgrade.after["Ceremony"]} == {
        "elbe-day-torgau-2025": 2025,
        "elbe-day-new-york-2024": 2024,
    }


def test_roles_after_upgrade_hold_same_permissions(upgrade):
    # The roles as the previous release made them: the test starts from the real thing.
    assert {
        name: {(app, codename) for _id, app, _model, codename in permissions}
        for name, permissions in upgrade.roles_before.items()
    } == {name: set(permissions) for name, permissions in OLD_ROLES.items()}
    # The same permission rows, now under `registrations` for the models that moved (and
    # the protocol's, added since).
    assert {
        name: {
            permission
            for permission in perms
            if permission[2] not in PROTOCOL_MODELS
            and not (permission[1] == "memorials" and permission[2] in CATALOGUE_MODELS)
        }
        for name, perms in upgrade.roles_after.items()
        if name != PROTOCOL_ROLE
    } == {
        name: {(pk, _moved(app, model), model, codename) for pk, app, model, codename in perms}
        for name, perms in upgrade.roles_before.items()
    }
    # ... which is what the code now says the roles hold.
    assert {
        name: {(app, codename) for _id, app, _model, codename in permissions}
        for name, permissions in upgrade.roles_after.items()
    } == {name: set(permissions) for name, permissions in ROLES.items()}


def test_user_permission_after_upgrade_follows_its_model(upgrade):
    [(pk, *_rest)] = upgrade.user_permissions_before["gerd"]
    assert upgrade.user_permissions_before == {
        "gerd": {(pk, "events", "registration", "checkin_registration")}
    }
    assert upgrade.user_permissions_after == {
        "gerd": {(pk, "registrations", "registration", "checkin_registration")}
    }


def test_admin_log_after_upgrade_points_at_registrations(upgrade):
    assert upgrade.log_after == {
        object_repr: (_moved(app, model), model)
        for object_repr, (app, model) in upgrade.log_before.items()
    }
    assert sorted(upgrade.log_after.values()) == [
        ("events", "ceremony"),
        ("registrations", "registration"),
        ("registrations", "registration"),
    ]


def test_content_types_after_upgrade_moved_not_copied(upgrade):
    assert {
        (app, model) for app, model in upgrade.content_types_after.values() if app == "events"
    } == {("events", model) for model in ("series", "ceremony", "programmeitem", "seatcategory")}
    # Same ids: permissions and the log point at content types by id.
    assert upgrade.content_types_after == {
        pk: (_moved(app, model), model) for pk, (app, model) in upgrade.content_types_before.items()
    }


def test_ids_after_upgrade_keep_counting(upgrade):
    # A renamed table must keep its counter (PostgreSQL's identity sequence, SQLite's
    # sqlite_sequence): otherwise a new row collides with an old one, or takes the id of
    # the deleted registration that the admin's log still names.
    assert {
        name: "a new id" if isinstance(pk, int) and pk > upgrade.last_ids[name] else pk
        for name, pk in upgrade.new_ids.items()
    } == dict.fromkeys(MOVED, "a new id")
