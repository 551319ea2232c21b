from pathlib import Path

import pytest
from django.conf import settings
from pytest_django.asserts import assertContains, assertInHTML

from memorials.models import MemorialSite, Photo, SiteDate
from tests.factories import MemorialSiteFactory, PhotoFactory, SourceFactory
from tests.images import svg_bytes, upload

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/memorials/memorialsite/"
ADD = "/en/admin/memorials/memorialsite/add/"
SVG = "SVG drawings are not accepted. Please upload a JPEG, PNG or WebP photo."


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def change_url(site):
    return f"/en/admin/memorials/memorialsite/{site.pk}/change/"


def test_admin_changelist_lists_sites(admin_client):
    strehla = MemorialSiteFactory(name_en="Strehla")
    torgau = MemorialSiteFactory(name_en="Torgau")
    draft = MemorialSiteFactory(name_en="Draft", is_published=False)

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [draft, strehla, torgau]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Strehla", ["Strehla"]), ("riesa", ["Riesa market"]), ("Paris", [])],
)
def test_admin_changelist_search(admin_client, query, expected):
    MemorialSiteFactory(name_en="Strehla")
    MemorialSiteFactory(name_en="Riesa market", town_en="Riesa")

    response = admin_client.get(CHANGELIST, {"q": query})

    assert [site.name for site in response.context["cl"].result_list] == expected


def test_admin_change_form_has_fields_for_three_languages(admin_client):
    site = MemorialSiteFactory(name_en="Torgau", name_de="Torgau DE", name_ru="Торгау")

    response = admin_client.get(change_url(site))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [form[name].value() for name in ("name_en", "name_de", "name_ru")] == [
        "Torgau",
        "Torgau DE",
        "Торгау",
    ]
    for name in ("name_en", "name_de", "name_ru", "summary_en", "town_ru"):
        assertContains(response, f'name="{name}"', count=1)


def test_admin_photo_inline_shows_thumbnail(admin_client):
    photo = PhotoFactory(alt_text_en="The monument seen from the river")

    response = admin_client.get(change_url(photo.site))

    assert photo.renditions == [320, 640, 700]
    assertInHTML(
        f'<img src="{photo.rendition_url(320)}" width="320" height="229" '
        'alt="The monument seen from the river">',
        response.content.decode(),
        count=1,
    )


def site_form_data(**overrides):
    """What the admin add form posts for a site with one photo and no dates."""
    return {
        "name_en": "Monument of the Meeting",
        "name_de": "Denkmal der Begegnung",
        "name_ru": "",
        "slug": "denkmal-der-begegnung",
        "kind": "monument",
        "summary_en": "On the Elbe.",
        "town_en": "Torgau",
        "country": "DE",
        "latitude": "51.56",
        "longitude": "13.01",
        "location_precision": "town",
        "is_published": "on",
        "status": "standing",
        "dates-TOTAL_FORMS": "0",
        "dates-INITIAL_FORMS": "0",
        "dates-MIN_NUM_FORMS": "0",
        "dates-MAX_NUM_FORMS": "1000",
        "photos-TOTAL_FORMS": "1",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
        "photos-0-alt_text_en": "The monument from the river",
        "photos-0-licence": "CC BY-SA 4.0",
        "photos-0-position": "0",
        **overrides,
    }


def test_admin_add_site_with_photo(admin_client):
    response = admin_client.post(ADD, site_form_data(**{"photos-0-image": upload("photo.jpg")}))

    assert response.status_code == 302
    site = MemorialSite.objects.get()
    photo = Photo.objects.get()
    assert (site.name_de, photo.site, photo.alt_text_en, photo.renditions) == (
        "Denkmal der Begegnung",
        site,
        "The monument from the river",
        [320, 640, 800],
    )


def test_admin_add_site_refuses_svg_photo(admin_client):
    data = site_form_data(**{"photos-0-image": upload("drawing.svg", svg_bytes(), "image/svg+xml")})

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    photo_formset = response.context["inline_admin_formsets"][1].formset
    assert photo_formset.errors == [{"image": [SVG]}]
    assertContains(response, SVG, count=1)
    assert (MemorialSite.objects.count(), Photo.objects.count(), stored_files()) == (0, 0, [])


def test_admin_change_site_refuses_invalid_location(admin_client):
    site = MemorialSiteFactory()
    data = site_form_data(
        slug=site.slug,
        latitude="51.56",
        longitude="",
        **{"photos-TOTAL_FORMS": "0"},
    )

    response = admin_client.post(change_url(site), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Give both latitude and longitude, or neither."
    ]
    site.refresh_from_db()
    assert (str(site.latitude), str(site.longitude)) == ("51.560000", "13.010000")


def test_admin_add_site_date_needs_month(admin_client):
    data = site_form_data(
        **{
            "photos-TOTAL_FORMS": "0",
            "dates-TOTAL_FORMS": "1",
            "dates-0-kind": "dedicated",
            "dates-0-year": "1945",
            "dates-0-day": "25",
        }
    )

    response = admin_client.post(ADD, data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors == [
        {"day": ["A day needs a month."]}
    ]
    assert (MemorialSite.objects.count(), SiteDate.objects.count()) == (0, 0)


def test_admin_source_changelist(admin_client):
    source = SourceFactory(title="TASS", caution="state_media")

    response = admin_client.get("/en/admin/memorials/source/", {"caution": "state_media"})

    assert list(response.context["cl"].result_list) == [source]


@pytest.mark.parametrize("url", [CHANGELIST, ADD, "/en/admin/memorials/source/"])
def test_admin_anonymous_redirected_to_login(client, url):
    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/en/admin/login/?next={url}")


def test_admin_staff_without_permission_refused(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(user)

    assert client.get(CHANGELIST).status_code == 403
