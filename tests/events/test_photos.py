"""A ceremony's photo leaves no files behind when it is replaced or cleared or the ceremony
is deleted, once the change commits; a copy for next year shares the photo until one of the
two gets a photo of its own."""

from pathlib import Path, PurePosixPath

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from events import services
from events.models import Ceremony
from tests.events.test_admin import ADMIN, change_form_data
from tests.factories import CeremonyFactory
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def photo_files(name, widths):
    path = PurePosixPath(name)
    return sorted([name, *(f"{path.parent}/renditions/{path.stem}-{w}w.webp" for w in widths)])


def photo(name="wreaths.jpg", size=(700, 500)):
    return ContentFile(image_bytes(size=size), name=name)


@pytest.fixture
def ceremony():
    return CeremonyFactory(photo=photo(), photo_alt_text_en="Wreaths at the monument")


def test_ceremony_photo_replaced_leaves_only_new_files(
    ceremony, django_capture_on_commit_callbacks
):
    assert stored_files() == photo_files(ceremony.photo.name, [320, 640, 700])

    with django_capture_on_commit_callbacks(execute=True):
        ceremony.photo = photo("concert.jpg", size=(400, 300))
        ceremony.save()

    assert stored_files() == photo_files(ceremony.photo.name, [320, 400])


def test_ceremony_photo_cleared_leaves_no_files(ceremony, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ceremony.photo = None
        ceremony.save()

    ceremony.refresh_from_db()
    assert (stored_files(), ceremony.photo.name, ceremony.photo_renditions) == ([], "", [])
    assert (ceremony.photo_width, ceremony.photo_height) == (None, None)


def test_ceremony_deleted_leaves_no_files(ceremony, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ceremony.delete()

    assert stored_files() == []


def test_admin_photo_replaced_leaves_only_new_files(
    admin_client, ceremony, django_capture_on_commit_callbacks
):
    data = change_form_data(admin_client, ceremony).as_post(_save="Save")
    data["photo"] = upload("concert.jpg", size=(400, 300))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{ADMIN}/ceremony/{ceremony.pk}/change/", data)

    assert response.status_code == 302
    ceremony.refresh_from_db()
    assert stored_files() == photo_files(ceremony.photo.name, [320, 400])


def test_admin_photo_cleared_leaves_no_files(
    admin_client, ceremony, django_capture_on_commit_callbacks
):
    data = change_form_data(admin_client, ceremony).as_post(_save="Save", **{"photo-clear": "on"})

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{ADMIN}/ceremony/{ceremony.pk}/change/", data)

    assert response.status_code == 302
    ceremony.refresh_from_db()
    assert (stored_files(), ceremony.photo.name, ceremony.photo_renditions) == ([], "", [])


def test_ceremony_photo_replacement_rolled_back_keeps_old_files(
    ceremony, django_capture_on_commit_callbacks
):
    old_files = stored_files()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ceremony.photo = photo("concert.jpg")
        ceremony.save()
        raise RuntimeError("a registrant's notice could not be queued")

    ceremony.refresh_from_db()
    assert callbacks == []
    assert [name for name in old_files if name not in stored_files()] == []
    assert photo_files(ceremony.photo.name, ceremony.photo_renditions) == old_files


def test_copy_for_next_year_keeps_the_shared_photo(ceremony, django_capture_on_commit_callbacks):
    """The copy refers to this year's photo file: a new photo for the copy, or deleting the
    copy, leaves this year's in place; it goes with the last ceremony that shows it."""
    files = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        copy = services.ceremony_copy_to_next_year(ceremony=ceremony)
    assert copy.photo.name == ceremony.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        copy.photo = photo("next-year.jpg", size=(400, 300))
        copy.save()
    assert stored_files() == sorted(files + photo_files(copy.photo.name, [320, 400]))

    second_copy = Ceremony.objects.get(pk=services.ceremony_copy_to_next_year(ceremony=ceremony).pk)
    with django_capture_on_commit_callbacks(execute=True):
        second_copy.delete()
        copy.delete()
    assert stored_files() == files

    with django_capture_on_commit_callbacks(execute=True):
        ceremony.delete()
    assert stored_files() == []
