import functools
import io
import os
import time
from functools import partial
from pathlib import Path, PurePosixPath

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.utils.translation import override
from PIL import Image

from memorials.models import Photo
from tests.factories import MemorialSiteFactory, PhotoFactory
from tests.images import (
    exif_data,
    image_bytes,
    pixel_bomb_png,
    svg_bytes,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "This file is not an image we can read. Please upload a JPEG, PNG or WebP photo."
SVG = "SVG drawings are not accepted. Please upload a JPEG, PNG or WebP photo."
GIF = "Images in GIF format are not accepted. Please upload a JPEG, PNG or WebP photo."
TOO_MANY_PIXELS = "This image has too many pixels; at most 50 million are accepted."

# Pillow itself warns (a RuntimeWarning, an error under our pytest settings) about images
# over 89 million pixels before our lower limit refuses them; the warning is not ours.
ignore_pillow_bomb_warning = pytest.mark.filterwarnings(
    "ignore::PIL.Image.DecompressionBombWarning"
)


def text_file():
    return b"Meeting on the Elbe, 25 April 1945.\n" * 20


# Drawn once, when first needed: a pixel bomb takes a moment to draw.
huge_bomb = functools.cache(partial(pixel_bomb_png, side=20_000))
bomb = functools.cache(pixel_bomb_png)

REFUSED = [
    pytest.param("notes.jpg", text_file, NOT_AN_IMAGE, id="text"),
    pytest.param("drawing.png", svg_bytes, SVG, id="svg"),
    pytest.param("animation.gif", partial(image_bytes, fmt="GIF"), GIF, id="gif"),
    pytest.param(
        "bomb.png", bomb, TOO_MANY_PIXELS, id="pixel-bomb", marks=ignore_pillow_bomb_warning
    ),
    # Over twice Pillow's limit, where Pillow raises instead of warning.
    pytest.param("huge-bomb.png", huge_bomb, TOO_MANY_PIXELS, id="huge-bomb"),
    pytest.param("cut.jpg", truncated_jpeg, NOT_AN_IMAGE, id="truncated-jpeg"),
]


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def unsaved_photo(data, name="photo.jpg", **kwargs):
    return Photo(
        site=kwargs.pop("site", None) or MemorialSiteFactory(),
        image=ContentFile(data, name=name),
        alt_text_en="The monument seen from the river",
        licence="CC BY-SA 4.0",
        **kwargs,
    )


def stored_image(photo):
    with photo.image.storage.open(photo.image.name) as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
        return image


@pytest.mark.parametrize(("name", "make", "message"), REFUSED)
def test_photo_refused_by_full_clean(name, make, message):
    photo = unsaved_photo(make(), name)

    with pytest.raises(ValidationError) as caught:
        photo.full_clean()

    assert caught.value.message_dict == {"image": [message]}
    assert (Photo.objects.count(), stored_files()) == (0, [])


# Without the test's wrapping transaction, so a row written before the refusal would stay.
save_outside_transaction = pytest.mark.django_db(transaction=True)


@save_outside_transaction
@pytest.mark.parametrize(("name", "make", "message"), REFUSED)
def test_photo_refused_by_save_without_full_clean(name, make, message):
    photo = unsaved_photo(make(), name)

    with pytest.raises(ValidationError) as caught:
        photo.save()

    assert caught.value.messages == [message]
    assert (Photo.objects.count(), stored_files()) == (0, [])


@save_outside_transaction
@pytest.mark.parametrize(("name", "make", "message"), REFUSED)
def test_photo_refused_by_objects_create(name, make, message):
    site = MemorialSiteFactory()

    with pytest.raises(ValidationError) as caught:
        Photo.objects.create(
            site=site,
            image=ContentFile(make(), name=name),
            alt_text_en="A photo",
            licence="CC0 1.0",
        )

    assert caught.value.messages == [message]
    assert (Photo.objects.count(), stored_files()) == (0, [])


@save_outside_transaction
def test_photo_over_size_limit_refused(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1024
    data = image_bytes(size=(20, 20))
    data += b"\0" * (2048 - len(data))

    with pytest.raises(ValidationError) as caught:
        unsaved_photo(data).full_clean()
    assert caught.value.message_dict == {
        "image": ["This file is 2.0\xa0KB; a photo may be at most 1.0\xa0KB."]
    }

    with pytest.raises(ValidationError):
        unsaved_photo(data).save()
    assert (Photo.objects.count(), stored_files()) == (0, [])


def test_photo_pixel_limit_from_settings(settings):
    settings.PHOTO_MAX_PIXELS = 2_000_000
    unsaved_photo(image_bytes(size=(2000, 1000))).full_clean()

    with pytest.raises(ValidationError) as caught:
        unsaved_photo(image_bytes(size=(2000, 1001))).full_clean()

    assert caught.value.message_dict == {
        "image": ["This image has too many pixels; at most 2 million are accepted."]
    }


@save_outside_transaction
def test_photo_svg_saved_as_jpg_name_still_refused():
    data = b'  \n<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>'
    photo = unsaved_photo(data, "innocent.jpg")

    with pytest.raises(ValidationError) as caught:
        photo.save()

    assert caught.value.messages == [SVG]
    assert (Photo.objects.count(), stored_files()) == (0, [])


@pytest.fixture
def german_catalogue(settings, tmp_path):
    """The project's German catalogue compiled into a temporary locale folder.

    Messages not translated yet get a German stand-in, so the test checks that refusals are
    translated when shown, whatever state locale/ is in; once translated, the real text is
    what the test expects. Returns {msgid: German text}.
    """
    stand_ins = {
        SVG: (
            "SVG-Zeichnungen werden nicht angenommen. "
            "Bitte laden Sie ein JPEG-, PNG- oder WebP-Foto hoch."
        ),
        "This image has too many pixels; at most %(limit)s million are accepted.": (
            "Dieses Bild hat zu viele Pixel; höchstens %(limit)s Millionen werden angenommen."
        ),
    }
    po_path = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
    if po_path.exists():
        catalogue = polib.pofile(str(po_path))
    else:
        catalogue = polib.POFile()
        catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    german = {}
    for msgid, stand_in in stand_ins.items():
        entry = catalogue.find(msgid)
        if entry is None:
            entry = polib.POEntry(msgid=msgid, msgstr=stand_in)
            catalogue.append(entry)
        elif not entry.translated():
            entry.msgstr = stand_in
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        german[msgid] = entry.msgstr
    target = tmp_path / "locale" / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    catalogue.save_as_mofile(str(target / "django.mo"))
    # Changing LOCALE_PATHS makes Django drop its cached catalogues.
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    return german


def test_photo_refusal_in_german(german_catalogue):
    photo = unsaved_photo(svg_bytes(), "drawing.svg")

    with override("de"):
        with pytest.raises(ValidationError) as caught:
            photo.full_clean()
        messages = caught.value.message_dict["image"]

    assert messages == [german_catalogue[SVG]]
    assert messages != [SVG]


@ignore_pillow_bomb_warning
def test_photo_pixel_refusal_in_german(german_catalogue):
    photo = unsaved_photo(bomb(), "bomb.png")

    with override("de"), pytest.raises(ValidationError) as caught:
        photo.save()

    pixel_msgid = "This image has too many pixels; at most %(limit)s million are accepted."
    assert caught.value.messages == [german_catalogue[pixel_msgid] % {"limit": 50}]


@pytest.mark.parametrize(
    ("name", "data", "stored_format", "stored_mode"),
    [
        ("photo.jpg", image_bytes(fmt="JPEG", size=(700, 500)), "JPEG", "RGB"),
        (
            "transparent.png",
            image_bytes(fmt="PNG", size=(700, 500), mode="RGBA", colour=(10, 20, 30, 0)),
            "PNG",
            "RGBA",
        ),
        ("photo.webp", image_bytes(fmt="WEBP", size=(700, 500)), "WEBP", "RGB"),
    ],
    ids=["jpeg", "png-with-alpha", "webp"],
)
def test_photo_accepted_and_stored(name, data, stored_format, stored_mode):
    photo = unsaved_photo(data, name)

    photo.full_clean()
    photo.save()

    photo.refresh_from_db()
    image = stored_image(photo)
    assert (image.format, image.mode, image.size) == (stored_format, stored_mode, (700, 500))
    assert (photo.width, photo.height, photo.renditions) == (700, 500, [320, 640, 700])
    assert list(Photo.objects.all()) == [photo]


def test_photo_png_keeps_transparency():
    data = image_bytes(fmt="PNG", size=(50, 40), mode="RGBA", colour=(10, 20, 30, 0))
    photo = unsaved_photo(data, "transparent.png")

    photo.save()

    assert stored_image(photo).getpixel((5, 5)) == (10, 20, 30, 0)


def test_photo_exif_orientation_applied():
    data = image_bytes(size=(200, 100), exif=exif_data(orientation=6))
    photo = unsaved_photo(data)

    photo.full_clean()
    photo.save()

    photo.refresh_from_db()
    image = stored_image(photo)
    assert (image.size, photo.width, photo.height) == ((100, 200), 100, 200)
    assert dict(image.getexif()) == {}


def test_photo_gps_and_exif_removed():
    data = image_bytes(size=(200, 100), exif=exif_data(orientation=1, gps=True))
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)[2] == (51.0, 33.0, 36.0)
    photo = unsaved_photo(data)

    photo.save()

    exif = stored_image(photo).getexif()
    assert (dict(exif), exif.get_ifd(0x8825)) == ({}, {})
    with photo.image.storage.open(photo.image.name) as file:
        assert b"Camera maker" not in file.read()


def test_photo_renditions_for_wide_image():
    photo = unsaved_photo(image_bytes(size=(2000, 1000)), "wide.jpg")

    photo.save()

    photo.refresh_from_db()
    assert photo.renditions == [320, 640, 1280]
    path = PurePosixPath(photo.image.name)
    names = [str(path.parent / "renditions" / f"{path.stem}-{w}w.webp") for w in (320, 640, 1280)]
    assert stored_files() == sorted([photo.image.name, *names])
    sizes = []
    for name in names:
        with photo.image.storage.open(name) as file, Image.open(file) as image:
            sizes.append((image.format, image.size))
    assert sizes == [("WEBP", (320, 160)), ("WEBP", (640, 320)), ("WEBP", (1280, 640))]


def test_photo_srcset_lists_renditions():
    photo = unsaved_photo(image_bytes(size=(2000, 1000)), "wide.jpg")
    photo.save()

    path = PurePosixPath(photo.image.name)
    url = f"/media/{path.parent}/renditions/{path.stem}"
    assert photo.srcset == f"{url}-320w.webp 320w, {url}-640w.webp 640w, {url}-1280w.webp 1280w"
    assert photo.src == f"{url}-640w.webp"
    assert photo.rendition_height(640) == 320


def test_photo_narrow_image_gets_one_rendition_at_own_width():
    photo = unsaved_photo(image_bytes(size=(300, 200)), "narrow.jpg")

    photo.save()

    path = PurePosixPath(photo.image.name)
    assert photo.renditions == [300]
    assert photo.srcset == f"/media/{path.parent}/renditions/{path.stem}-300w.webp 300w"


def test_photo_saved_again_keeps_file_and_renditions():
    photo = PhotoFactory()
    files_before = stored_files()

    photo.caption_en = "New caption"
    photo.full_clean()
    photo.save()

    photo.refresh_from_db()
    assert (stored_files(), photo.renditions, photo.caption_en) == (
        files_before,
        [320, 640, 700],
        "New caption",
    )


PhotoForm = modelform_factory(Photo, fields=["site", "image", "alt_text_en", "licence"])


def photo_form(file, site):
    return PhotoForm(
        data={"site": site.pk, "alt_text_en": "The monument", "licence": "CC0 1.0"},
        files={"image": file},
    )


def test_photo_form_refuses_svg():
    form = photo_form(upload("drawing.svg", svg_bytes(), "image/svg+xml"), MemorialSiteFactory())

    assert form.errors == {"image": [SVG]}
    assert (Photo.objects.count(), stored_files()) == (0, [])


@ignore_pillow_bomb_warning
def test_photo_form_refuses_pixel_bomb():
    form = photo_form(upload("bomb.png", bomb(), "image/png"), MemorialSiteFactory())

    assert form.errors == {"image": [TOO_MANY_PIXELS]}


def test_photo_form_accepts_jpeg():
    site = MemorialSiteFactory()
    form = photo_form(upload("photo.jpg", size=(800, 600)), site)

    assert form.errors == {}
    photo = form.save()

    assert list(site.photos.all()) == [photo]
    assert (photo.width, photo.height, photo.renditions) == (800, 600, [320, 640, 800])


def test_photo_form_field_accepts_only_photo_types():
    field = PhotoForm.base_fields["image"]

    assert field.widget.attrs["accept"] == "image/jpeg,image/png,image/webp"


# Replacing and deleting: a photo's file and its renditions go when no row refers to them
# any more, once the transaction commits (a rolled-back change still refers to them).


def photo_files(name, widths):
    path = PurePosixPath(name)
    return sorted([name, *(f"{path.parent}/renditions/{path.stem}-{w}w.webp" for w in widths)])


def test_photo_replaced_leaves_only_new_files(django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    old_files = stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        photo.image = ContentFile(image_bytes(size=(400, 300)), name="new.jpg")
        photo.save()

    assert stored_files() == photo_files(photo.image.name, [320, 400])
    assert [name for name in old_files if name in stored_files()] == []


def test_photo_replaced_through_form_leaves_only_new_files(django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    form = PhotoForm(
        data={"site": photo.site.pk, "alt_text_en": "The monument", "licence": "CC0 1.0"},
        files={"image": upload("new.jpg", size=(400, 300))},
        instance=photo,
    )

    with django_capture_on_commit_callbacks(execute=True):
        form.save()

    assert stored_files() == photo_files(photo.image.name, [320, 400])


def test_photo_deleted_leaves_no_files(django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    assert len(stored_files()) == 4

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()

    assert stored_files() == []


def test_site_deleted_leaves_no_photo_files(django_capture_on_commit_callbacks):
    site = MemorialSiteFactory()
    PhotoFactory.create_batch(2, site=site)
    kept = PhotoFactory()
    assert len(stored_files()) == 12

    with django_capture_on_commit_callbacks(execute=True):
        site.delete()

    assert stored_files() == photo_files(kept.image.name, kept.renditions)


def test_photo_files_stay_until_commit(django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    files = stored_files()

    with django_capture_on_commit_callbacks() as callbacks:
        photo.delete()
    assert stored_files() == files

    for callback in callbacks:  # the commit
        callback()
    assert stored_files() == []


def test_photo_replacement_rolled_back_keeps_old_files(django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    old_files = stored_files()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        photo.image = ContentFile(image_bytes(size=(400, 300)), name="new.jpg")
        photo.save()
        raise RuntimeError("the rest of the form failed")

    assert callbacks == []
    assert [name for name in old_files if name not in stored_files()] == []


def test_photo_file_shared_by_rows_stays_while_one_refers_to_it(
    django_capture_on_commit_callbacks,
):
    """Rows may share a file (the benchmark's data does): it goes with the last of them."""
    first = PhotoFactory()
    second = PhotoFactory(
        site=first.site, image=first.image.name, renditions=first.renditions, width=700
    )
    files = stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert stored_files() == files

    with django_capture_on_commit_callbacks(execute=True):
        second.delete()
    assert stored_files() == []


def test_photos_with_same_name_keep_own_renditions(django_capture_on_commit_callbacks):
    """photo.jpg and photo.png in one folder would share renditions named photo-320w.webp."""
    site = MemorialSiteFactory()
    jpeg = PhotoFactory(site=site, image=ContentFile(image_bytes(size=(700, 500)), "photo.jpg"))
    png = PhotoFactory(
        site=site, image=ContentFile(image_bytes(fmt="PNG", size=(500, 300)), "photo.png")
    )

    assert stored_files() == sorted(
        photo_files(jpeg.image.name, [320, 640, 700]) + photo_files(png.image.name, [320, 500])
    )
    with django_capture_on_commit_callbacks(execute=True):
        jpeg.delete()
    assert stored_files() == photo_files(png.image.name, [320, 500])


@save_outside_transaction
def test_photo_rendition_failure_leaves_no_files(monkeypatch):
    """The disk fills up (or S3 fails) half way through the renditions: the save fails, and
    neither the photo nor the renditions already written stay behind."""
    save = FileSystemStorage.save
    calls = []

    def save_until_full(storage, name, content, max_length=None):
        calls.append(name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return save(storage, name, content, max_length)

    monkeypatch.setattr(FileSystemStorage, "save", save_until_full)

    with pytest.raises(OSError, match="No space left"):
        unsaved_photo(image_bytes(size=(2000, 1000)), "wide.jpg").save()

    assert len(calls) == 3
    assert (Photo.objects.count(), stored_files()) == (0, [])


def failed_insert(site):
    """A photo whose row the database refuses after its files were written."""
    photo = Photo(
        site=site,
        image=ContentFile(image_bytes(size=(700, 500)), name="refused.jpg"),
        alt_text_en="The monument",
        licence=None,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        photo.save()


def age_files(days):
    root = Path(settings.MEDIA_ROOT)
    then = time.time() - days * 86400
    for path in root.rglob("*"):
        os.utime(path, (then, then))


def test_failed_insert_leaves_files_until_sweep(capsys):
    """Django has no hook for a rollback: files written by a save whose transaction then
    failed are found by the daily sweep once older than its grace period."""
    kept = PhotoFactory()
    failed_insert(kept.site)
    kept_files = photo_files(kept.image.name, kept.renditions)
    written = [name for name in stored_files() if name not in kept_files]
    assert len(written) == 4  # the failed photo and its three renditions

    call_command("delete_orphaned_photos")
    assert len(stored_files()) == 8  # too young: perhaps an upload still in progress

    age_files(days=2)
    call_command("delete_orphaned_photos")

    assert stored_files() == kept_files
    assert capsys.readouterr().out.splitlines()[-1] == "Deleted 4 orphaned files."


def test_sweep_keeps_files_rows_refer_to_and_other_folders(capsys):
    photo = PhotoFactory()
    storage = photo.image.storage
    storage.save("memorials/photos/2020/renditions/gone-320w.webp", ContentFile(b"x"))
    storage.save("memorials/photos/2020/gone.jpg", ContentFile(b"x"))
    storage.save("exports/guest-list.csv", ContentFile(b"x"))
    age_files(days=2)

    call_command("delete_orphaned_photos", "--dry-run")
    assert len(stored_files()) == 7
    call_command("delete_orphaned_photos")

    assert stored_files() == sorted(
        ["exports/guest-list.csv", *photo_files(photo.image.name, photo.renditions)]
    )
    assert capsys.readouterr().out.splitlines() == [
        "Would delete memorials/photos/2020/gone.jpg",
        "Would delete memorials/photos/2020/renditions/gone-320w.webp",
        "Would delete 2 orphaned files.",
        "Deleted 2 orphaned files.",
    ]
