import re

import pytest
from django.utils.html import escape
from PIL import Image

from memorials import demo_data
from memorials.models import HistoryNote, MemorialSite, Photo, SiteDate, Source
from tests.demo import load_demo

# Every test here reads the demo, loaded once for the module (see `demo` in conftest.py);
# each one's changes are rolled back after it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

LANGUAGES = ("en", "de", "ru")


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Source, MemorialSite, SiteDate, Photo, HistoryNote)
    }


def test_load_demo_creates_the_sites(demo):
    sites = MemorialSite.objects.order_by("slug")

    assert [site.slug for site in sites] == sorted(site["slug"] for site in demo_data.SITES)
    assert {
        site.slug: (site.name_en, site.name_de, site.name_ru, site.is_published) for site in sites
    } == {
        data["slug"]: (data["name"]["en"], data["name"]["de"], data["name"]["ru"], True)
        for data in demo_data.SITES
    }


def test_load_demo_counts(demo):
    assert counts() == {
        "Source": len(demo_data.SOURCES),
        "MemorialSite": len(demo_data.SITES),
        "SiteDate": sum(len(site.get("dates", [])) for site in demo_data.SITES),
        "Photo": len(demo_data.SITES),
        "HistoryNote": len(demo_data.HOME_INTRO),
    }


def test_load_demo_sites_have_their_sources(demo):
    titles = {number: source["title"] for number, source in demo_data.SOURCES.items()}

    assert {
        site.slug: sorted(source.title for source in site.sources.all())
        for site in MemorialSite.objects.published()
    } == {
        data["slug"]: sorted(titles[number] for number in data["sources"])
        for data in demo_data.SITES
    }
    assert [
        site.slug for site in MemorialSite.objects.published() if not site.sources.exists()
    ] == []


def test_load_demo_sites_are_valid(demo):
    for site in MemorialSite.objects.all():
        site.full_clean()


def test_load_demo_placeholder_photos_marked_and_described(demo):
    photos = Photo.objects.select_related("site").order_by("site__slug")

    assert [
        (
            photo.site.slug,
            photo.is_placeholder,
            bool(photo.alt_text_en),
            bool(photo.alt_text_de),
            bool(photo.alt_text_ru),
        )
        for photo in photos
    ] == [(slug, True, True, True, True) for slug in sorted(s["slug"] for s in demo_data.SITES)]
    torgau = photos.get(site__slug="denkmal-der-begegnung-torgau")
    assert torgau.alt_text_en == (
        "Placeholder drawing with the words 'Monument of the Meeting (Denkmal der Begegnung)'; "
        "not a photograph"
    )


def test_load_demo_placeholder_photos_processed_like_uploads(demo):
    photo = Photo.objects.first()

    with photo.image.storage.open(photo.image.name) as file, Image.open(file) as image:
        assert (image.format, image.size) == ("JPEG", (1200, 800))
    assert (photo.width, photo.height, photo.renditions) == (1200, 800, [320, 640, 1200])


def test_load_demo_flags_state_media_sources(demo):
    flagged = {
        source["title"]
        for source in demo_data.SOURCES.values()
        if source["caution"] == Source.Caution.STATE_MEDIA
    }

    assert flagged  # the demo data marks some
    assert (
        set(
            Source.objects.filter(caution=Source.Caution.STATE_MEDIA).values_list(
                "title", flat=True
            )
        )
        == flagged
    )


def test_load_demo_twice_changes_nothing(demo):
    """The module's demo is the first load, on an empty database; this test loads it a
    second time on top."""
    first_output = demo.output
    before = counts()
    stamps = dict(MemorialSite.objects.values_list("slug", "updated_at"))
    photo_files = sorted(Photo.objects.values_list("image", flat=True))

    second_output = load_demo()

    assert re.fullmatch(r"Demo content: \d+ new objects\.", first_output.splitlines()[0])
    assert second_output.splitlines()[0] == "Demo content: up to date."
    assert "Try the gate" in first_output
    assert counts() == before
    assert dict(MemorialSite.objects.values_list("slug", "updated_at")) == stamps
    assert sorted(Photo.objects.values_list("image", flat=True)) == photo_files


def test_load_demo_keeps_staff_edits(demo):
    """Staff edit the module's demo; then the command runs again."""
    MemorialSite.objects.filter(slug="denkmal-der-begegnung-torgau").update(
        name_en="Edited by staff"
    )

    load_demo()

    assert MemorialSite.objects.get(slug="denkmal-der-begegnung-torgau").name_en == (
        "Edited by staff"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_site_pages_render(client, demo, language):
    for url in (f"/{language}/", f"/{language}/memorials/", f"/{language}/memorials/map/"):
        response = client.get(url)
        assert response.status_code == 200, url

    for data in demo_data.SITES:
        response = client.get(f"/{language}/memorials/{data['slug']}/")
        name = data["name"][language] or data["name"]["en"]
        assert response.status_code == 200, data["slug"]
        assert re.findall(r"<h1>(.*?)</h1>", response.content.decode()) == [escape(name)]


def test_demo_site_page_shows_state_media_caution(client, demo):
    slugs = [
        data["slug"]
        for data in demo_data.SITES
        if any(demo_data.SOURCES[n]["caution"] == "state_media" for n in data["sources"])
    ]

    assert slugs
    for slug in slugs:
        response = client.get(f"/en/memorials/{slug}/")
        assert "State media: read with care." in response.content.decode()
