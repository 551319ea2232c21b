"""`manage.py ensure_admin`: the admin account a new installation starts with.

Kept apart from the demo tests (tests/memorials/test_demo.py), which share a demo loaded
for their whole module: these start from an empty database."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def ensure_admin():
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def signs_in(client, username, password):
    """Whether the admin's login page lets `username` in with `password`."""
    response = client.post("/en/admin/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_ensure_admin_creates_superuser_with_password_from_environment(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "elbe-1945-torgau-strehla")

    output = ensure_admin()

    user = get_user_model().objects.get()
    assert (user.username, user.is_superuser, user.is_staff) == ("admin", True, True)
    assert output == (
        "Admin account created: log in at http://127.0.0.1:8000/en/admin/ as 'admin' "
        "with the password in DJANGO_SUPERUSER_PASSWORD\n"
    )
    assert signs_in(client, "admin", "elbe-1945-torgau-strehla")


def test_ensure_admin_second_run_creates_nothing(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "elbe-1945-torgau-strehla")
    ensure_admin()
    password_hash = get_user_model().objects.get().password

    output = ensure_admin()

    assert [(user.username, user.password) for user in get_user_model().objects.all()] == [
        ("admin", password_hash)
    ]
    assert output == (
        "Admin: log in at http://127.0.0.1:8000/en/admin/ as 'admin' with the password set "
        "earlier (forgotten? python manage.py changepassword admin).\n"
    )


def test_ensure_admin_generates_and_prints_password(client, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    output = ensure_admin()

    match = re.fullmatch(
        r"Admin account created: log in at http://127\.0\.0\.1:8000/en/admin/ as 'admin' "
        r"with password (\S+)  \(shown only this once\)\n",
        output,
    )
    assert match
    assert signs_in(client, "admin", match.group(1))
    assert len(match.group(1)) >= 16
