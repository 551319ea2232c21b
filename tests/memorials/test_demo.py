import re

import pytest
from django.utils.html import escape
from PIL import Image

from events.models import Ceremony
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


def test_demo_lorenzkirch_stone_stands_by_the_village_cemetery_not_in_the_meadows(demo):
    """The stone stands in front of the village cemetery on the Alte Salzstraße; the Elbe
    meadows are where the bodies lay in 1945, not where the stone is."""
    stone = MemorialSite.objects.get(slug="gedenkstein-lorenzkirch")
    where = {
        language: " ".join(
            getattr(stone, f"{field}_{language}") for field in ("summary", "visiting_info")
        )
        for language in LANGUAGES
    }

    assert [
        re.search(r"Elbe meadows|Elbwiesen|луг|пойм", text, re.IGNORECASE)
        for text in where.values()
    ] == [None, None, None]
    assert [
        bool(re.search(r"cemetery|friedhof|кладбищ", text, re.IGNORECASE))
        and "Salz" in text + stone.address
        for text in where.values()
    ] == [True, True, True]
    assert stone.address == "Alte Salzstraße"


def test_demo_lorenzkirch_stone_given_by_the_kulturverein_not_dedicated_by_it(demo, client, page):
    stone = MemorialSite.objects.get(slug="gedenkstein-lorenzkirch")
    dedicated = stone.dates.get(kind="dedicated")

    facts = page(client.get(stone.get_absolute_url()))

    assert [getattr(stone, f"dedicated_by_{language}") for language in LANGUAGES] == ["", "", ""]
    assert "Dedicated by" not in facts.texts("dt")
    assert dedicated.note_en == "The stone was given by the Kulturverein Lorenzkirch."
    assert "Gabe des Kulturvereins" in dedicated.note_de
    assert "подарило" in dedicated.note_ru


def demo_texts():
    """(where, language, text) for every text of the demo content people read."""
    texts = []
    for data in demo_data.SITES:
        for field in ("summary", "history", "visiting_info", "inscription_note"):
            for language, text in (data.get(field) or {}).items():
                texts.append((f"{data['slug']}.{field}", language, text))
    for number, note in enumerate(demo_data.HOME_INTRO):
        texts += [(f"home note {number}", language, note[language]) for language in LANGUAGES]
    for ceremony in Ceremony.objects.all():
        for field in ("title", "summary", "description", "status_note"):
            for language in LANGUAGES:
                texts.append(
                    (
                        f"{ceremony.slug}.{field}",
                        language,
                        getattr(ceremony, f"{field}_{language}") or "",
                    )
                )
    return texts


FIRST = {
    "en": re.compile(r"\bfirst\b(?! Lt)", re.IGNORECASE),
    "de": re.compile(r"\berste[nmrs]?\b", re.IGNORECASE),
    "ru": re.compile(r"перв(?!ого лейтенанта)|впервые", re.IGNORECASE),
}
ACCOUNTS_DIFFER = {
    "en": re.compile(r"\bdiffer\b"),
    "de": re.compile(r"auseinander|unterschiedlich"),
    "ru": re.compile(r"расход"),
}


def test_demo_says_first_contact_only_saying_that_accounts_differ(demo):
    """The fact sheet: some accounts put a first contact earlier, at Leckwitz; wherever
    the demo calls a meeting the first, it says that accounts differ."""
    unqualified = [
        (where, language, text)
        for where, language, text in demo_texts()
        if FIRST[language].search(text) and not ACCOUNTS_DIFFER[language].search(text)
    ]

    assert unqualified == []


def test_demo_museum_display_is_not_called_permanent(demo):
    assert [
        (where, language)
        for where, language, text in demo_texts()
        if re.search(r"permanent|Dauerausstellung|постоянн", text, re.IGNORECASE)
    ] == []


def test_demo_arlington_marker_shows_its_text_as_the_marker_has_it(demo, client, page, translated):
    marker = MemorialSite.objects.get(slug="spirit-of-the-elbe-marker-arlington")
    pages = {
        language: page(client.get(f"/{language}{marker.get_absolute_url()[3:]}"))
        for language in LANGUAGES
    }

    for language, shown in pages.items():
        inscription = shown.find("section", **{"aria-labelledby": "inscription-heading"})
        original_label = translated(language, "Original (%(language)s):") % {
            "language": getattr(marker, f"inscription_language_{language}")
        }
        texts = shown.texts("p", within=inscription)
        quotes = shown.texts("blockquote", within=inscription)
        assert texts[0] == original_label
        assert quotes[0] == marker.inscription
        assert texts[1] == getattr(marker, f"inscription_note_{language}")
        assert "Russian" in marker.inscription_note_en
        if language == "en":
            assert (texts[2:], quotes[1:]) == ([], [])
        else:
            assert texts[2:] == [
                translated(language, "Our translation (not part of the inscription):")
            ]
            assert quotes[1:] == [getattr(marker, f"inscription_translation_{language}")]
    assert pages["en"].texts("p")[0] != "Original (English and Russian):"


def source_numbers(shown):
    """The numbers of a page's source list, in page order."""
    return [
        int(re.match(r"\[(\d+)\]", item.text).group(1))
        for item in shown.find_all("li")
        if (item.attrs.get("id") or "").startswith("source-")
    ]


def test_demo_memorial_pages_number_their_sources_in_order(demo, client, page):
    for site in MemorialSite.objects.published():
        for language in LANGUAGES:
            shown = page(client.get(f"/{language}{site.get_absolute_url()[3:]}"))
            assert source_numbers(shown) == list(range(1, site.sources.count() + 1)), (
                site.slug,
                language,
            )


def test_demo_ceremony_page_numbers_its_sources_in_order(demo, client, page):
    ceremony = Ceremony.objects.get(slug="elbe-day-2025")

    shown = page(client.get(ceremony.get_absolute_url()))

    assert source_numbers(shown) == [1, 2]


def test_demo_home_page_citations_read_in_order(demo, client, page):
    shown = page(client.get("/en/"))
    cited = [int(link.text.strip("[]")) for link in shown.find_all("a", class_="source-ref")]
    first_citations = list(dict.fromkeys(cited))

    assert first_citations == list(range(1, len(first_citations) + 1))
    assert source_numbers(shown) == first_citations


def test_load_demo_corrects_the_home_note_of_an_earlier_demo_instead_of_adding_one(demo):
    (first_note,) = [note for note in demo_data.HOME_INTRO if "replaces" in note]
    stored = HistoryNote.objects.get(text_en=first_note["en"])
    stored.text_en = first_note["replaces"][0]
    stored.save()
    before = HistoryNote.objects.count()

    load_demo()

    stored.refresh_from_db()
    assert HistoryNote.objects.count() == before
    assert stored.text_en == first_note["en"]
