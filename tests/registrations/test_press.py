import datetime
import io
from pathlib import Path

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.static import serve
from PIL import Image

from registrations import press
from registrations.models import Decision, OutgoingEmail, PressAccreditation, Registration
from registrations.services import RegistrationError
from tests.factories import (
    CeremonyFactory,
    PressAccreditationFactory,
    RegistrationFactory,
    SeatCategoryFactory,
)
from tests.helpers import ceremony_on, logged_in
from tests.images import exif_data, image_bytes, svg_bytes, truncated_jpeg, upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def ceremony():
    """A ceremony that accredits the press, with two press seats."""
    ceremony = CeremonyFactory(press_accreditation=True)
    SeatCategoryFactory(ceremony=ceremony, name_en="Public", capacity=50)
    ceremony.press_category = SeatCategoryFactory(
        ceremony=ceremony, name_en="Press", capacity=2, has_waiting_list=False
    )
    ceremony.save()
    return ceremony


@pytest.fixture
def protocol(db):
    from elbeday.roles import PROTOCOL
    from tests.factories import UserFactory

    return UserFactory(username="paula", is_staff=True, groups=[PROTOCOL])


def pdf_upload(data=PDF, name="letter.pdf"):
    return SimpleUploadedFile(name, data, "application/pdf")


def apply_data(**changes):
    data = {
        "name": "Jana Nowak",
        "outlet": "Torgauer Zeitung",
        "role": "photographer",
        "press_card_number": "",
        "email": "jana@example.org",
        "phone": "",
        "language": "de",
        "consent_privacy": "on",
        "website": "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def apply_url(ceremony):
    return reverse("registrations:press_apply", kwargs={"slug": ceremony.slug})


def staff_url(ceremony):
    return reverse("staff:press", kwargs={"slug": ceremony.slug})


# Applying


def test_apply_page_saves_the_application_with_a_pdf_letter(client, ceremony):
    response = client.post(apply_url(ceremony), {**apply_data(), "letter": pdf_upload()})

    accreditation = PressAccreditation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/de/press/{accreditation.manage_token}/"
    assert accreditation.status == Decision.WAITING
    assert (accreditation.name, accreditation.outlet, accreditation.role) == (
        "Jana Nowak",
        "Torgauer Zeitung",
        "photographer",
    )
    with accreditation.letter.open("rb") as file:
        assert file.read() == PDF


def test_apply_queues_the_received_email_with_the_manage_link_in_their_language(ceremony):
    accreditation = PressAccreditationFactory(ceremony=ceremony, language="ru")

    email = OutgoingEmail.objects.get()
    assert (email.kind, email.to, email.language, email.press_accreditation) == (
        OutgoingEmail.Kind.PRESS_RECEIVED,
        accreditation.email,
        "ru",
        accreditation,
    )
    assert f"/ru/press/{accreditation.manage_token}/" in email.body_text
    assert ceremony.title_ru in email.subject


def test_apply_needs_a_press_card_or_a_letter(client, ceremony):
    response = client.post(apply_url(ceremony), apply_data())

    assert response.status_code == 400
    assert "Please give your press card number or upload a letter" in response.text
    assert not PressAccreditation.objects.exists()


def test_apply_page_is_not_found_when_the_ceremony_takes_no_press(client):
    ceremony = CeremonyFactory(press_accreditation=False)

    assert client.get(apply_url(ceremony)).status_code == 404
    with pytest.raises(RegistrationError, match="does not accredit the press"):
        PressAccreditationFactory(ceremony=ceremony)


def test_apply_page_refuses_after_the_ceremony(client):
    start = timezone.now() - datetime.timedelta(days=2)
    ceremony = ceremony_on(start, press_accreditation=True)

    response = client.post(apply_url(ceremony), apply_data(press_card_number="123"))

    assert response.status_code == 403
    assert "This ceremony is over." in response.text
    assert not PressAccreditation.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("letter.txt", b"Dear organisers, please accredit her.", "text/plain"),
        ("letter.svg", svg_bytes(), "image/svg+xml"),
        ("letter.jpg", truncated_jpeg(), "image/jpeg"),
        ("letter.gif", image_bytes(fmt="GIF"), "image/gif"),
        ("letter.pdf", b"<html>%PDF-1.4</html>", "application/pdf"),
    ],
)
def test_apply_refuses_a_letter_that_is_no_pdf_or_sound_image(
    client, ceremony, name, data, content_type
):
    response = client.post(
        apply_url(ceremony),
        {**apply_data(), "letter": SimpleUploadedFile(name, data, content_type)},
    )

    assert response.status_code == 400
    assert "Please upload the letter as a PDF or as a JPEG, PNG or WebP image." in response.text
    assert not PressAccreditation.objects.exists()


def test_apply_refuses_a_letter_beyond_the_size_limit(client, ceremony, settings):
    settings.PRESS_DOCUMENT_MAX_BYTES = 1000

    response = client.post(
        apply_url(ceremony), {**apply_data(), "letter": pdf_upload(PDF + b" " * 1000)}
    )

    assert response.status_code == 400
    assert "a letter may be at most 1000\xa0bytes" in response.text
    assert not PressAccreditation.objects.exists()


def test_apply_service_checks_the_letter_too(ceremony):
    accreditation = PressAccreditation(
        ceremony=ceremony,
        name="Jana Nowak",
        outlet="Torgauer Zeitung",
        role="writer",
        email="jana@example.org",
        letter=SimpleUploadedFile("x.txt", b"not a letter"),
    )

    with pytest.raises(ValidationError) as caught:
        press.accreditation_apply(accreditation=accreditation)

    assert caught.value.message_dict == {
        "letter": ["Please upload the letter as a PDF or as a JPEG, PNG or WebP image."]
    }


def test_apply_that_fails_to_save_leaves_no_letter_behind(ceremony, settings, monkeypatch):
    # The letter is written before the transaction (the storage may be remote); a row
    # that is then not saved takes its file with it.
    def failing_email(*args, **kwargs):
        raise DatabaseError("the outbox is unavailable")

    monkeypatch.setattr(press, "_queue_email", failing_email)
    accreditation = PressAccreditation(
        ceremony=ceremony,
        name="Jana Nowak",
        outlet="Torgauer Zeitung",
        role="writer",
        email="jana@example.org",
        letter=pdf_upload(),
    )

    with pytest.raises(DatabaseError):
        press.accreditation_apply(accreditation=accreditation)

    assert PressAccreditation.objects.count() == 0
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    assert [path for path in private.rglob("*") if path.is_file()] == []


def test_apply_stores_an_image_letter_without_its_metadata(client, ceremony):
    photo = upload("letter.jpg", exif=exif_data(gps=True))
    with Image.open(io.BytesIO(photo.read())) as original:
        assert original.getexif()
    photo.seek(0)

    client.post(apply_url(ceremony), {**apply_data(), "letter": photo})

    accreditation = PressAccreditation.objects.get()
    with accreditation.letter.open("rb") as file, Image.open(file) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()


def test_apply_form_is_rate_limited_per_network(client, ceremony, settings):
    settings.REGISTRATION_RATE_PER_IP = "2/h"
    statuses = [
        client.post(
            apply_url(ceremony),
            apply_data(email=f"j{number}@example.org", press_card_number="1"),
        ).status_code
        for number in range(3)
    ]

    assert statuses == [302, 302, 429]
    assert PressAccreditation.objects.count() == 2


# The letter is private


def test_letter_is_stored_outside_the_public_media(ceremony, settings):
    accreditation = PressAccreditationFactory(ceremony=ceremony, letter=pdf_upload())

    path = Path(accreditation.letter.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="no URL"):
        _ = accreditation.letter.url
    # What SERVE_MEDIA serves (django.views.static.serve from MEDIA_ROOT) cannot reach it.
    request = RequestFactory().get(settings.MEDIA_URL + accreditation.letter.name)
    with pytest.raises(Http404):
        serve(request, accreditation.letter.name, document_root=settings.MEDIA_ROOT)


def test_letter_is_not_found_under_the_media_url(client, ceremony, settings):
    accreditation = PressAccreditationFactory(ceremony=ceremony, letter=pdf_upload())

    response = client.get(settings.MEDIA_URL + accreditation.letter.name)

    assert response.status_code == 404


def test_letter_download_is_an_attachment_for_protocol_staff(ceremony, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony, letter=pdf_upload())

    response = logged_in(protocol).get(reverse("staff:press_letter", args=[accreditation.pk]))

    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="press-letter-{accreditation.pk}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_letter_download_needs_the_protocol_permission(ceremony, volunteer, editor):
    accreditation = PressAccreditationFactory(ceremony=ceremony, letter=pdf_upload())
    url = reverse("staff:press_letter", args=[accreditation.pk])

    assert logged_in(volunteer).get(url).status_code == 403
    assert logged_in(editor).get(url).status_code == 403
    anonymous = logged_in(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == redirect_to_login(url)["Location"]


# Deciding


def test_approve_gives_a_confirmed_press_seat_and_emails_the_badge(ceremony, protocol):
    accreditation = PressAccreditationFactory(
        ceremony=ceremony, name="Jana Nowak", phone="0351 123456", language="de"
    )

    press.accreditation_decide(
        accreditation=accreditation, status="approved", note="Bitte um 10 Uhr.", by=protocol
    )

    accreditation.refresh_from_db()
    registration = accreditation.registration
    assert accreditation.status == Decision.APPROVED
    assert (
        registration.status,
        registration.category,
        registration.party_size,
        registration.name,
        registration.email,
        registration.phone,
    ) == (
        Registration.Status.CONFIRMED,
        ceremony.press_category,
        1,
        "Jana Nowak",
        accreditation.email,
        "0351 123456",
    )
    ceremony.press_category.refresh_from_db()
    assert ceremony.press_category.seats_taken == 1
    decision = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.PRESS_DECISION)
    assert decision.language == "de"
    assert f"/de/tickets/{registration.ticket_token}/" in decision.body_text
    assert "Bitte um 10 Uhr." in decision.body_text
    # One email about it, not the registration's own confirmation as well.
    assert list(OutgoingEmail.objects.values_list("kind", flat=True).order_by("pk")) == [
        OutgoingEmail.Kind.PRESS_RECEIVED,
        OutgoingEmail.Kind.PRESS_DECISION,
    ]
    assert accreditation.history.first().history_user == protocol


def test_approve_is_refused_without_a_press_category(protocol):
    ceremony = CeremonyFactory(press_accreditation=True)
    accreditation = PressAccreditationFactory(ceremony=ceremony)

    with pytest.raises(RegistrationError, match="Choose the seat category for the press"):
        press.accreditation_decide(accreditation=accreditation, status="approved", by=protocol)

    accreditation.refresh_from_db()
    assert accreditation.status == Decision.WAITING


def test_approve_is_refused_when_the_press_seats_are_taken(ceremony, protocol):
    first, second, third = PressAccreditationFactory.create_batch(3, ceremony=ceremony)
    ceremony.press_category.has_waiting_list = True
    ceremony.press_category.save()
    for accreditation in (first, second):
        press.accreditation_decide(accreditation=accreditation, status="approved", by=protocol)

    with pytest.raises(RegistrationError, match="No seat is free in “Press”"):
        press.accreditation_decide(accreditation=third, status="approved", by=protocol)

    third.refresh_from_db()
    assert (third.status, third.registration) == (Decision.WAITING, None)
    assert Registration.objects.filter(category=ceremony.press_category).count() == 2


def test_decline_after_approval_gives_the_seat_back(ceremony, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony)
    press.accreditation_decide(accreditation=accreditation, status="approved", by=protocol)

    press.accreditation_decide(
        accreditation=accreditation, status="declined", note="Kein Platz.", by=protocol
    )

    accreditation.refresh_from_db()
    ceremony.press_category.refresh_from_db()
    assert accreditation.status == Decision.DECLINED
    assert accreditation.registration.status == Registration.Status.CANCELLED
    assert ceremony.press_category.seats_taken == 0
    last = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.PRESS_DECISION).first()
    assert "declined" in last.body_text
    assert "Kein Platz." in last.body_text
    assert not OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.CANCELLATION).exists()


def test_staff_page_decides_and_shows_the_result(ceremony, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony, name="Jana Nowak")
    client = logged_in(protocol)

    response = client.post(
        reverse("staff:press_decide", args=[ceremony.slug, accreditation.pk]),
        {f"a{accreditation.pk}-status": "approved", f"a{accreditation.pk}-note": ""},
        follow=True,
    )

    accreditation.refresh_from_db()
    assert accreditation.status == Decision.APPROVED
    assert "Jana Nowak: approved." in response.text
    assert accreditation.registration.booking_code_display in response.text


def test_staff_page_shows_why_an_approval_is_refused(protocol):
    ceremony = CeremonyFactory(press_accreditation=True)
    accreditation = PressAccreditationFactory(ceremony=ceremony, name="Jana Nowak")

    response = logged_in(protocol).post(
        reverse("staff:press_decide", args=[ceremony.slug, accreditation.pk]),
        {f"a{accreditation.pk}-status": "approved"},
        follow=True,
    )

    assert "Jana Nowak: Choose the seat category for the press in the ceremony first." in (
        response.text
    )


def test_staff_pages_need_the_protocol_permission(ceremony, volunteer, organiser, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony)
    decide = reverse("staff:press_decide", args=[ceremony.slug, accreditation.pk])
    export = reverse("staff:press_export", args=[ceremony.slug]) + "?file_format=csv"

    for url in (staff_url(ceremony), export):
        assert logged_in(volunteer).get(url).status_code == 403
        assert logged_in(organiser).get(url).status_code == 200
        assert logged_in(protocol).get(url).status_code == 200
    assert logged_in(volunteer).post(decide, {}).status_code == 403
    accreditation.refresh_from_db()
    assert accreditation.status == Decision.WAITING


# The journalist's own page


def test_manage_page_shows_the_badge_link_once_approved(client, ceremony, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony)
    url = press.manage_path(accreditation)
    assert "Your application is waiting for a decision." in client.get(url).text

    press.accreditation_decide(accreditation=accreditation, status="approved", by=protocol)
    response = client.get(url)

    accreditation.refresh_from_db()
    assert "Your accreditation is approved." in response.text
    assert accreditation.registration.get_ticket_url() in response.text
    assert "no-store" in response["Cache-Control"]


def test_withdraw_gives_the_seat_back(client, ceremony, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony)
    press.accreditation_decide(accreditation=accreditation, status="approved", by=protocol)

    response = client.post(
        reverse("registrations:press_withdraw", args=[accreditation.manage_token]),
        {"confirm": "yes"},
        follow=True,
    )

    accreditation.refresh_from_db()
    ceremony.press_category.refresh_from_db()
    assert "Your application has been withdrawn." in response.text
    assert accreditation.status == Decision.WITHDRAWN
    assert accreditation.registration.status == Registration.Status.CANCELLED
    assert ceremony.press_category.seats_taken == 0
    with pytest.raises(RegistrationError, match="withdrawn"):
        press.accreditation_decide(accreditation=accreditation, status="approved", by=protocol)


def test_manage_page_of_an_unknown_token_is_not_found(client):
    assert client.get("/en/press/nonsense/").status_code == 404


# The badge


def test_ticket_of_an_approved_journalist_says_press_and_the_outlet(client, ceremony, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony, outlet="Torgauer Zeitung")
    press.accreditation_decide(accreditation=accreditation, status="approved", by=protocol)
    accreditation.refresh_from_db()

    response = client.get(accreditation.registration.get_ticket_url())

    assert response.status_code == 200
    assert "PRESS · Torgauer Zeitung" in response.text


def test_ticket_of_anyone_else_says_no_press(client, ceremony):
    registration = RegistrationFactory(category=ceremony.categories.get(name_en="Public"))

    response = client.get(registration.get_ticket_url())

    assert "PRESS" not in response.text


def test_ceremony_page_links_to_the_application(client, ceremony):
    response = client.get(ceremony.get_absolute_url())

    assert apply_url(ceremony) in response.text


# Export and dashboard


def test_export_is_formula_safe(ceremony, protocol):
    PressAccreditationFactory(
        ceremony=ceremony, name="Jana Nowak", outlet='=HYPERLINK("http://evil.example","x")'
    )

    response = logged_in(protocol).get(
        reverse("staff:press_export", args=[ceremony.slug]) + "?file_format=csv&delimiter=,"
    )

    text = response.content.decode("utf-8-sig")
    assert response["Content-Disposition"] == f'attachment; filename="{ceremony.slug}-press.csv"'
    assert '"Jana Nowak","\'=HYPERLINK(""http://evil.example"",""x"")"' in text


def test_export_xlsx_keeps_text_as_text(ceremony, protocol):
    from openpyxl import load_workbook

    PressAccreditationFactory(ceremony=ceremony, name="=1+1", outlet="Example Gazette")

    response = logged_in(protocol).get(
        reverse("staff:press_export", args=[ceremony.slug]) + "?file_format=xlsx"
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]][:2] == ["=1+1", "Example Gazette"]
    assert sheet["A2"].data_type == "s"


def test_dashboard_counts_the_press_apart(ceremony, organiser):
    first, _second, _third = PressAccreditationFactory.create_batch(3, ceremony=ceremony)
    press.accreditation_decide(accreditation=first, status="approved", by=organiser)

    response = logged_in(organiser).get(reverse("staff:dashboard"))

    assert "1 accredited, 2 waiting for a decision" in response.text


# Anonymisation


def test_anonymise_clears_the_data_and_deletes_the_letter(
    settings, django_capture_on_commit_callbacks
):
    settings.ANONYMISE_AFTER_DAYS = 30
    start = timezone.now() - datetime.timedelta(days=40)
    ceremony = ceremony_on(start, press_accreditation=True)
    accreditation = PressAccreditationFactory.build(
        ceremony=ceremony,
        name="Jana Nowak",
        outlet="Torgauer Zeitung",
        email="jana@example.org",
        phone="0351 123456",
        press_card_number="DJV-12345",
        letter=pdf_upload(),
    )
    # Applied while the ceremony was ahead.
    accreditation = press.accreditation_apply(
        accreditation=accreditation, now=start - datetime.timedelta(days=5)
    )
    stored = Path(accreditation.letter.path)
    assert stored.exists()

    # The file goes once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("anonymise_registrations", stdout=io.StringIO())

    accreditation.refresh_from_db()
    assert not stored.exists()
    assert (
        accreditation.name,
        accreditation.outlet,
        accreditation.phone,
        accreditation.press_card_number,
        accreditation.letter.name,
    ) == ("", "", "", "", "")
    assert accreditation.email.endswith("@invalid")
    assert accreditation.anonymised_at is not None
    assert not accreditation.history.filter(name="Jana Nowak").exists()
    assert not OutgoingEmail.objects.filter(body_text__contains="Jana Nowak").exists()


def test_anonymise_leaves_upcoming_ceremonies_alone(ceremony):
    accreditation = PressAccreditationFactory(ceremony=ceremony, name="Jana Nowak")

    assert press.accreditations_anonymise(after_days=0) == 0

    accreditation.refresh_from_db()
    assert accreditation.name == "Jana Nowak"


# Queries

# The session, the user, its permissions (two), the ceremony, the applications with their
# registrations: none per application.
PRESS_PAGE_QUERIES = 6


@pytest.mark.parametrize("count", [5, 200])
def test_staff_press_page_makes_a_fixed_number_of_queries(
    ceremony, protocol, django_assert_max_num_queries, count
):
    ceremony.press_category.capacity = 300
    ceremony.press_category.save()
    accreditations = PressAccreditationFactory.create_batch(count, ceremony=ceremony)
    for accreditation in accreditations[::2]:
        press.accreditation_decide(accreditation=accreditation, status="approved", by=protocol)
    client = logged_in(protocol)

    with django_assert_max_num_queries(PRESS_PAGE_QUERIES):
        response = client.get(staff_url(ceremony))

    assert response.status_code == 200
    assert response.text.count('class="press-row"') == count


@pytest.mark.parametrize("count", [5, 200])
def test_press_export_makes_a_fixed_number_of_queries(
    ceremony, protocol, django_assert_max_num_queries, count
):
    PressAccreditationFactory.create_batch(count, ceremony=ceremony)
    client = logged_in(protocol)

    with django_assert_max_num_queries(PRESS_PAGE_QUERIES):
        response = client.get(
            reverse("staff:press_export", args=[ceremony.slug]) + "?file_format=csv"
        )

    assert response.content.decode("utf-8-sig").count("\n") == count + 1
