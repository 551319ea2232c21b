"""The home page: what the day is, the next real ceremony with its register button, the
memorial sites, then the history with its sources numbered in the order they appear."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    CeremonyFactory,
    HistoryNoteFactory,
    MemorialSiteFactory,
    PhotoFactory,
    SeatCategoryFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def _in_days(days):
    return timezone.now() + datetime.timedelta(days=days)


def _rehearsal():
    """Like the demo's check-in rehearsal: a sample ceremony, dated today."""
    start = timezone.now() - datetime.timedelta(hours=1)
    return CeremonyFactory(
        title_en="Check-in rehearsal (demo)",
        slug=f"check-in-rehearsal-{start.date().isoformat()}",
        is_sample=True,
        start=start,
        end=start + datetime.timedelta(hours=20),
        registration_closes=start + datetime.timedelta(hours=20),
    )


def _next_section(home):
    return home.find("section", **{"aria-labelledby": "next-heading"})


def test_home_page_features_a_real_ceremony_above_samples_and_the_rehearsal(client, page):
    _rehearsal()
    CeremonyFactory(title_en="Sample wreath-laying", is_sample=True, start=_in_days(3))
    real = CeremonyFactory(title_en="Wreath-laying at the monument", start=_in_days(40))

    home = page(client.get("/en/"))

    section = _next_section(home)
    assert [link.text for link in home.find_all("a", within=section)] == [
        "Wreath-laying at the monument",
        "Register",
        "All ceremonies",
    ]
    assert (
        home.find("a", "btn", within=section).attrs["href"]
        == f"/en/ceremonies/{real.slug}/register/"
    )


def test_home_page_features_a_sample_before_the_rehearsal(client, page):
    _rehearsal()
    CeremonyFactory(title_en="Sample wreath-laying", is_sample=True, start=_in_days(30))

    home = page(client.get("/en/"))

    assert home.texts("h3", within=_next_section(home)) == ["Sample wreath-laying"]


def test_home_page_with_only_the_rehearsal_features_no_ceremony(client, page):
    _rehearsal()

    home = page(client.get("/en/"))

    assert home.find_all("section", **{"aria-labelledby": "next-heading"}) == []


def test_home_page_without_open_registration_has_no_register_button(client, page):
    CeremonyFactory(title_en="Later", start=_in_days(40), registration_opens=_in_days(10))

    home = page(client.get("/en/"))

    assert home.find_all("a", "btn", within=_next_section(home)) == []


def test_home_page_opens_with_what_the_day_is_then_the_ceremony_then_the_sites(client, page):
    HistoryNoteFactory(
        text_en="On 25 April 1945 American and Soviet troops met on the Elbe. "
        "2nd Lt William D. Robertson met Lt Alexander Silvashko at Torgau."
    )
    CeremonyFactory(title_en="Wreath-laying at the monument", start=_in_days(40))
    MemorialSiteFactory(name_en="Memorial at the bridge")

    home = page(client.get("/en/"))

    assert home.texts("p", "lead") == [
        "On 25 April 1945 American and Soviet troops met on the Elbe."
    ]
    assert home.texts("h2") == ["Next ceremony", "Memorial sites", "What happened"]


def test_home_page_intro_does_not_end_at_an_initial(client, page):
    HistoryNoteFactory(text_en="2nd Lt William D. Robertson met Lt Alexander Silvashko. Then.")

    home = page(client.get("/en/"))

    assert home.texts("p", "lead") == ["2nd Lt William D. Robertson met Lt Alexander Silvashko."]


def test_home_page_citations_read_in_order(client, page):
    # Created so that the database's order runs against the order on the page.
    later, earlier, third = SourceFactory.create_batch(3)
    first_note = HistoryNoteFactory(position=0)
    first_note.sources.set([third, earlier])
    second_note = HistoryNoteFactory(position=1)
    second_note.sources.set([earlier, later])

    home = page(client.get("/en/"))

    assert [link.text for link in home.find_all("a", "source-ref")] == [
        "[1]",
        "[2]",
        "[1]",
        "[3]",
    ]
    assert [link.attrs["href"] for link in home.find_all("a", "source-ref")] == [
        f"#source-{earlier.pk}",
        f"#source-{third.pk}",
        f"#source-{earlier.pk}",
        f"#source-{later.pk}",
    ]
    source_list = home.find("ul", "source-list")
    assert [
        (item.attrs["id"], item.text.split()[0]) for item in home.find_all("li", within=source_list)
    ] == [
        (f"source-{earlier.pk}", "[1]"),
        (f"source-{third.pk}", "[2]"),
        (f"source-{later.pk}", "[3]"),
    ]


@pytest.mark.parametrize("size", [1, 12], ids=["little data", "more data"])
def test_home_page_queries_do_not_grow(client, django_assert_max_num_queries, size):
    sources = SourceFactory.create_batch(size)
    for _number in range(size):
        HistoryNoteFactory().sources.set(sources)
        PhotoFactory(site=MemorialSiteFactory())
        SeatCategoryFactory(ceremony=CeremonyFactory(is_sample=True))
    CeremonyFactory(start=_in_days(60))

    with django_assert_max_num_queries(5):
        response = client.get("/en/")

    assert response.status_code == 200
