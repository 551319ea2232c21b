import datetime
import uuid

import pytest
from django.utils import timezone, translation

from events.models import Ceremony
from events.services import category_set_capacity
from registrations import services
from registrations.models import OutgoingEmail, Registration
from tests import factories
from tests.factories import CeremonyFactory, SeatCategoryFactory

pytestmark = pytest.mark.django_db


def register(category, **kwargs):
    defaults = {
        "name": "Anna Schmidt",
        "email": "anna@example.org",
        "party_size": 1,
        "language": "en",
    }
    return factories.register(category=category, **{**defaults, **kwargs})


def statuses(category):
    """(name, status, party size) of every registration of the category, oldest first."""
    return list(
        Registration.objects.filter(category=category)
        .order_by("created_at", "pk")
        .values_list("name", "status", "party_size")
    )


def seats(category):
    category.refresh_from_db()
    return (category.capacity, category.seats_taken)


def refresh(*registrations):
    for registration in registrations:
        registration.refresh_from_db()
    return registrations


def email_kinds():
    return sorted(OutgoingEmail.objects.values_list("to", "kind"))


def error_of(call):
    with pytest.raises(services.RegistrationError) as caught:
        call()
    return caught.value


def test_registration_confirmed_while_seats_are_free():
    category = SeatCategoryFactory(capacity=10)

    result = register(category, party_size=3)

    assert result.created is True
    assert (result.registration.status, result.registration.waiting_position) == (
        "confirmed",
        None,
    )
    assert seats(category) == (10, 3)
    assert email_kinds() == [("anna@example.org", "confirmation")]


def test_registration_counts_the_whole_party():
    category = SeatCategoryFactory(capacity=5)

    register(category, name="A", email="a@example.org", party_size=3)
    register(category, name="B", email="b@example.org", party_size=2)
    register(category, name="C", email="c@example.org", party_size=1)

    assert statuses(category) == [("A", "confirmed", 3), ("B", "confirmed", 2), ("C", "waiting", 1)]
    assert seats(category) == (5, 5)


def test_party_larger_than_the_free_seats_waits_while_a_smaller_one_gets_in():
    category = SeatCategoryFactory(capacity=4)
    register(category, name="A", email="a@example.org", party_size=3)

    register(category, name="B", email="b@example.org", party_size=2)
    register(category, name="C", email="c@example.org", party_size=1)

    assert statuses(category) == [("A", "confirmed", 3), ("B", "waiting", 2), ("C", "confirmed", 1)]
    assert seats(category) == (4, 4)


def test_full_category_puts_people_on_the_waiting_list_in_order():
    category = SeatCategoryFactory(capacity=2)
    register(category, name="Seated", email="seated@example.org", party_size=2)

    waiting = [
        register(category, name=f"W{n}", email=f"w{n}@example.org").registration for n in (1, 2, 3)
    ]

    assert [(r.status, r.waiting_position) for r in waiting] == [
        ("waiting", 1),
        ("waiting", 2),
        ("waiting", 3),
    ]
    assert seats(category) == (2, 2)
    assert email_kinds() == [
        ("seated@example.org", "confirmation"),
        ("w1@example.org", "waiting_list"),
        ("w2@example.org", "waiting_list"),
        ("w3@example.org", "waiting_list"),
    ]


def test_full_category_without_waiting_list_refuses():
    category = SeatCategoryFactory(capacity=1, has_waiting_list=False)
    register(category, email="first@example.org")

    error = error_of(lambda: register(category, email="second@example.org"))

    assert (error.code, error.field, str(error.message)) == (
        "full",
        "category",
        "This category is fully booked.",
    )
    assert Registration.objects.count() == 1
    assert email_kinds() == [("first@example.org", "confirmation")]


@pytest.mark.parametrize("code", ["", "WRONG", "delegation"])
def test_wrong_invitation_code_is_refused(code):
    category = SeatCategoryFactory(invitation_code="DELEGATION")

    error = error_of(lambda: register(category, invitation_code=code))

    assert (error.code, error.field) == ("invitation_code", "invitation_code")
    assert list(Registration.objects.all()) == []


def test_right_invitation_code_is_accepted_with_spaces_around():
    category = SeatCategoryFactory(invitation_code="DELEGATION")

    result = register(category, invitation_code=" DELEGATION ")

    assert result.registration.status == "confirmed"


@pytest.mark.parametrize(
    ("party_size", "code", "message"),
    [
        (0, "party_too_small", "A party has at least one person."),
        (-1, "party_too_small", "A party has at least one person."),
        (5, "party_too_large", "At most 4 people can register together in this category."),
    ],
)
def test_party_size_outside_the_limits_is_refused(party_size, code, message):
    category = SeatCategoryFactory(max_party_size=4)

    error = error_of(lambda: register(category, party_size=party_size))

    assert (error.code, error.field, str(error.message)) == (code, "party_size", message)
    assert list(Registration.objects.all()) == []
    assert seats(category) == (10, 0)


def test_party_size_message_in_the_visitors_language(translated):
    category = SeatCategoryFactory(max_party_size=4)

    with translation.override("de"):
        error = error_of(lambda: register(category, party_size=5))
        message = str(error.message)

    msgid = "At most %(max)s people can register together in this category."
    assert message == translated("de", msgid) % {"max": 4}


@pytest.mark.parametrize(
    ("ceremony_kwargs", "code"),
    [
        ({"registration_opens": timezone.now() + datetime.timedelta(days=1)}, "not_yet"),
        (
            {
                "registration_opens": timezone.now() - datetime.timedelta(days=5),
                "registration_closes": timezone.now() - datetime.timedelta(days=1),
            },
            "closed",
        ),
        ({"status": Ceremony.Status.CANCELLED}, "cancelled"),
        ({"registration_opens": None, "registration_closes": None}, "none"),
    ],
)
def test_registration_outside_the_window_is_refused(ceremony_kwargs, code):
    category = SeatCategoryFactory(ceremony=CeremonyFactory(**ceremony_kwargs))

    error = error_of(lambda: register(category))

    assert error.code == f"registration_{code}"
    assert list(Registration.objects.all()) == []
    assert list(OutgoingEmail.objects.all()) == []


@pytest.mark.parametrize("email", ["anna@example.org", "ANNA@example.org", "Anna@Example.org"])
def test_same_email_twice_is_refused(email):
    category = SeatCategoryFactory()
    first = register(category, email="anna@example.org").registration

    error = error_of(lambda: register(category, email=email))

    assert (error.code, error.field) == ("duplicate_email", "email")
    assert list(Registration.objects.all()) == [first]


def test_same_email_in_another_category_of_the_ceremony_is_refused():
    category = SeatCategoryFactory()
    other = SeatCategoryFactory(ceremony=category.ceremony, name_en="Veterans")
    register(category)

    error = error_of(lambda: register(other))

    assert error.code == "duplicate_email"


def test_waiting_person_cannot_register_twice_either():
    category = SeatCategoryFactory(capacity=0)
    register(category)

    assert error_of(lambda: register(category)).code == "duplicate_email"


def test_same_submission_twice_returns_the_first_registration():
    category = SeatCategoryFactory()
    key = uuid.uuid4()

    first = register(category, submission_key=key, party_size=2)
    second = register(category, submission_key=key, party_size=2)

    assert (first.created, second.created) == (True, False)
    assert second.registration == first.registration
    assert list(Registration.objects.all()) == [first.registration]
    assert seats(category) == (10, 2)
    assert email_kinds() == [("anna@example.org", "confirmation")]


def test_same_submission_key_from_another_person_registers_them_on_their_own():
    """The page left open on a shared computer, or a copied form: the second person must
    never be handed the first person's booking."""
    category = SeatCategoryFactory()
    key = uuid.uuid4()
    anna = register(category, submission_key=key, name="Anna Schmidt", email="anna@example.org")

    ben = register(category, submission_key=key, name="Ben Weiß", email="ben@example.org")

    assert (anna.created, ben.created) == (True, True)
    assert ben.registration != anna.registration
    assert (ben.registration.name, ben.registration.email) == ("Ben Weiß", "ben@example.org")
    assert ben.registration.submission_key not in (None, key)
    assert seats(category) == (10, 2)


def test_same_submission_key_with_the_same_email_but_another_name_is_refused():
    category = SeatCategoryFactory()
    key = uuid.uuid4()
    register(category, submission_key=key, name="Anna Schmidt", email="anna@example.org")

    error = error_of(
        lambda: register(category, submission_key=key, name="Eve", email="ANNA@example.org")
    )

    assert error.code == "duplicate_email"
    assert str(error.message).endswith("The booking link is in the confirmation email.")


def test_same_submission_later_gives_no_booking_back():
    """After the minutes a resubmission takes, the form is old: whoever sends it is told
    the booking link is in the email, not given it."""
    category = SeatCategoryFactory()
    key = uuid.uuid4()
    first = register(category, submission_key=key).registration
    Registration.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )

    error = error_of(lambda: register(category, submission_key=key))

    assert error.code == "duplicate_email"


def test_registration_stores_what_was_given():
    category = SeatCategoryFactory()
    now = timezone.now()

    registration = register(
        category,
        guest_names="Ben\nCarla",
        party_size=3,
        country="UA",
        language="ru",
        consent_future=True,
        needs_step_free_route=True,
        needs_note="Guide dog",
        now=now,
    ).registration

    registration.refresh_from_db()
    assert (
        registration.ceremony,
        registration.guest_names,
        registration.country.code,
        registration.language,
        registration.consent_future,
        registration.needs_step_free_route,
        registration.needs_note,
        registration.consent_privacy_at,
        registration.confirmed_at,
    ) == (category.ceremony, "Ben\nCarla", "UA", "ru", True, True, "Guide dog", now, now)


def test_cancelling_frees_the_seats_and_promotes_the_waiting_list_in_order():
    category = SeatCategoryFactory(capacity=2)
    seated = register(category, name="Seated", email="s@example.org", party_size=2).registration
    first = register(category, name="First", email="1@example.org").registration
    second = register(category, name="Second", email="2@example.org").registration
    third = register(category, name="Third", email="3@example.org").registration

    promoted = services.registration_cancel(registration=seated)

    assert promoted == [first, second]
    assert statuses(category) == [
        ("Seated", "cancelled", 2),
        ("First", "confirmed", 1),
        ("Second", "confirmed", 1),
        ("Third", "waiting", 1),
    ]
    refresh(third)
    assert third.waiting_position == 1
    assert seats(category) == (2, 2)
    assert email_kinds() == [
        ("1@example.org", "promotion"),
        ("1@example.org", "waiting_list"),
        ("2@example.org", "promotion"),
        ("2@example.org", "waiting_list"),
        ("3@example.org", "waiting_list"),
        ("s@example.org", "cancellation"),
        ("s@example.org", "confirmation"),
    ]


def test_promotion_skips_a_party_that_does_not_fit():
    category = SeatCategoryFactory(capacity=4)
    seated = register(category, name="Seated", email="s@example.org", party_size=2).registration
    register(category, name="Other", email="o@example.org", party_size=2)
    three = register(category, name="Three", email="3@example.org", party_size=3).registration
    two = register(category, name="Two", email="2@example.org", party_size=2).registration

    promoted = services.registration_cancel(registration=seated)

    assert promoted == [two]
    refresh(three, two)
    assert (three.status, three.waiting_position) == ("waiting", 1)
    assert (two.status, two.waiting_position) == ("confirmed", None)
    assert seats(category) == (4, 4)


def test_cancelling_a_waiting_registration_promotes_nobody():
    category = SeatCategoryFactory(capacity=1)
    register(category, name="Seated", email="s@example.org")
    first = register(category, name="First", email="1@example.org").registration
    second = register(category, name="Second", email="2@example.org").registration

    promoted = services.registration_cancel(registration=first)

    assert promoted == []
    refresh(second)
    assert (second.status, second.waiting_position) == ("waiting", 1)
    assert seats(category) == (1, 1)


def test_cancelling_twice_changes_nothing_the_second_time():
    category = SeatCategoryFactory()
    registration = register(category, party_size=2).registration
    services.registration_cancel(registration=registration)

    assert services.registration_cancel(registration=registration) == []
    assert seats(category) == (10, 0)
    assert email_kinds() == [
        ("anna@example.org", "cancellation"),
        ("anna@example.org", "confirmation"),
    ]


def test_party_can_grow_within_the_free_seats():
    category = SeatCategoryFactory(capacity=5, max_party_size=4)
    registration = register(category, party_size=1).registration

    services.registration_change_party(
        registration=registration, party_size=4, guest_names="B\nC\nD"
    )

    refresh(registration)
    assert (registration.party_size, registration.guest_names) == (4, "B\nC\nD")
    assert seats(category) == (5, 4)


def test_party_cannot_grow_beyond_the_free_seats():
    category = SeatCategoryFactory(capacity=4, max_party_size=4)
    registration = register(category, party_size=2).registration
    register(category, email="other@example.org", party_size=1)

    error = error_of(
        lambda: services.registration_change_party(
            registration=registration, party_size=4, guest_names=""
        )
    )

    assert (error.code, error.field, str(error.message)) == (
        "not_enough_seats",
        "party_size",
        "Only 1 more seat is free, so your party can have at most 3.",
    )
    refresh(registration)
    assert registration.party_size == 2
    assert seats(category) == (4, 3)


def test_party_cannot_grow_beyond_the_category_limit():
    category = SeatCategoryFactory(capacity=10, max_party_size=3)
    registration = register(category, party_size=2).registration

    error = error_of(
        lambda: services.registration_change_party(
            registration=registration, party_size=4, guest_names=""
        )
    )

    assert error.code == "party_too_large"
    assert seats(category) == (10, 2)


def test_smaller_party_frees_seats_for_the_waiting_list():
    category = SeatCategoryFactory(capacity=4)
    registration = register(category, name="Big", party_size=4).registration
    waiting = register(category, name="Waiting", email="w@example.org", party_size=2).registration

    services.registration_change_party(registration=registration, party_size=2, guest_names="B")

    refresh(waiting)
    assert waiting.status == "confirmed"
    assert statuses(category) == [("Big", "confirmed", 2), ("Waiting", "confirmed", 2)]
    assert seats(category) == (4, 4)


def test_party_of_a_cancelled_registration_cannot_change():
    registration = register(SeatCategoryFactory()).registration
    services.registration_cancel(registration=registration)

    error = error_of(
        lambda: services.registration_change_party(
            registration=registration, party_size=2, guest_names=""
        )
    )

    assert error.code == "cancelled"


def test_erasing_removes_the_personal_data_and_keeps_the_numbers():
    category = SeatCategoryFactory(capacity=3)
    registration = register(
        category,
        name="Anna Schmidt",
        email="anna@example.org",
        party_size=3,
        guest_names="Ben\nCarla",
        consent_future=True,
        needs_seating=True,
        needs_note="Needs a chair near the exit",
    ).registration
    waiting = register(category, name="Waiting", email="w@example.org").registration

    services.registration_erase(registration=registration)

    refresh(registration, waiting)
    assert (
        registration.name,
        registration.guest_names,
        registration.needs_note,
        registration.consent_future,
        registration.status,
        registration.party_size,
        registration.category,
        registration.needs_seating,
    ) == ("", "", "", False, "cancelled", 3, category, True)
    assert "anna" not in registration.email
    assert registration.email.endswith("@invalid")
    assert registration.anonymised_at is not None
    assert list(registration.emails.filter(status="queued")) == []
    assert waiting.status == "confirmed"
    assert seats(category) == (3, 1)
    assert not OutgoingEmail.objects.filter(to="anna@example.org").exists()
    assert email_kinds() == [("w@example.org", "promotion"), ("w@example.org", "waiting_list")]


def _ceremony_in(days, **kwargs):
    start = timezone.now() + datetime.timedelta(days=days)
    return CeremonyFactory(
        start=start,
        end=start + datetime.timedelta(hours=2),
        registration_closes=start - datetime.timedelta(hours=1),
        **kwargs,
    )


def test_reminders_go_to_confirmed_people_of_ceremonies_within_the_days():
    soon = SeatCategoryFactory(ceremony=_ceremony_in(2), capacity=2)
    later = SeatCategoryFactory(ceremony=_ceremony_in(10))
    register(soon, name="A", email="a@example.org")
    register(soon, name="B", email="b@example.org", party_size=2)  # waits
    cancelled = register(soon, name="C", email="c@example.org").registration
    services.registration_cancel(registration=cancelled)
    register(later, name="D", email="d@example.org")
    OutgoingEmail.objects.all().delete()

    assert services.reminders_send(days_before=3) == 1
    assert email_kinds() == [("a@example.org", "reminder")]

    assert services.reminders_send(days_before=3) == 0
    assert email_kinds() == [("a@example.org", "reminder")]


def test_reminders_skip_cancelled_ceremonies():
    category = SeatCategoryFactory(ceremony=_ceremony_in(2))
    register(category)
    Ceremony.objects.filter(pk=category.ceremony_id).update(status=Ceremony.Status.CANCELLED)
    OutgoingEmail.objects.all().delete()

    assert services.reminders_send(days_before=3) == 0
    assert list(OutgoingEmail.objects.all()) == []


def test_reminders_with_a_longer_horizon_reach_later_ceremonies():
    category = SeatCategoryFactory(ceremony=_ceremony_in(10))
    register(category)
    OutgoingEmail.objects.all().delete()

    assert services.reminders_send(days_before=14) == 1
    assert email_kinds() == [("anna@example.org", "reminder")]


@pytest.mark.parametrize("kind", ["changed", "postponed", "cancelled"])
def test_change_notice_goes_to_every_active_registrant(kind):
    category = SeatCategoryFactory(capacity=1)
    register(category, name="Seated", email="s@example.org")
    register(category, name="Waiting", email="w@example.org")
    gone = register(category, name="Gone", email="g@example.org").registration
    services.registration_cancel(registration=gone)
    register(SeatCategoryFactory(), name="Elsewhere", email="e@example.org")
    OutgoingEmail.objects.all().delete()

    count = services.ceremony_notify_change(ceremony=category.ceremony, kind=kind)

    assert count == 2
    assert email_kinds() == [("s@example.org", kind), ("w@example.org", kind)]


def past_the_deadline(category, minutes=1):
    """Sets the ceremony's waiting-list deadline `minutes` ago."""
    Ceremony.objects.filter(pk=category.ceremony_id).update(
        waiting_list_promotion_deadline=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_seats_freed_after_the_promotion_deadline_stay_free_for_the_gate():
    category = SeatCategoryFactory(capacity=2)
    seated = register(category, name="Seated", email="s@example.org", party_size=2).registration
    waiting = register(category, name="Waiting", email="w@example.org").registration
    past_the_deadline(category)

    promoted = services.registration_cancel(registration=seated)

    assert promoted == []
    refresh(waiting)
    assert (waiting.status, waiting.waiting_position) == ("waiting", 1)
    assert seats(category) == (2, 0)
    assert ("w@example.org", "promotion") not in email_kinds()


def test_waiting_list_moves_up_before_the_promotion_deadline():
    category = SeatCategoryFactory(capacity=1)
    Ceremony.objects.filter(pk=category.ceremony_id).update(
        waiting_list_promotion_deadline=timezone.now() + datetime.timedelta(hours=1)
    )
    seated = register(category, name="Seated", email="s@example.org").registration
    waiting = register(category, name="Waiting", email="w@example.org").registration

    promoted = services.registration_cancel(registration=seated)

    assert promoted == [waiting]
    assert seats(category) == (1, 1)


def test_smaller_party_after_the_promotion_deadline_promotes_nobody():
    category = SeatCategoryFactory(capacity=3)
    seated = register(category, name="Seated", email="s@example.org", party_size=3).registration
    register(category, name="Waiting", email="w@example.org")
    past_the_deadline(category)

    services.registration_change_party(registration=seated, party_size=2, guest_names="")

    assert statuses(category) == [("Seated", "confirmed", 2), ("Waiting", "waiting", 1)]
    assert seats(category) == (3, 2)


def test_seats_added_after_the_promotion_deadline_stay_free():
    category = SeatCategoryFactory(capacity=1)
    register(category, name="Seated", email="s@example.org")
    register(category, name="Waiting", email="w@example.org")
    past_the_deadline(category)

    assert category_set_capacity(category=category, capacity=3) == []
    assert statuses(category) == [("Seated", "confirmed", 1), ("Waiting", "waiting", 1)]
    assert seats(category) == (3, 1)


def test_after_the_promotion_deadline_staff_can_still_promote_by_hand():
    category = SeatCategoryFactory(capacity=1)
    seated = register(category, name="Seated", email="s@example.org").registration
    waiting = register(category, name="Waiting", email="w@example.org").registration
    past_the_deadline(category)
    services.registration_cancel(registration=seated)

    services.registration_promote(registration=waiting)

    assert statuses(category) == [("Seated", "cancelled", 1), ("Waiting", "confirmed", 1)]
    assert seats(category) == (1, 1)
    assert ("w@example.org", "promotion") in email_kinds()


def register_by_hand(category, **kwargs):
    defaults = {"name": "Anna Schmidt", "email": "anna@example.org", "party_size": 1}
    return services.registration_create(
        registration=Registration(category=category, **{**defaults, **kwargs}), by_hand=True
    )


@pytest.mark.parametrize(
    "ceremony_kwargs",
    [
        {"registration_opens": timezone.now() + datetime.timedelta(days=1)},
        {
            "registration_opens": timezone.now() - datetime.timedelta(days=5),
            "registration_closes": timezone.now() - datetime.timedelta(days=1),
        },
        {"registration_opens": None, "registration_closes": None},
    ],
)
def test_registration_by_hand_outside_the_public_window_is_confirmed(ceremony_kwargs):
    category = SeatCategoryFactory(ceremony=CeremonyFactory(**ceremony_kwargs), capacity=2)

    result = register_by_hand(category, party_size=2)

    assert (result.created, result.registration.status) == (True, "confirmed")
    assert seats(category) == (2, 2)
    assert email_kinds() == [("anna@example.org", "confirmation")]
    assert result.registration.history.get().history_change_reason == "added by hand"


def test_registration_by_hand_over_the_quota_goes_to_the_waiting_list():
    category = SeatCategoryFactory(capacity=2)
    register(category, name="Seated", email="s@example.org", party_size=2)

    result = register_by_hand(category, party_size=1)

    assert (result.registration.status, result.registration.waiting_position) == ("waiting", 1)
    assert seats(category) == (2, 2)
    assert ("anna@example.org", "waiting_list") in email_kinds()


def test_registration_by_hand_over_the_quota_without_waiting_list_is_refused():
    category = SeatCategoryFactory(capacity=2, has_waiting_list=False)
    register(category, name="Seated", email="s@example.org", party_size=1)

    error = error_of(lambda: register_by_hand(category, party_size=2))

    assert (error.code, str(error.message)) == ("full", "This category is fully booked.")
    assert seats(category) == (2, 1)
    assert statuses(category) == [("Seated", "confirmed", 1)]


def test_registration_by_hand_needs_no_invitation_code_but_keeps_the_party_limit():
    category = SeatCategoryFactory(invitation_code="VETERANS", max_party_size=2)

    result = register_by_hand(category, party_size=2)
    error = error_of(lambda: register_by_hand(category, email="b@example.org", party_size=3))

    assert result.registration.status == "confirmed"
    assert error.code == "party_too_large"


@pytest.mark.parametrize(
    ("ceremony_kwargs", "code"),
    [
        ({"status": Ceremony.Status.CANCELLED}, "registration_cancelled"),
        ({"status": Ceremony.Status.DRAFT}, "registration_draft"),
        (
            {
                "start": timezone.now() - datetime.timedelta(days=1),
                "end": timezone.now() - datetime.timedelta(hours=20),
                "registration_opens": timezone.now() - datetime.timedelta(days=5),
                "registration_closes": timezone.now() - datetime.timedelta(days=2),
            },
            "registration_over",
        ),
    ],
)
def test_registration_by_hand_is_refused_for_cancelled_draft_and_past_ceremonies(
    ceremony_kwargs, code
):
    category = SeatCategoryFactory(ceremony=CeremonyFactory(**ceremony_kwargs))

    error = error_of(lambda: register_by_hand(category))

    assert error.code == code
    assert list(Registration.objects.all()) == []
    assert list(OutgoingEmail.objects.all()) == []
