"""Media on S3-compatible object storage: photos in a public bucket, press letters in a
private one, against moto's S3 server on a free port (started and stopped here).

The storage settings are the ones `elbeday.settings` makes from the environment, read in
a process of its own, so these tests check the settings as a server would start with them.
"""

import io
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from elbeday.images import rendition_name
from memorials.models import Photo
from registrations.models import PressAccreditation
from tests.factories import (
    CeremonyFactory,
    PhotoFactory,
    PressAccreditationFactory,
    SeatCategoryFactory,
    UserFactory,
)
from tests.helpers import logged_in
from tests.images import upload
from tests.memorials.test_admin import site_form_data

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MEDIA_BUCKET = "elbeday-media"
LETTERS_BUCKET = "elbeday-letters"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{MEDIA_BUCKET}/*",
        }
    ],
}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def settings_process(code, **env):
    """Run `code` after django.setup() with elbeday.settings in production mode and only
    the S3 variables given here (any others in this environment are left out)."""
    environment = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AWS_") and key != "MEDIA_URL"
        },
        "DJANGO_SETTINGS_MODULE": "elbeday.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "insecure-key-for-tests-only",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def media_settings(**env):
    """The media settings elbeday.settings makes from `env`."""
    result = settings_process(
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'STORAGES': s.STORAGES, 'MEDIA_URL': s.MEDIA_URL, 'SERVE_MEDIA': s.SERVE_MEDIA, "
        "'CONTENT_SECURITY_POLICY': s.CONTENT_SECURITY_POLICY}))",
        **env,
    )
    assert (result.returncode, result.stderr) == (0, "")
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def s3_server():
    """The address of an S3 server of this module's own."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def s3_settings(s3_server):
    return media_settings(
        AWS_STORAGE_BUCKET_NAME=MEDIA_BUCKET,
        AWS_PRIVATE_BUCKET_NAME=LETTERS_BUCKET,
        AWS_S3_ENDPOINT_URL=s3_server,
        AWS_S3_REGION_NAME="us-east-1",
        **CREDENTIALS,
    )


@pytest.fixture
def s3(s3_server, s3_settings, settings):
    """Empty buckets on the server, and the settings that use them; gives an S3 client."""
    urllib.request.urlopen(urllib.request.Request(f"{s3_server}/moto-api/reset", method="POST"))
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    for bucket in (MEDIA_BUCKET, LETTERS_BUCKET):
        client.create_bucket(Bucket=bucket)
    # As the operator sets up the public bucket (.env.example): anyone may read its objects.
    client.put_bucket_policy(Bucket=MEDIA_BUCKET, Policy=json.dumps(PUBLIC_READ))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_settings["STORAGES"]["default"],
        "private": s3_settings["STORAGES"]["private"],
    }
    settings.MEDIA_URL = s3_settings["MEDIA_URL"]
    settings.CONTENT_SECURITY_POLICY = s3_settings["CONTENT_SECURITY_POLICY"]
    return client


def keys(client, bucket):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def object_bytes(client, bucket, key):
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def local_files(folder):
    return sorted(str(path) for path in Path(folder).rglob("*") if path.is_file())


def anonymous_get(url):
    """What a browser gets from `url` (no credentials, no signature): the status, the
    content type and the content."""
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, None, b""


# Settings


@pytest.mark.parametrize(
    ("env", "media_url"),
    [
        (
            {"AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000/"},
            f"http://127.0.0.1:9000/{MEDIA_BUCKET}/",
        ),
        (
            {"AWS_S3_REGION_NAME": "eu-central-1"},
            f"https://{MEDIA_BUCKET}.s3.eu-central-1.amazonaws.com/",
        ),
        (
            {
                "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
                "AWS_S3_CUSTOM_DOMAIN": "media.example.org",
            },
            "https://media.example.org/",
        ),
    ],
)
def test_settings_with_a_bucket_serve_photos_from_its_address(env, media_url):
    media = media_settings(
        AWS_STORAGE_BUCKET_NAME=MEDIA_BUCKET, AWS_PRIVATE_BUCKET_NAME=LETTERS_BUCKET, **env
    )

    public, private = media["STORAGES"]["default"], media["STORAGES"]["private"]
    origin = "/".join(media_url.split("/")[:3])
    assert (media["MEDIA_URL"], media["SERVE_MEDIA"]) == (media_url, False)
    assert media["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"] == ["'self'", "data:", origin]
    assert (public["BACKEND"], public["OPTIONS"]["bucket_name"]) == (
        "storages.backends.s3.S3Storage",
        MEDIA_BUCKET,
    )
    assert public["OPTIONS"]["querystring_auth"] is False
    assert (private["BACKEND"], private["OPTIONS"]["bucket_name"]) == (
        "storages.backends.s3.S3Storage",
        LETTERS_BUCKET,
    )


@pytest.mark.parametrize("private_bucket", [None, MEDIA_BUCKET])
def test_settings_refuse_a_public_bucket_without_a_private_one(private_bucket):
    env = {"AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET}
    if private_bucket:
        env["AWS_PRIVATE_BUCKET_NAME"] = private_bucket

    result = settings_process("", **env)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: AWS_PRIVATE_BUCKET_NAME must name a "
        "bucket of its own, never made public, when AWS_STORAGE_BUCKET_NAME is set: press "
        "letters must not be stored in the public media bucket (see .env.example)."
    )


def test_settings_without_a_bucket_keep_media_on_this_machine():
    media = media_settings()

    assert (
        media["STORAGES"]["default"],
        media["STORAGES"]["private"],
        media["MEDIA_URL"],
    ) == (
        {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        {"BACKEND": "elbeday.storage.PrivateStorage"},
        "/media/",
    )


# Photos in the public bucket


@pytest.mark.django_db
def test_photo_uploaded_through_the_admin_is_stored_in_the_bucket_with_its_renditions(
    s3, admin_client, settings
):
    response = admin_client.post(
        "/en/admin/memorials/memorialsite/add/",
        site_form_data(**{"photos-0-image": upload("photo.jpg", size=(800, 600))}),
    )

    assert response.status_code == 302
    photo = Photo.objects.get()
    renditions = [rendition_name(photo.image.name, width) for width in (320, 640, 800)]
    assert photo.renditions == [320, 640, 800]
    assert keys(s3, MEDIA_BUCKET) == sorted([photo.image.name, *renditions])
    assert (keys(s3, LETTERS_BUCKET), local_files(settings.MEDIA_ROOT)) == ([], [])
    with Image.open(io.BytesIO(object_bytes(s3, MEDIA_BUCKET, photo.image.name))) as stored:
        assert (stored.format, stored.size) == ("JPEG", (800, 600))
    for rendition, width in zip(renditions, (320, 640, 800), strict=True):
        stored = s3.get_object(Bucket=MEDIA_BUCKET, Key=rendition)
        assert stored["ContentType"] == "image/webp"
        with Image.open(stored["Body"]) as image:
            assert (image.format, image.width) == ("WEBP", width)


@pytest.mark.django_db
def test_photo_page_shows_the_photo_from_the_bucket(s3, s3_server, client, page):
    photo = PhotoFactory(alt_text_en="The monument seen from the river")
    media_url = f"{s3_server}/{MEDIA_BUCKET}/"

    response = client.get(photo.site.get_absolute_url())

    image = page(response).find("img", alt="The monument seen from the river")
    assert image.attrs["src"] == media_url + rendition_name(photo.image.name, 640)
    assert image.attrs["srcset"] == ", ".join(
        f"{media_url}{rendition_name(photo.image.name, width)} {width}w"
        for width in (320, 640, 700)
    )
    # The browser may load them: the policy allows the bucket's address.
    img_src = next(
        directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
        if directive.split()[0] == "img-src"
    )
    assert s3_server in img_src
    for width in (320, 640, 700):
        name = rendition_name(photo.image.name, width)
        assert anonymous_get(media_url + name) == (
            200,
            "image/webp",
            object_bytes(s3, MEDIA_BUCKET, name),
        )


@pytest.mark.django_db
def test_photo_deleted_takes_its_objects_with_it(s3, django_capture_on_commit_callbacks):
    photo = PhotoFactory()
    kept = PhotoFactory()
    assert len(keys(s3, MEDIA_BUCKET)) == 8

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()

    assert keys(s3, MEDIA_BUCKET) == sorted(
        [kept.image.name, *(rendition_name(kept.image.name, w) for w in kept.renditions)]
    )


# Press letters in the private bucket


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

    return UserFactory(username="paula", is_staff=True, groups=[PROTOCOL])


def pdf_upload():
    return SimpleUploadedFile("letter.pdf", PDF, "application/pdf")


@pytest.mark.django_db
def test_press_letter_is_stored_in_the_private_bucket_for_the_owner_alone(
    s3, s3_server, client, ceremony, settings
):
    response = client.post(
        reverse("registrations:press_apply", kwargs={"slug": ceremony.slug}),
        {
            "name": "Jana Nowak",
            "outlet": "Torgauer Zeitung",
            "role": "photographer",
            "email": "jana@example.org",
            "language": "de",
            "consent_privacy": "on",
            "letter": pdf_upload(),
        },
    )

    assert response.status_code == 302
    letter = PressAccreditation.objects.get().letter
    assert keys(s3, LETTERS_BUCKET) == [letter.name]
    assert object_bytes(s3, LETTERS_BUCKET, letter.name) == PDF
    assert (keys(s3, MEDIA_BUCKET), local_files(settings.PRIVATE_MEDIA_ROOT)) == ([], [])
    # Readable by the bucket's owner alone: no grant to anyone else (AllUsers,
    # AuthenticatedUsers), and no bucket policy that would open it.
    object_acl = s3.get_object_acl(Bucket=LETTERS_BUCKET, Key=letter.name)
    bucket_acl = s3.get_bucket_acl(Bucket=LETTERS_BUCKET)
    for acl in (object_acl, bucket_acl):
        assert [
            (grant["Grantee"]["Type"], grant["Grantee"].get("ID"), grant["Permission"])
            for grant in acl["Grants"]
        ] == [("CanonicalUser", acl["Owner"]["ID"], "FULL_CONTROL")]
    with pytest.raises(ClientError) as error:
        s3.get_bucket_policy(Bucket=LETTERS_BUCKET)
    assert error.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
    assert anonymous_get(f"{s3_server}/{LETTERS_BUCKET}/{letter.name}") == (403, None, b"")
    with pytest.raises(ValueError, match="no URL"):
        _ = letter.url


@pytest.mark.django_db
def test_press_letter_has_no_address_in_any_page(s3, s3_server, ceremony, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony, letter=pdf_upload())
    staff = logged_in(protocol)
    download = reverse("staff:press_letter", args=[accreditation.pk])
    pages = {
        "staff list": staff.get(reverse("staff:press", kwargs={"slug": ceremony.slug})),
        "journalist's page": logged_in(None).get(
            reverse("registrations:press_manage", args=[accreditation.manage_token])
        ),
        "admin": logged_in(UserFactory(is_staff=True, is_superuser=True)).get(
            f"/en/admin/registrations/pressaccreditation/{accreditation.pk}/change/"
        ),
    }

    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(
        pages, 200
    )
    for response in pages.values():
        content = response.content.decode()
        for address in (s3_server, LETTERS_BUCKET, accreditation.letter.name):
            assert address not in content
    assert f'href="{download}"' in pages["staff list"].content.decode()


@pytest.mark.django_db
def test_press_letter_is_downloaded_by_staff_through_the_app(s3, ceremony, protocol):
    accreditation = PressAccreditationFactory(ceremony=ceremony, letter=pdf_upload())
    url = reverse("staff:press_letter", args=[accreditation.pk])

    response = logged_in(protocol).get(url)
    anonymous = logged_in(None).get(url)

    assert (response.status_code, response.content, response["Content-Type"]) == (
        200,
        PDF,
        "application/pdf",
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="press-letter-{accreditation.pk}.pdf"'
    )
    assert (anonymous.status_code, anonymous.content) == (302, b"")
