"""The public's side of corrections and photos: the forms, what is kept of what is sent,
and the guards against spam and abuse."""

import io
import uuid

import pytest
from PIL import Image

from memorials.models import Correction, PhotoSubmission
from tests.factories import MemorialSiteFactory
from tests.images import exif_data, image_bytes, svg_bytes, upload

pytestmark = pytest.mark.django_db

THANKS = (
    "Nothing of it is published before the editors have reviewed it. "
    "We will write to you when they have decided."
)


@pytest.fixture
def site():
    return MemorialSiteFactory(slug="torgau-monument", name_en="Monument of the Meeting")


def correction_data(**changes):
    return {
        "field": "history",
        "proposed_text": "Unveiled in 1995.",
        "source": "https://example.org/torgau",
        "submitter_name": "Anna Schmidt",
        "email": "anna@example.org",
        "submission_key": str(uuid.uuid4()),
        "website": "",
        **changes,
    }


def photo_data(**changes):
    return {
        "image": upload("IMG_0042.jpg", exif=exif_data(gps=True)),
        "alt_text": "The monument seen from the river",
        "caption": "In spring",
        "credit": "Anna Schmidt",
        "licence": "CC BY 4.0",
        "rights": "on",
        "email": "anna@example.org",
        "submission_key": str(uuid.uuid4()),
        "website": "",
        **changes,
    }


def test_site_page_links_to_the_forms(client, page, site):
    shown = page(client.get("/en/memorials/torgau-monument/"))

    links = shown.find_all(
        "a", within=shown.find("section", **{"aria-labelledby": "improve-heading"})
    )

    assert [(a.text, a.attrs["href"]) for a in links] == [
        ("Propose a correction", "/en/memorials/torgau-monument/correct/"),
        ("Send a photo", "/en/memorials/torgau-monument/photo/"),
    ]


def test_correction_is_kept_out_of_sight_in_the_visitors_language(client, page, site):
    response = client.post("/de/memorials/torgau-monument/correct/", correction_data())

    assert response.status_code == 302
    assert response["Location"] == "/de/memorials/torgau-monument/thanks/"
    correction = Correction.objects.get()
    assert (
        correction.site,
        correction.field,
        correction.proposed_text,
        correction.language,
        correction.status,
    ) == (site, "history", "Unveiled in 1995.", "de", "pending")
    # Neither the German nor the English page shows what was sent.
    for language in ("de", "en"):
        shown = page(client.get(f"/{language}/memorials/torgau-monument/"))
        history = shown.find("section", **{"aria-labelledby": "history-heading"})
        assert shown.texts("p", within=history) == ["Built after the war."]


def test_thank_you_page_says_nothing_is_published_before_review(client, page, site):
    response = client.post("/en/memorials/torgau-monument/correct/", correction_data(), follow=True)

    shown = page(response)
    assert shown.texts("p", within=shown.find("div", role="status")) == [
        "We have received what you sent about Monument of the Meeting.",
        THANKS,
    ]


def test_form_pages_are_never_cached(client, site):
    for path in ("correct", "photo"):
        response = client.get(f"/en/memorials/torgau-monument/{path}/")
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_forms_of_an_unpublished_site_are_not_found(client):
    MemorialSiteFactory(slug="draft", is_published=False)

    assert [
        client.get(f"/en/memorials/draft/{path}/").status_code
        for path in ("correct", "photo", "thanks")
    ] == [404, 404, 404]


def test_correction_without_source_is_refused(client, page, site):
    response = client.post("/en/memorials/torgau-monument/correct/", correction_data(source=""))

    assert response.status_code == 400
    assert page(response).errors() == {"source": ["This field is required."]}
    assert Correction.objects.count() == 0


def test_coordinates_must_be_two_numbers_in_range(client, page, site):
    response = client.post(
        "/en/memorials/torgau-monument/correct/",
        correction_data(field="coordinates", proposed_text="north of the bridge"),
    )

    assert response.status_code == 400
    assert page(response).errors() == {
        "proposed_text": ["Give latitude and longitude as two numbers, e.g. 51.5601, 13.0061."]
    }


def test_correction_longer_than_the_field_is_refused(client, page, site):
    response = client.post(
        "/en/memorials/torgau-monument/correct/",
        correction_data(field="town", proposed_text="T" * 101),
    )

    assert response.status_code == 400
    assert page(response).errors() == {
        "proposed_text": ["This field holds at most 100 characters; yours has 101."]
    }


def test_form_sent_twice_is_saved_once(client, site):
    data = correction_data()

    first = client.post("/en/memorials/torgau-monument/correct/", data)
    second = client.post("/en/memorials/torgau-monument/correct/", data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert Correction.objects.count() == 1


def test_same_form_sent_by_someone_else_is_saved_on_its_own(client, site):
    data = correction_data()

    client.post("/en/memorials/torgau-monument/correct/", data)
    client.post("/en/memorials/torgau-monument/correct/", {**data, "email": "ben@example.org"})

    assert sorted(Correction.objects.values_list("email", flat=True)) == [
        "anna@example.org",
        "ben@example.org",
    ]


def test_honeypot_is_hidden_from_people_and_screen_readers(client, page, site):
    shown = page(client.get("/en/memorials/torgau-monument/correct/"))

    trap = shown.find("div", "form-trap")
    field = shown.find("input", name="website")
    assert (trap.attrs.get("aria-hidden"), "style" in trap.attrs) == ("true", False)
    assert (field.attrs["tabindex"], "style" in field.attrs) == ("-1", False)
    assert trap in field.ancestors
    assert shown.find("label", **{"for": "id_website"}).text == "Leave this field empty"


def test_honeypot_filled_in_is_thanked_and_dropped(client, site):
    response = client.post(
        "/en/memorials/torgau-monument/correct/",
        correction_data(website="http://spam.example"),
    )

    assert (response.status_code, response["Location"]) == (
        302,
        "/en/memorials/torgau-monument/thanks/",
    )
    assert Correction.objects.count() == 0


def test_too_many_submissions_from_one_address_are_refused(client, page, site, settings):
    settings.SUBMISSION_RATE_PER_IP = "2/h"

    statuses = [
        client.post("/en/memorials/torgau-monument/correct/", correction_data()).status_code
        for _ in range(3)
    ]
    refused = client.post("/en/memorials/torgau-monument/photo/", photo_data())

    assert statuses == [302, 302, 429]
    assert refused.status_code == 429
    assert page(refused).errors() == {
        None: ["Too many submissions from your network. Please try again later."]
    }
    assert (Correction.objects.count(), PhotoSubmission.objects.count()) == (2, 0)


def test_photo_is_stored_without_its_location_and_camera_data(client, site):
    response = client.post("/ru/memorials/torgau-monument/photo/", photo_data())

    assert response.status_code == 302
    submission = PhotoSubmission.objects.get()
    with submission.image.open("rb") as file:
        stored = file.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size, dict(image.getexif())) == ("JPEG", (800, 600), {})
    assert b"Camera maker" not in stored
    assert (submission.language, submission.status, submission.credit) == (
        "ru",
        "pending",
        "Anna Schmidt",
    )
    # Stored under a random name, not the visitor's.
    assert submission.image.name.startswith("memorials/submissions/")
    assert "IMG_0042" not in submission.image.name


def test_sent_photo_is_not_shown_on_the_site_page(client, page, site):
    client.post("/en/memorials/torgau-monument/photo/", photo_data())

    shown = page(client.get("/en/memorials/torgau-monument/"))

    assert shown.find_all("section", **{"aria-labelledby": "photos-heading"}) == []


def test_photo_over_the_size_limit_is_refused_with_its_size(client, page, site, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 10_000
    data = image_bytes(size=(800, 600))
    data += b"\0" * (20_000 - len(data))  # 20 kB, above the limit, still a JPEG

    response = client.post(
        "/en/memorials/torgau-monument/photo/", photo_data(image=upload("big.jpg", data))
    )

    assert response.status_code == 400
    assert page(response).errors() == {
        "image": ["This file is 19.5 KB; a photo may be at most 9.8 KB."]
    }
    assert PhotoSubmission.objects.count() == 0


def test_photo_needs_credit_licence_and_the_authors_agreement(client, page, site):
    response = client.post(
        "/en/memorials/torgau-monument/photo/",
        photo_data(credit="", licence="", rights=""),
    )

    assert response.status_code == 400
    assert page(response).errors() == {
        "credit": ["This field is required."],
        "licence": ["This field is required."],
        "rights": ["Only photos whose author agrees can be published."],
    }


def test_form_page_queries_do_not_grow_with_the_submissions(
    client, site, django_assert_max_num_queries
):
    def queries_for_form_page():
        with django_assert_max_num_queries(3) as captured:
            assert client.get("/en/memorials/torgau-monument/correct/").status_code == 200
        return len(captured)

    few = queries_for_form_page()
    for _ in range(20):
        client.post("/en/memorials/torgau-monument/correct/", correction_data())
    assert queries_for_form_page() == few


def test_photo_goes_through_the_same_checks_as_the_editors_uploads(client, page, site):
    response = client.post(
        "/en/memorials/torgau-monument/photo/",
        photo_data(image=upload("drawing.png", svg_bytes(), content_type="image/png")),
    )

    assert response.status_code == 400
    assert page(response).errors() == {
        "image": ["SVG drawings are not accepted. Please upload a JPEG, PNG or WebP photo."]
    }
    assert PhotoSubmission.objects.count() == 0
