import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse, set_script_prefix
from django.utils import timezone, translation

from registrations import services
from registrations.models import BOOKING_CODE_ALPHABET, Registration, new_booking_code
from tests.factories import RegistrationFactory, SeatCategoryFactory

pytestmark = pytest.mark.django_db


def _stored_registration(category, email, status=Registration.Status.CONFIRMED):
    """A row written without the service, to reach the database constraint itself."""
    return Registration.objects.create(
        ceremony=category.ceremony,
        category=category,
        status=status,
        name="Anna",
        email=email,
        party_size=1,
        consent_privacy_at=timezone.now(),
    )


def test_same_email_twice_for_a_ceremony_is_refused_by_the_database():
    category = SeatCategoryFactory()
    first = _stored_registration(category, "A@x.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        _stored_registration(category, "a@x.org", status=Registration.Status.WAITING)

    assert list(Registration.objects.all()) == [first]


def test_same_email_for_another_ceremony_is_allowed():
    first = _stored_registration(SeatCategoryFactory(), "a@x.org")
    second = _stored_registration(SeatCategoryFactory(), "a@x.org")

    assert set(Registration.objects.all()) == {first, second}


def test_cancelled_registration_does_not_block_the_email():
    category = SeatCategoryFactory()
    cancelled = _stored_registration(category, "a@x.org", status=Registration.Status.CANCELLED)
    again = _stored_registration(category, "A@X.org")

    assert set(Registration.objects.all()) == {cancelled, again}


def test_registering_again_after_cancelling_is_allowed():
    category = SeatCategoryFactory()
    first = RegistrationFactory(category=category, email="a@x.org")
    services.registration_cancel(registration=first)

    again = RegistrationFactory(category=category, email="A@x.org")

    assert list(Registration.objects.active()) == [again]
    assert again.status == Registration.Status.CONFIRMED


def test_booking_codes_have_eight_characters_from_the_alphabet():
    category = SeatCategoryFactory(capacity=40, max_party_size=1)
    codes = [RegistrationFactory(category=category).booking_code for _ in range(30)]

    assert {len(code) for code in codes} == {8}
    assert set("".join(codes)) <= set(BOOKING_CODE_ALPHABET)
    assert not set("0O1I") & set(BOOKING_CODE_ALPHABET)
    assert len(set(codes)) == len(codes)


def test_booking_code_is_shown_in_two_halves():
    registration = RegistrationFactory()

    code = registration.booking_code
    assert registration.booking_code_display == f"{code[:4]}-{code[4:]}"


@pytest.mark.parametrize(
    ("token_name", "salt"),
    [("manage_token", "registration-manage"), ("ticket_token", "registration-ticket")],
)
def test_token_finds_its_registration(token_name, salt):
    registration = RegistrationFactory()
    RegistrationFactory(category=registration.category)

    assert Registration.from_token(getattr(registration, token_name), salt=salt) == registration


@pytest.mark.parametrize(
    ("token_name", "salt"),
    [("manage_token", "registration-manage"), ("ticket_token", "registration-ticket")],
)
def test_tampered_token_finds_nothing(token_name, salt):
    registration = RegistrationFactory()
    token = getattr(registration, token_name)
    value, signature = token.split(":")
    other = RegistrationFactory(category=registration.category)

    tampered = [
        f"{other.public_id.hex}:{signature}",
        f"{value[:-1]}{'0' if value[-1] != '0' else '1'}:{signature}",
        f"{value}:{signature[:-2]}",
        value,
        "",
        "not-a-token",
    ]

    assert [Registration.from_token(token, salt=salt) for token in tampered] == [None] * 6


def test_token_of_the_other_salt_finds_nothing():
    registration = RegistrationFactory()

    assert Registration.from_token(registration.ticket_token, salt="registration-manage") is None
    assert Registration.from_token(registration.manage_token, salt="registration-ticket") is None


def test_tokens_reveal_neither_the_id_nor_the_booking_code():
    registration = RegistrationFactory()

    for token in (registration.manage_token, registration.ticket_token):
        assert registration.booking_code not in token
        assert token.split(":")[0] == registration.public_id.hex
    assert registration.manage_token != registration.ticket_token


def test_waiting_position_counts_in_order_of_arrival():
    category = SeatCategoryFactory(capacity=0)
    first, second, third = (RegistrationFactory(category=category) for _ in range(3))

    assert [r.waiting_position for r in (first, second, third)] == [1, 2, 3]


def test_needs_lists_the_ticked_needs():
    registration = RegistrationFactory(
        needs_wheelchair_space=True, needs_hearing_loop=True, needs_note="x"
    )

    with translation.override("en"):
        assert registration.needs == ["wheelchair space", "hearing loop"]


def test_booking_codes_draw_every_character_of_the_alphabet():
    # Each character comes from a random byte modulo 32: the alphabet must have 32
    # different characters, and every one of them must turn up.
    codes = "".join(new_booking_code() for _ in range(1000))

    assert len(set(BOOKING_CODE_ALPHABET)) == len(BOOKING_CODE_ALPHABET) == 32
    assert set(codes) == set(BOOKING_CODE_ALPHABET)


@pytest.mark.parametrize("language", ["en", "de", "ru"])
@pytest.mark.parametrize("script_prefix", ["/", "/elbe-day/", "/0token0/"])
def test_booking_address_is_the_one_django_reverses(language, script_prefix):
    registration = RegistrationFactory()

    with translation.override(language):
        set_script_prefix(script_prefix)
        try:
            address = registration.get_manage_url()
            expected = reverse("registrations:manage", kwargs={"token": registration.manage_token})
        finally:
            set_script_prefix("/")

    assert address == expected
    assert address.startswith(f"{script_prefix}{language}/registrations/")
