import datetime
import io
from functools import reduce
from operator import or_

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import Q
from django.utils import timezone

from registrations import services
from registrations.models import OutgoingEmail, Registration
from staff import dashboard
from tests.factories import RegistrationFactory, SeatCategoryFactory
from tests.helpers import admin_change, ceremony_on, logged_in, registration_time

pytestmark = pytest.mark.django_db

PERSONAL = {
    "Сильвашко Александр": "sasha.silvashko@example.org",
    "Jürgen Müßig": "juergen.muessig@example.org",
    "Greta Berger": "greta.berger@example.org",
    "Carl Weiß": "carl.weiss@example.org",
}
FREE_TEXTS = ["Ольга Сильвашко", "Needs a ramp from Elbstraße"]
PHONES = ["+7 495 123-45-67", "03421 98765"]


def leftovers(needles):
    """Every text value in the database that contains one of `needles`, as
    (model, field, value)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField):
                continue
            query = reduce(or_, (Q(**{f"{field.name}__contains": needle}) for needle in needles))
            found += [
                (model._meta.label, field.name, value)
                for value in model._base_manager.filter(query).values_list(field.name, flat=True)
            ]
    return found


@pytest.fixture
def old_ceremony(settings, organiser):
    """A ceremony that ended 40 days ago, with confirmed, checked-in, waiting and cancelled
    registrants, emails sent, failed and queued, and a name corrected in the admin."""
    settings.ANONYMISE_AFTER_DAYS = 30
    ceremony = ceremony_on(timezone.now() - datetime.timedelta(days=40, hours=3))
    category = SeatCategoryFactory(ceremony=ceremony, capacity=5)
    when = registration_time(ceremony)
    sasha = RegistrationFactory(
        category=category,
        name="Сильвашко Александр",
        email=PERSONAL["Сильвашко Александр"],
        phone=PHONES[0],
        party_size=2,
        guest_names="Ольга Сильвашко",
        country="RU",
        language="ru",
        needs_wheelchair_space=True,
        needs_note="Needs a ramp from Elbstraße",
        now=when,
    )
    juergen = RegistrationFactory(
        category=category,
        name="Jurgen Mussig",
        email=PERSONAL["Jürgen Müßig"],
        phone=PHONES[1],
        party_size=3,
        country="DE",
        language="de",
        now=when,
    )
    RegistrationFactory(
        category=category, name="Greta Berger", email=PERSONAL["Greta Berger"], now=when
    )
    carl = RegistrationFactory(
        category=category, name="Carl Weiß", email=PERSONAL["Carl Weiß"], now=when
    )
    services.registration_cancel(registration=carl, now=when)
    response = admin_change(
        logged_in(organiser),
        f"/en/admin/registrations/registration/{juergen.pk}/change/",
        name="Jürgen Müßig",
    )
    assert response.status_code == 302
    services.checkin_record(registration=sasha, people=2, now=ceremony.start)
    services.checkin_record(registration=juergen, people=1, now=ceremony.start)
    OutgoingEmail.objects.filter(registration=sasha).update(status=OutgoingEmail.Status.SENT)
    OutgoingEmail.objects.filter(registration=juergen).update(
        status=OutgoingEmail.Status.FAILED,
        last_error=f"SMTPRecipientsRefused: {{'{PERSONAL['Jürgen Müßig']}': (550, b'Unknown')}}",
    )
    return ceremony


@pytest.fixture
def recent_registration():
    """A registrant of a ceremony that ended ten days ago."""
    ceremony = ceremony_on(timezone.now() - datetime.timedelta(days=10))
    return RegistrationFactory(
        category=SeatCategoryFactory(ceremony=ceremony),
        name="Anna Schmidt",
        email="anna.schmidt@example.org",
        guest_names="Paul Schmidt",
        now=registration_time(ceremony),
    )


def anonymise():
    out = io.StringIO()
    call_command("anonymise_registrations", stdout=out)
    return out.getvalue()


def numbers(ceremony):
    """What the dashboard counts for `ceremony`, seen while it was coming up."""
    (item,) = [
        item
        for item in dashboard.upcoming_overview(now=ceremony.start - datetime.timedelta(days=1))
        if item["ceremony"] == ceremony
    ]
    return {
        "attendance": [(chart.title, chart.rows) for chart in dashboard.attendance_by_year()],
        # The free-text note about needs is personal and goes, so its count ("other")
        # does; the ticked needs stay.
        "needs": [(str(label), count) for label, count in item["needs"] if label != "other needs"],
        "languages": item["languages"],
        "countries": item["countries"],
        "seats": [
            (row["category"].seats_taken, row["waiting_parties"], row["waiting_people"])
            for row in item["categories"]
        ],
        "registrations": list(
            ceremony.registrations.order_by("pk").values_list(
                "status",
                "party_size",
                "checked_in",
                "country",
                "language",
                "needs_wheelchair_space",
                "category",
            )
        ),
    }


def everything():
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in (Registration, Registration.history.model, OutgoingEmail)
    }


def test_anonymise_leaves_no_name_or_email_of_past_registrants(old_ceremony):
    needles = [*PERSONAL, *PERSONAL.values(), "Jurgen Mussig", *FREE_TEXTS, *PHONES]
    assert leftovers(needles) != []

    output = anonymise()

    assert output == (
        "Registrations anonymised: 4.\n"
        "Delegations anonymised: 0.\n"
        "Press accreditations anonymised: 0.\n"
        "Corrections and photos from the public anonymised: 0.\n"
    )
    assert leftovers(needles) == []
    emails = OutgoingEmail.objects.filter(registration__ceremony=old_ceremony)
    assert sorted(emails.values_list("status", "subject", "body_text", "attachments")) == [
        ("failed", "", "", []),
        ("sent", "", "", []),
    ]


def test_anonymise_keeps_the_dashboards_numbers(old_ceremony):
    before = numbers(old_ceremony)

    anonymise()

    year = str(timezone.localtime(old_ceremony.start).year)
    assert numbers(old_ceremony) == before
    assert before["attendance"] == [("Elbe Day: attendance year by year", [(year, [5, 3])])]
    assert before["needs"] == [
        ("wheelchair space", 1),
        ("step-free route", 0),
        ("hearing loop", 0),
        ("a seat", 0),
    ]
    assert (before["languages"], before["countries"]) == (
        [("de", 3), ("ru", 2), ("en", 1)],
        [("Germany", 3), ("Russia", 2), ("not given", 1)],
    )


def test_anonymise_leaves_recent_ceremonies_alone(old_ceremony, recent_registration):
    upcoming = RegistrationFactory(name="Brian O'Neill", email="brian@example.org")
    untouched = [recent_registration, upcoming]

    def state():
        return {
            "registrations": list(
                Registration.objects.filter(pk__in=[r.pk for r in untouched])
                .order_by("pk")
                .values()
            ),
            "history": list(
                Registration.history.filter(id__in=[r.pk for r in untouched])
                .order_by("history_id")
                .values()
            ),
            "emails": list(
                OutgoingEmail.objects.filter(registration__in=untouched).order_by("pk").values()
            ),
        }

    before = state()

    anonymise()

    assert state() == before
    assert [r["name"] for r in before["registrations"]] == ["Anna Schmidt", "Brian O'Neill"]


def test_anonymise_twice_changes_nothing_more(old_ceremony, recent_registration):
    anonymise()
    before = everything()

    output = anonymise()

    assert output == (
        "Registrations anonymised: 0.\n"
        "Delegations anonymised: 0.\n"
        "Press accreditations anonymised: 0.\n"
        "Corrections and photos from the public anonymised: 0.\n"
    )
    assert everything() == before


def test_registrant_erasing_their_data_removes_it_at_once(client):
    category = SeatCategoryFactory(capacity=2)
    brian = RegistrationFactory(
        category=category,
        name="Brian O'Neill",
        email="brian.oneill@example.org",
        phone="+353 1 234 5678",
        party_size=2,
        guest_names="Siobhán O'Neill",
        needs_note="Hearing aid",
    )
    waiting = RegistrationFactory(category=category, name="Zoë Adams", party_size=2)
    OutgoingEmail.objects.filter(registration=brian).update(status=OutgoingEmail.Status.SENT)
    manage_url = brian.get_manage_url()

    unconfirmed = client.post(f"{manage_url}erase/", {})
    kept = leftovers(["Brian O'Neill"])
    response = client.post(f"{manage_url}erase/", {"confirm": "yes"})

    brian.refresh_from_db()
    waiting.refresh_from_db()
    assert (unconfirmed.status_code, unconfirmed["Location"]) == (302, manage_url)
    assert kept != []
    assert response.status_code == 200
    assert (
        leftovers(
            [
                "Brian O'Neill",
                "brian.oneill@example.org",
                "+353 1 234 5678",
                "Siobhán O'Neill",
                "Hearing aid",
            ]
        )
        == []
    )
    assert (brian.status, brian.party_size, brian.anonymised_at is not None) == (
        "cancelled",
        2,
        True,
    )
    assert waiting.status == "confirmed"
    assert client.get(manage_url).status_code == 404
