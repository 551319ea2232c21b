import pytest
from django.core.files.base import ContentFile
from django.utils.text import capfirst
from django.utils.translation import gettext, override

from memorials.models import MemorialSite, Source
from tests.factories import (
    CeremonyFactory,
    HistoryNoteFactory,
    MemorialSiteFactory,
    PhotoFactory,
    SiteDateFactory,
    SourceFactory,
)
from tests.html import Page
from tests.images import image_bytes

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "de", "ru"]


def get_page(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return Page(response.content)


def card_names(page):
    return page.texts("a", class_="stretched-link")


def translated(language, message):
    with override(language):
        return gettext(message)


@pytest.fixture
def torgau():
    return MemorialSiteFactory(
        name_en="Monument of the Meeting",
        name_de="Denkmal der Begegnung",
        name_ru="Памятник встрече",
        slug="denkmal-der-begegnung",
        town_de="Torgau",
        latitude="51.560000",
        longitude="13.010000",
    )


def site_page_urls(language, site):
    return [
        f"/{language}/",
        f"/{language}/memorials/",
        f"/{language}/memorials/{site.slug}/",
        f"/{language}/memorials/map/",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_in_language(client, torgau, language):
    expected_name = {
        "en": "Monument of the Meeting",
        "de": "Denkmal der Begegnung",
        "ru": "Памятник встрече",
    }[language]

    for url in site_page_urls(language, torgau):
        page = get_page(client, url)

        assert page.find("html").attrs["lang"] == language, url
        assert len(page.find_all("h1")) == 1, url
        skip_link = page.find_all("a")[0]
        assert (skip_link.attrs["href"], skip_link.text) == (
            "#main",
            translated(language, "Skip to main content"),
        ), url
        assert page.find("main").attrs["id"] == "main", url
        if url.endswith("/map/"):
            # The map's sites are in its GeoJSON file (tests/memorials/test_map.py).
            continue
        assert expected_name in page.texts("h1") + card_names(page) + page.texts("td"), url


@pytest.mark.parametrize("language", LANGUAGES)
def test_detail_page_heading_and_title_in_language(client, torgau, language):
    page = get_page(client, f"/{language}/memorials/{torgau.slug}/")

    with override(language):
        name = MemorialSite.objects.get(pk=torgau.pk).name
        title = f"{name} · {gettext('Elbe Day')}"
    assert (page.find("h1").text, page.find("title").text) == (name, title)


@pytest.mark.parametrize(("accept", "location"), [("de", "/de/"), ("ru", "/ru/"), ("en", "/en/")])
def test_root_redirects_to_browser_language(client, accept, location):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)

    assert (response.status_code, response["Location"]) == (302, location)


def test_root_redirects_unknown_language_to_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")

    assert (response.status_code, response["Location"]) == (302, "/en/")


def test_untranslated_site_shows_english_name_in_german_and_russian(client):
    site = MemorialSiteFactory(name_en="Elbe Day Memorial", name_de="", name_ru=None)

    for language in ("de", "ru"):
        page = get_page(client, f"/{language}/memorials/{site.slug}/")
        assert page.find("h1").text == "Elbe Day Memorial"
        assert card_names(get_page(client, f"/{language}/memorials/")) == ["Elbe Day Memorial"]


def test_list_shows_published_sites_only(client):
    MemorialSiteFactory(name_en="Strehla")
    MemorialSiteFactory(name_en="Torgau")
    MemorialSiteFactory(name_en="Secret draft", is_published=False)

    page = get_page(client, "/en/memorials/")

    assert card_names(page) == ["Strehla", "Torgau"]
    assert page.find("p", role="status").text == "2 sites"


def test_home_shows_published_sites_and_notes(client):
    MemorialSiteFactory(name_en="Torgau")
    MemorialSiteFactory(name_en="Secret draft", is_published=False)
    source = SourceFactory(title="Evening Star", author="")
    note = HistoryNoteFactory(text_en="The armies met at Torgau.")
    note.sources.set([source])
    HistoryNoteFactory(text_en="An unpublished note.", is_published=False)

    page = get_page(client, "/en/")

    assert card_names(page) == ["Torgau"]
    # The first sentence opens the page; the notes follow in full with their sources.
    assert [text for text in page.texts("p") if text.startswith("The armies")] == [
        "The armies met at Torgau.",
        "The armies met at Torgau. [1]",
    ]
    assert page.texts("li", id=f"source-{source.pk}") == ["[1] Evening Star."]
    assert b"An unpublished note." not in client.get("/en/").content


def test_draft_detail_page_not_found(client):
    draft = MemorialSiteFactory(is_published=False)

    for language in LANGUAGES:
        assert client.get(f"/{language}/memorials/{draft.slug}/").status_code == 404


def test_unknown_slug_not_found(client):
    assert client.get("/en/memorials/no-such-site/").status_code == 404


def map_data(client, language):
    """The sites the map page's script draws: the catalogue's GeoJSON features."""
    page = get_page(client, f"/{language}/memorials/map/")
    response = client.get(page.find("div", id="map").attrs["data-geojson"])
    return [
        {**feature["properties"], "lon_lat": feature["geometry"]["coordinates"]}
        for feature in response.json()["features"]
    ]


def test_map_data_lists_published_sites_with_coordinates(client, settings):
    settings.SITE_URL = "https://elbeday.example.org"
    torgau = MemorialSiteFactory(
        name_en="Torgau", latitude="51.560000", longitude="13.010000", location_precision="town"
    )
    strehla = MemorialSiteFactory(
        name_en="Strehla",
        kind=MemorialSite.Kind.PLAQUE,
        town_en="Strehla",
        latitude="51.352000",
        longitude="13.225000",
        location_precision="exact",
    )
    MemorialSiteFactory(name_en="Draft", is_published=False)
    MemorialSiteFactory(
        name_en="Nowhere", latitude=None, longitude=None, location_precision="unknown"
    )

    assert map_data(client, "en") == [
        {
            "name": "Strehla",
            "url": f"https://elbeday.example.org/en/memorials/{strehla.slug}/",
            "kind": "plaque",
            "kind_label": "plaque",
            "town": "Strehla",
            "status": "standing",
            "status_label": "standing",
            "approximate": False,
            "lon_lat": [13.225, 51.352],
        },
        {
            "name": "Torgau",
            "url": f"https://elbeday.example.org/en/memorials/{torgau.slug}/",
            "kind": "monument",
            "kind_label": "monument",
            "town": "Torgau",
            "status": "standing",
            "status_label": "standing",
            "approximate": True,
            "lon_lat": [13.01, 51.56],
        },
    ]


def test_map_data_in_russian(client, settings, torgau):
    settings.SITE_URL = "https://elbeday.example.org"

    assert [(site["name"], site["url"], site["town"]) for site in map_data(client, "ru")] == [
        (
            "Памятник встрече",
            "https://elbeday.example.org/ru/memorials/denkmal-der-begegnung/",
            "Торгау",
        )
    ]


def test_nearby_excludes_drafts(client, torgau):
    strehla = MemorialSiteFactory(name_en="Strehla", latitude="51.352000", longitude="13.225000")
    MemorialSiteFactory(
        name_en="Draft", latitude="51.561000", longitude="13.011000", is_published=False
    )

    page = get_page(client, f"/en/memorials/{torgau.slug}/")

    assert page.texts("a", href=f"/en/memorials/{strehla.slug}/") == ["Strehla"]
    nearby = [item.text for item in page.find_all("li") if "km away" in item.text]
    assert nearby == ["Strehla · monument · 27.5 km away"]
    assert "Draft" not in page.texts("a")


@pytest.fixture
def filter_sites():
    torgau = MemorialSiteFactory(name_en="Torgau", country="DE", kind="monument")
    strehla = MemorialSiteFactory(name_en="Strehla", country="DE", kind="plaque")
    chicago = MemorialSiteFactory(
        name_en="Chicago",
        country="US",
        kind="plaque",
        latitude=None,
        longitude=None,
        location_precision="unknown",
    )
    MemorialSiteFactory(name_en="French draft", country="FR", kind="museum", is_published=False)
    return torgau, strehla, chicago


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Chicago", "Strehla", "Torgau"]),
        ("?country=DE", ["Strehla", "Torgau"]),
        ("?kind=plaque", ["Chicago", "Strehla"]),
        ("?country=DE&kind=plaque", ["Strehla"]),
        ("?country=US&kind=monument", []),
        # Unknown values, and values only drafts have, are ignored rather than failing.
        ("?country=ZZ&kind=nonsense", ["Chicago", "Strehla", "Torgau"]),
        ("?country=FR", ["Chicago", "Strehla", "Torgau"]),
        ("?kind=museum&page=1", ["Chicago", "Strehla", "Torgau"]),
    ],
)
def test_list_filters(client, filter_sites, query, expected):
    page = get_page(client, f"/en/memorials/{query}")

    assert card_names(page) == expected


def test_list_filter_choices_only_from_published_sites(client, filter_sites):
    page = get_page(client, "/en/memorials/")

    country = page.find("select", name="country")
    kind = page.find("select", name="kind")
    options = [(element.attrs["value"], element.text) for element in page.find_all("option")]
    assert (country.attrs["name"], kind.attrs["name"]) == ("country", "kind")
    assert options == [
        ("", "All countries"),
        ("DE", "Germany"),
        ("US", "United States of America"),
        ("", "All kinds"),
        ("monument", "monument"),
        ("plaque", "plaque"),
        ("", "Any status"),
        ("standing", "standing"),
    ]


def test_list_no_match_message(client, filter_sites):
    page = get_page(client, "/en/memorials/?country=US&kind=monument")

    assert page.find("p", role="status").text == "0 sites"
    assert "No memorial site matches these filters." in page.texts("p")


@pytest.fixture
def thirteen_sites():
    return [MemorialSiteFactory(name_en=f"Site {n:02}") for n in range(1, 14)]


def test_list_paginated_twelve_per_page(client, thirteen_sites):
    first = get_page(client, "/en/memorials/")
    second = get_page(client, "/en/memorials/?page=2")

    assert card_names(first) == [f"Site {n:02}" for n in range(1, 13)]
    assert card_names(second) == ["Site 13"]
    assert first.find("a", rel="next").attrs["href"] == "?page=2"
    assert second.find("a", rel="prev").attrs["href"] == "?page=1"
    assert first.find("p", role="status").text == "13 sites"
    assert client.get("/en/memorials/?page=3").status_code == 404


def test_list_pagination_keeps_filters(client, thirteen_sites):
    page = get_page(client, "/en/memorials/?kind=monument")

    assert page.find("a", rel="next").attrs["href"] == "?kind=monument&page=2"


def test_detail_shows_sources_with_state_media_caution(client, torgau):
    plain = SourceFactory(
        title="Evening Star", author="Evening Star (NZ)", url="", year=1945, month=4, day=28
    )
    tass = SourceFactory(
        title="TASS", author="TASS", url="https://tass.com/x", caution=Source.Caution.STATE_MEDIA
    )
    other = SourceFactory(
        title="Blog", author="", url="", caution=Source.Caution.OTHER, note_en="Unverified."
    )
    torgau.sources.set([plain, tass, other])

    page = get_page(client, f"/en/memorials/{torgau.slug}/")

    assert [item.text for item in page.find_all("li", class_="mb-2")] == [
        "[1] Blog. Read with care. Unverified.",
        "[2] Evening Star (NZ): Evening Star, April 28, 1945.",
        "[3] TASS: TASS. State media: read with care.",
    ]
    assert page.texts("strong", class_="caution") == [
        "Read with care.",
        "State media: read with care.",
    ]
    assert page.texts("a", href="https://tass.com/x") == ["TASS"]


def test_detail_shows_inscription_and_translation(client):
    site = MemorialSiteFactory(
        inscription="Здесь 25 апреля 1945 года встретились войска",
        inscription_language_en="Russian",
        inscription_translation_en="Here on 25 April 1945 the armies met",
        inscription_translation_de="Hier trafen sich am 25. April 1945 die Armeen",
    )

    english = get_page(client, f"/en/memorials/{site.slug}/")
    german = get_page(client, f"/de/memorials/{site.slug}/")

    assert english.texts("blockquote") == [
        "Здесь 25 апреля 1945 года встретились войска",
        "Here on 25 April 1945 the armies met",
    ]
    assert "Original (Russian):" in english.texts("p")
    assert german.texts("blockquote") == [
        "Здесь 25 апреля 1945 года встретились войска",
        "Hier trafen sich am 25. April 1945 die Armeen",
    ]


def test_detail_marks_approximate_location_with_osm_link(client, torgau):
    page = get_page(client, f"/en/memorials/{torgau.slug}/")

    assert page.texts("strong") == ["Approximate location (town level)."]
    assert "Coordinates: 51.56, 13.01 Approximate location (town level)." in page.texts("p")
    osm = [link for link in page.find_all("a") if link.text.startswith("Show on OpenStreetMap")]
    assert [(link.attrs["href"], link.text) for link in osm] == [
        (
            "https://www.openstreetmap.org/?mlat=51.560000&mlon=13.010000"
            "#map=14/51.560000/13.010000",
            "Show on OpenStreetMap (openstreetmap.org, another website)",
        )
    ]


def test_detail_exact_location_not_marked_approximate(client):
    site = MemorialSiteFactory(location_precision="exact")

    page = get_page(client, f"/en/memorials/{site.slug}/")

    assert page.texts("strong") == []


def test_detail_without_coordinates_says_not_recorded(client):
    site = MemorialSiteFactory(latitude=None, longitude=None, location_precision="unknown")

    page = get_page(client, f"/en/memorials/{site.slug}/")

    assert "The exact location of this site is not recorded." in page.texts("p")
    assert [a for a in page.find_all("a") if "openstreetmap" in a.attrs.get("href", "")] == []


def test_detail_shows_dates_in_language(client, torgau):
    SiteDateFactory(site=torgau, kind="dedicated", year=1945, month=9, day=None)
    SiteDateFactory(site=torgau, kind="restored", year=2019, month=12, day=3)

    page = get_page(client, f"/de/memorials/{torgau.slug}/")

    assert list(zip(page.texts("dt"), page.texts("dd"), strict=False))[:2] == [
        (capfirst(translated("de", "dedicated")), "September 1945"),
        (capfirst(translated("de", "restored")), "3. Dezember 2019"),
    ]


def test_detail_images_have_alt_srcset_and_lazy_loading(client, torgau):
    first = PhotoFactory(site=torgau, position=1)
    second = PhotoFactory(
        site=torgau, position=2, alt_text_en="A plaque on the wall", alt_text_de="", caption_en=""
    )

    for language, alts in [
        ("en", ["The monument seen from the river", "A plaque on the wall"]),
        ("de", ["Das Denkmal vom Fluss aus gesehen", "A plaque on the wall"]),
    ]:
        page = get_page(client, f"/{language}/memorials/{torgau.slug}/")
        assert [
            (img.attrs["alt"], img.attrs["srcset"], img.attrs["src"], img.attrs["loading"])
            for img in page.find_all("img")
        ] == [
            (alts[0], first.srcset, first.src, "lazy"),
            (alts[1], second.srcset, second.src, "lazy"),
        ]
    assert [(first.width, first.height)] == [
        (int(img.attrs["width"]), int(img.attrs["height"])) for img in page.find_all("img")[:1]
    ]


def test_list_card_shows_cover_photo(client, torgau):
    cover = PhotoFactory(site=torgau, position=0)
    PhotoFactory(site=torgau, position=1)

    page = get_page(client, "/en/memorials/")

    assert [
        (img.attrs["alt"], img.attrs["srcset"], img.attrs["loading"])
        for img in page.find_all("img")
    ] == [(cover.alt_text_en, cover.srcset, "lazy")]


def test_detail_marks_placeholder_photos(client, torgau):
    PhotoFactory(site=torgau, is_placeholder=True, caption_en="Drawing", credit="")

    page = get_page(client, f"/en/memorials/{torgau.slug}/")

    assert page.texts("figcaption") == [
        "Drawing Placeholder drawing, not a historical photograph. Licence: CC BY-SA 4.0"
    ]


def test_site_name_html_is_escaped(client):
    name = '<script>alert("x")</script> Memorial'
    site = MemorialSiteFactory(name_en=name, name_de="", name_ru="")

    response = client.get(f"/en/memorials/{site.slug}/")
    list_response = client.get("/en/memorials/")

    assert Page(response.content).find("h1").text == name
    assert b'<script>alert("x")' not in response.content
    assert b'<script>alert("x")' not in list_response.content
    assert b"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Memorial" in response.content


def test_language_switcher_links_to_same_page(client, settings, torgau):
    page = get_page(client, f"/de/memorials/{torgau.slug}/")

    switcher = [
        (link.attrs["hreflang"], link.attrs["href"], link.attrs.get("aria-current"))
        for link in page.find_all("a")
        if "hreflang" in link.attrs
    ]
    assert switcher == [
        ("en", "/en/memorials/denkmal-der-begegnung/", None),
        ("de", "/de/memorials/denkmal-der-begegnung/", "true"),
        ("ru", "/ru/memorials/denkmal-der-begegnung/", None),
    ]
    alternates = [
        (link.attrs["hreflang"], link.attrs["href"])
        for link in page.find_all("link", rel="alternate")
    ]
    site_url = settings.SITE_URL.rstrip("/")
    assert alternates == [(code, site_url + href) for code, href, _current in switcher] + [
        ("x-default", f"{site_url}/memorials/denkmal-der-begegnung/")
    ]


def test_language_switcher_keeps_filters(client, filter_sites):
    page = get_page(client, "/en/memorials/?kind=plaque")

    assert [link.attrs["href"] for link in page.find_all("a") if "hreflang" in link.attrs] == [
        "/en/memorials/?kind=plaque",
        "/de/memorials/?kind=plaque",
        "/ru/memorials/?kind=plaque",
    ]


# Query counts measured with few objects; the bound must hold however much there is.
QUERY_BOUNDS = {"home": 5, "list": 4, "detail": 6, "map": 1}
AMOUNTS = {
    "few": {"sites": 2, "photos": 1, "sources": 1, "dates": 1, "ceremonies": 1},
    "many": {"sites": 30, "photos": 8, "sources": 10, "dates": 10, "ceremonies": 10},
}


def create_content(*, sites, photos, sources, dates, ceremonies):
    created = []
    for index in range(sites):
        # Every other site lacks German text, so the pages also read English fallbacks.
        german = {} if index % 2 else {"name_de": "", "summary_de": "", "town_de": ""}
        site = MemorialSiteFactory(
            latitude=f"{51.5 + index * 0.01:.6f}", longitude="13.010000", **german
        )
        for position in range(photos):
            PhotoFactory(
                site=site,
                position=position,
                image=ContentFile(image_bytes(size=(64, 48)), name="small.jpg"),
            )
        site.sources.set(SourceFactory.create_batch(sources))
        for year in range(dates):
            SiteDateFactory(site=site, year=1945 + year)
        created.append(site)
    note = HistoryNoteFactory()
    note.sources.set(SourceFactory.create_batch(sources))
    CeremonyFactory.create_batch(ceremonies, venue_site=created[0])
    return created


@pytest.mark.parametrize("amount", AMOUNTS)
@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("page", QUERY_BOUNDS)
def test_page_query_count_bounded(client, django_assert_max_num_queries, page, language, amount):
    sites = create_content(**AMOUNTS[amount])
    url = {
        "home": f"/{language}/",
        "list": f"/{language}/memorials/",
        "detail": f"/{language}/memorials/{sites[0].slug}/",
        "map": f"/{language}/memorials/map/",
    }[page]

    with django_assert_max_num_queries(QUERY_BOUNDS[page]):
        response = client.get(url)

    assert response.status_code == 200
