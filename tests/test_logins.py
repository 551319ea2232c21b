"""Sign-ins (the gate's and the admin's) are paused after repeated wrong passwords, with a
message that says so in the visitor's language."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GATE_LOGIN = "/{language}/accounts/login/"
ADMIN_LOGIN = "/{language}/admin/login/"


@pytest.fixture
def vera(db):
    return UserFactory(username="vera", groups=["Check-in volunteers"])


def sign_in(client, url, password, username="vera", language="en"):
    return client.post(url.format(language=language), {"username": username, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", [GATE_LOGIN, ADMIN_LOGIN])
def test_login_paused_after_five_wrong_passwords_even_with_the_right_one(client, vera, url):
    wrong = [sign_in(client, url, "wrong").status_code for _attempt in range(5)]

    locked = sign_in(client, url, "password")

    # The fifth wrong password already gets the pause instead of the form again.
    assert wrong == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert "please try again in 15 minutes" in locked.content.decode()
    assert not signed_in(client)


def test_login_pause_message_speaks_the_visitors_language(client, vera, translated):
    for _attempt in range(5):
        sign_in(client, GATE_LOGIN, "wrong", language="de")

    locked = sign_in(client, GATE_LOGIN, "password", language="de")

    message = translated(
        "de",
        "The password was wrong too many times. For your safety, signing in is paused: "
        "please try again in %(minutes)s minute.",
        plural="The password was wrong too many times. For your safety, signing in is "
        "paused: please try again in %(minutes)s minutes.",
        n=15,
    ) % {"minutes": 15}
    assert locked.status_code == 429
    assert message in locked.content.decode()


def test_login_pause_does_not_lock_out_other_volunteers(client, vera):
    UserFactory(username="otto")
    for _attempt in range(5):
        sign_in(client, GATE_LOGIN, "wrong")

    other = sign_in(client, GATE_LOGIN, "password", username="otto")

    assert other.status_code == 302
    assert signed_in(client)


def test_login_works_again_after_the_pause(client, vera):
    for _attempt in range(5):
        sign_in(client, GATE_LOGIN, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))

    response = sign_in(client, GATE_LOGIN, "password")

    assert response.status_code == 302
    assert signed_in(client)


def test_login_success_forgets_earlier_mistakes(client, vera):
    for _attempt in range(4):
        sign_in(client, GATE_LOGIN, "wrong")
    sign_in(client, GATE_LOGIN, "password")
    client.logout()

    after = [sign_in(client, GATE_LOGIN, "wrong").status_code for _attempt in range(4)]

    assert after == [200] * 4
    assert sign_in(client, GATE_LOGIN, "password").status_code == 302
