"""Every model's admin, whichever app registered it, answers bad input with a message
instead of a server error (elbeday.admin_site)."""

import pytest
from django.utils.text import capfirst
from django.utils.translation import gettext, override

from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("events/ceremony", "copy_to_next_year"),
        ("registrations/registration", "cancel_registrations"),
        ("memorials/memorialsite", "delete_selected"),
        # Django's own admins, registered by django.contrib.auth.
        ("auth/user", "delete_selected"),
    ],
)
def test_admin_action_on_an_id_that_is_no_number_changes_nothing(admin_client, changelist, action):
    """POST /en/admin/events/ceremony/ with action=copy_to_next_year&_selected_action=abc
    raised ValueError("Field 'id' expected a number but got 'abc'."): the admin filters
    the chosen rows by the ids as sent. Every changelist with actions has it."""
    RegistrationFactory()

    response = admin_client.post(
        f"/en/admin/{changelist}/",
        {"action": action, "_selected_action": ["abc"], "index": "0"},
    )

    assert response.status_code in (200, 302)


def test_admin_action_runs_on_the_ids_that_are_ids(admin_client):
    """Among the chosen rows, the one that is no id is left out; the others are acted on."""
    registration = RegistrationFactory()

    admin_client.post(
        "/en/admin/registrations/registration/",
        {
            "action": "cancel_registrations",
            "_selected_action": ["abc", str(registration.pk)],
            "index": "0",
        },
    )

    registration.refresh_from_db()
    assert registration.status == "cancelled"


@pytest.mark.parametrize("language", ["en", "de", "ru"])
def test_admin_site_is_called_elbe_day(client, page, translated, language):
    response = client.get(f"/{language}/admin/login/")

    shown = page(response)
    name = translated(language, "Elbe Day")
    assert shown.find("div", id="site-name").text == name
    assert shown.find("title").text.endswith(f"| {name}")


@pytest.mark.parametrize("language", ["en", "de", "ru"])
def test_admin_date_and_time_inputs_are_named_for_their_field(
    admin_client, page, translated, language
):
    """The label "Start" belongs to two inputs and so names neither; each has a name of
    its own, made of the label and the word before the input ("Start: Date")."""
    ceremony = RegistrationFactory().ceremony

    response = admin_client.get(f"/{language}/admin/events/ceremony/{ceremony.pk}/change/")

    shown = page(response)
    with override(language):
        # Django's own words before the two inputs.
        parts = [gettext("Date:").rstrip(":"), gettext("Time:").rstrip(":")]
    label = capfirst(translated(language, "start"))
    assert [
        shown.find("input", id=f"id_start_{index}").attrs["aria-label"] for index in (0, 1)
    ] == [f"{label}: {part}" for part in parts]
