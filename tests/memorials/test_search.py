"""Search: published sites by their text in the visitor's language; stemmed and ranked on
PostgreSQL, a plainer match on SQLite."""

import pytest
from django.db import connection

from memorials.models import MemorialSite
from memorials.search import FTS_TABLE, search_words, sqlite_search_index_ensure
from tests.factories import MemorialSiteFactory
from tests.html import Page

pytestmark = pytest.mark.django_db

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's full-text search"
)
sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plainer match")


@pytest.fixture
def torgau():
    return MemorialSiteFactory(
        name_en="Monument of the Meeting",
        name_de="Denkmal der Begegnung",
        name_ru="Памятник встрече",
        slug="denkmal-der-begegnung",
        summary_en="Marks the meeting of the armies on the Elbe.",
        summary_de="Erinnert an die Begegnung der Armeen an der Elbe.",
        summary_ru="Напоминает о встрече армий на Эльбе.",
        town_en="Torgau",
        town_ru="Торгау",
        inscription="СЛАВА",
    )


@pytest.fixture
def strehla():
    return MemorialSiteFactory(
        name_en="Strehla plaque",
        name_de="Gedenktafel Strehla",
        name_ru="Мемориальная доска в Штреле",
        slug="strehla",
        summary_en="Where the first patrols met.",
        summary_de="Wo sich die ersten Spähtrupps trafen.",
        summary_ru="Место первой встречи патрулей.",
        town_en="Strehla",
        town_ru="Штрела",
        history_en="Patrols met on the river bank.",
        history_de="Spähtrupps begegneten sich am Ufer.",
        history_ru="Патрули встретились на берегу.",
    )


def found(text, language):
    return [site.slug for site in MemorialSite.objects.published().search(text, language=language)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "meeting", ["denkmal-der-begegnung"]),
        ("en", "meetings", ["denkmal-der-begegnung"]),
        ("en", "TORGAU", ["denkmal-der-begegnung"]),
        ("de", "Begegnung", ["denkmal-der-begegnung"]),
        ("de", "spähtrupps", ["strehla"]),
        ("ru", "памятники", ["denkmal-der-begegnung"]),
        ("de", "Denkmäler", ["denkmal-der-begegnung"]),
        ("de", "Begegnungen", ["denkmal-der-begegnung"]),
        ("ru", "встречи", ["denkmal-der-begegnung", "strehla"]),
        ("ru", "ШТРЕЛА", ["strehla"]),
        # The original inscription, whatever the language of the page.
        ("en", "слава", ["denkmal-der-begegnung"]),
        # Words in another language's text only.
        ("en", "Begegnung", []),
        ("de", "patrols", []),
    ],
)
def test_search_in_the_visitors_language(torgau, strehla, language, text, expected):
    assert found(text, language) == expected


def test_search_needs_every_word(torgau, strehla):
    assert (found("Elbe armies", "en"), found("Elbe patrols", "en")) == (
        ["denkmal-der-begegnung"],
        [],
    )


def test_search_untranslated_text_in_english(torgau):
    MemorialSiteFactory(name_en="Bridge memorial", name_de="", slug="bridge")

    assert found("bridge", "de") == ["bridge"]


def test_search_finds_a_site_as_it_was_changed(torgau):
    MemorialSite.objects.filter(pk=torgau.pk).update(name_de="Brückendenkmal")
    site = MemorialSite.objects.get(pk=torgau.pk)
    site.summary_en = "On the bridge."
    site.save()

    assert (found("Brückendenkmal", "de"), found("bridge", "en"), found("Begegnung", "de")) == (
        ["denkmal-der-begegnung"],
        ["denkmal-der-begegnung"],
        ["denkmal-der-begegnung"],  # still in its summary
    )
    site.delete()
    assert found("bridge", "en") == []


def test_search_never_finds_drafts(torgau):
    MemorialSiteFactory(name_en="Draft meeting place", slug="draft", is_published=False)

    assert found("meeting", "en") == ["denkmal-der-begegnung"]


def test_search_puts_sites_named_by_the_words_first(torgau, strehla):
    MemorialSiteFactory(
        name_en="Aaron's stone", slug="stone", summary_en="Near the Strehla plaque."
    )

    assert found("Strehla", "en") == ["strehla", "stone"]


@postgresql
@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "met", ["strehla"]),
        ("de", "trafen", ["strehla"]),
        # Websearch syntax: a word left out.
        ("en", "Elbe -armies", []),
    ],
)
def test_search_stems_words_on_postgresql(torgau, strehla, language, text, expected):
    assert found(text, language) == expected


@postgresql
@pytest.mark.parametrize("language", ["en", "de", "ru"])
def test_search_is_served_by_the_languages_index(torgau, language):
    # Not only the published: on so small a table the planner would rather read the
    # published sites through the location index and look at each.
    sites = MemorialSite.objects.search("Torgau", language=language)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = sites.explain()

    assert f"memorial_search_{language}" in plan


@sqlite
def test_search_index_on_sqlite_is_made_again_after_a_migration_dropped_it(torgau):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{FTS_TABLE}%"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER {name}")
    MemorialSite.objects.filter(pk=torgau.pk).update(name_en="Bridge memorial")

    stale = found("bridge", "en")
    sqlite_search_index_ensure()

    assert (stale, found("bridge", "en"), found("Monument", "en")) == (
        [],
        ["denkmal-der-begegnung"],
        [],
    )


@sqlite
def test_search_on_sqlite_finds_parts_of_words(torgau):
    assert (found("Begeg", "de"), found("ПАМЯТ", "ru")) == (
        ["denkmal-der-begegnung"],
        ["denkmal-der-begegnung"],
    )


def test_search_words_without_punctuation():
    assert search_words(' "Torgau," (Elbe)  «памятник» ') == ["Torgau", "Elbe", "памятник"]


# The page


def test_search_page_lists_matches(client, torgau, strehla):
    page = Page(client.get("/de/memorials/search/", {"q": "Begegnung"}).content)

    assert (page.find("p", role="status").text, page.texts("a", class_="stretched-link")) == (
        "1 Gedenkort passt zu „Begegnung“",
        ["Denkmal der Begegnung"],
    )
    assert page.find("input", id="id_q").attrs["value"] == "Begegnung"


def test_search_page_says_when_nothing_matches(client, torgau):
    page = Page(client.get("/en/memorials/search/", {"q": "Atlantis"}).content)

    assert (page.find("p", role="status").text, page.texts("a", class_="stretched-link")) == (
        "0 sites match “Atlantis”",
        [],
    )


def test_search_page_without_a_query_shows_the_box(client, torgau):
    response = client.get("/en/memorials/search/")

    page = Page(response.content)
    assert (response.status_code, page.find_all("p", role="status"), page.errors()) == (
        200,
        [],
        {},
    )


def test_search_page_refuses_a_long_query(client, translated):
    response = client.get("/de/memorials/search/", {"q": "x" * 201})

    message = translated(
        "de",
        "Your search is too long: use at most %(limit_value)d characters (it has %(show_value)d).",
    ) % {"limit_value": 200, "show_value": 201}
    assert (response.status_code, Page(response.content).errors()) == (400, {"q": [message]})


def test_search_page_pages_through_many(client):
    for number in range(14):
        MemorialSiteFactory(name_en=f"Meeting place {number:02}", slug=f"place-{number:02}")

    page = Page(client.get("/en/memorials/search/", {"q": "meeting", "page": "2"}).content)

    assert page.texts("a", class_="stretched-link") == ["Meeting place 12", "Meeting place 13"]
    assert page.find("a", rel="prev").attrs["href"] == "?q=meeting&page=1"


@pytest.mark.parametrize("count", [3, 30])
def test_search_page_queries_do_not_grow_with_the_sites(
    client, django_assert_max_num_queries, count
):
    for number in range(count):
        MemorialSiteFactory(name_en=f"Meeting place {number}", slug=f"place-{number}")

    # Count, page, photos.
    with django_assert_max_num_queries(3):
        response = client.get("/en/memorials/search/", {"q": "meeting"})

    assert len(Page(response.content).texts("a", class_="stretched-link")) == min(count, 12)
