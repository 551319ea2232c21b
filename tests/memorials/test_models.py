from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import override

from memorials.models import MemorialSite, SiteDate, Source
from tests.factories import MemorialSiteFactory, SiteDateFactory, SourceFactory

pytestmark = pytest.mark.django_db

LAT_LON_TOGETHER = "Give both latitude and longitude, or neither."
LAT_LON_RANGE = "Latitude must lie between -90 and 90, longitude between -180 and 180."
PRECISION = "Choose a precision when coordinates are given, and 'unknown' when not."

# (latitude, longitude, location_precision) that break one constraint each, and its message.
BROKEN_LOCATIONS = [
    pytest.param("51.560000", None, "town", LAT_LON_TOGETHER, id="latitude-without-longitude"),
    pytest.param(None, "13.010000", "unknown", LAT_LON_TOGETHER, id="longitude-without-latitude"),
    pytest.param("95.000000", "13.010000", "town", LAT_LON_RANGE, id="latitude-out-of-range"),
    pytest.param("51.560000", "-181.000000", "town", LAT_LON_RANGE, id="longitude-out-of-range"),
    pytest.param("51.560000", "13.010000", "unknown", PRECISION, id="unknown-with-coordinates"),
    pytest.param(None, None, "town", PRECISION, id="town-without-coordinates"),
]


def unsaved_site(**kwargs):
    return MemorialSiteFactory.build(**kwargs)


@pytest.mark.parametrize(("latitude", "longitude", "precision", "message"), BROKEN_LOCATIONS)
def test_site_location_constraint_refuses_save(latitude, longitude, precision, message):
    site = unsaved_site(latitude=latitude, longitude=longitude, location_precision=precision)

    with pytest.raises(IntegrityError), transaction.atomic():
        site.save()

    assert MemorialSite.objects.count() == 0


@pytest.mark.parametrize(("latitude", "longitude", "precision", "message"), BROKEN_LOCATIONS)
def test_site_location_constraint_refuses_full_clean(latitude, longitude, precision, message):
    site = unsaved_site(latitude=latitude, longitude=longitude, location_precision=precision)

    with pytest.raises(ValidationError) as caught:
        site.full_clean()

    assert caught.value.message_dict == {"__all__": [message]}


@pytest.mark.parametrize(
    ("latitude", "longitude", "precision"),
    [
        ("51.560000", "13.010000", "exact"),
        ("-90.000000", "180.000000", "town"),
        (None, None, "unknown"),
    ],
)
def test_site_location_constraint_accepts_consistent_locations(latitude, longitude, precision):
    site = unsaved_site(latitude=latitude, longitude=longitude, location_precision=precision)

    site.full_clean()
    site.save()

    assert list(MemorialSite.objects.all()) == [site]


def test_site_slug_unique():
    MemorialSiteFactory(slug="torgau")

    with pytest.raises(IntegrityError), transaction.atomic():
        MemorialSiteFactory(slug="torgau")

    duplicate = unsaved_site(slug="torgau")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert caught.value.message_dict == {"slug": ["Memorial site with this Slug already exists."]}


def test_site_date_day_without_month_refused_by_database():
    date = SiteDateFactory.build(site=MemorialSiteFactory(), year=1945, month=None, day=25)

    with pytest.raises(IntegrityError), transaction.atomic():
        date.save()

    assert SiteDate.objects.count() == 0


def test_site_date_day_without_month_refused_by_full_clean():
    date = SiteDateFactory.build(site=MemorialSiteFactory(), year=1945, month=None, day=25)

    with pytest.raises(ValidationError) as caught:
        date.full_clean()

    assert caught.value.message_dict == {"day": ["A day needs a month."]}


def test_site_date_impossible_day_refused_by_full_clean():
    date = SiteDateFactory.build(site=MemorialSiteFactory(), year=1945, month=2, day=30)

    with pytest.raises(ValidationError) as caught:
        date.full_clean()

    assert caught.value.message_dict == {"day": ["This day does not exist in that month."]}


@pytest.mark.parametrize(
    ("language", "month", "day", "expected"),
    [
        ("en", None, None, "1945"),
        ("en", 3, None, "March 1945"),
        ("en", 3, 7, "March 7, 1945"),
        ("de", None, None, "1945"),
        ("de", 3, None, "März 1945"),
        ("de", 3, 7, "7. März 1945"),
    ],
)
def test_partial_date_display_in_language(language, month, day, expected):
    date = SiteDate(year=1945, month=month, day=day, kind=SiteDate.Kind.UNVEILED)

    with override(language):
        assert date.date_display == expected


def test_site_date_str_names_event_and_date():
    date = SiteDate(year=1945, month=4, day=25, kind=SiteDate.Kind.UNVEILED)

    with override("en"):
        assert str(date) == "unveiled April 25, 1945"


@pytest.mark.parametrize(
    ("year", "month", "day", "expected"),
    [
        (None, None, None, ""),
        (2024, None, None, "2024"),
        (1945, 4, None, "April 1945"),
        (1945, 4, 28, "April 28, 1945"),
    ],
)
def test_source_date_display(year, month, day, expected):
    source = Source(title="Evening Star", year=year, month=month, day=day)

    with override("en"):
        assert source.date_display == expected


def test_source_date_display_in_german():
    source = Source(title="Evening Star", year=1945, month=4, day=28)

    with override("de"):
        assert source.date_display == "28. April 1945"


def test_source_str_with_and_without_author():
    assert str(Source(title="Im Schatten von Torgau", author="StSG")) == (
        "StSG: Im Schatten von Torgau"
    )
    assert str(Source(title="denkmalprojekt.org")) == "denkmalprojekt.org"


def test_published_excludes_drafts():
    published = MemorialSiteFactory(name_en="Published")
    MemorialSiteFactory(name_en="Draft", is_published=False)

    assert list(MemorialSite.objects.published()) == [published]


def test_distance_km_between_torgau_and_strehla():
    torgau = MemorialSite(latitude=Decimal("51.560"), longitude=Decimal("13.010"))
    strehla = MemorialSite(latitude=Decimal("51.352"), longitude=Decimal("13.225"))

    assert torgau.distance_km(strehla) == pytest.approx(27.5, abs=1)
    assert strehla.distance_km(torgau) == pytest.approx(torgau.distance_km(strehla))


def test_nearby_lists_published_sites_nearest_first():
    torgau = MemorialSiteFactory(latitude="51.560000", longitude="13.010000")
    riesa = MemorialSiteFactory(name_en="Riesa", latitude="51.300000", longitude="13.290000")
    strehla = MemorialSiteFactory(name_en="Strehla", latitude="51.352000", longitude="13.225000")
    MemorialSiteFactory(
        name_en="Draft nearby", latitude="51.561000", longitude="13.011000", is_published=False
    )
    MemorialSiteFactory(
        name_en="Somewhere unknown", latitude=None, longitude=None, location_precision="unknown"
    )
    # Inside the bounding box that narrows the query, but 121 km away.
    MemorialSiteFactory(name_en="Box corner", latitude="52.360000", longitude="14.210000")
    MemorialSiteFactory(name_en="Berlin", latitude="52.520000", longitude="13.405000")

    nearby = torgau.nearby()

    assert [site for site, _km in nearby] == [strehla, riesa]
    assert [km for _site, km in nearby] == [
        pytest.approx(27.5, abs=0.5),
        pytest.approx(34.8, abs=0.5),
    ]


def test_nearby_respects_radius_and_limit():
    torgau = MemorialSiteFactory(latitude="51.560000", longitude="13.010000")
    strehla = MemorialSiteFactory(name_en="Strehla", latitude="51.352000", longitude="13.225000")
    MemorialSiteFactory(name_en="Riesa", latitude="51.300000", longitude="13.290000")

    assert [site for site, _km in torgau.nearby(radius_km=30)] == [strehla]
    assert [site for site, _km in torgau.nearby(limit=1)] == [strehla]


def test_nearby_empty_for_site_without_coordinates():
    site = MemorialSiteFactory(latitude=None, longitude=None, location_precision="unknown")
    MemorialSiteFactory(latitude="51.560000", longitude="13.010000")

    assert site.nearby() == []


@pytest.mark.parametrize(
    ("precision", "expected"),
    [("exact", False), ("street", True), ("town", True), ("unknown", False)],
)
def test_is_approximate_for_precision(precision, expected):
    assert MemorialSite(location_precision=precision).is_approximate is expected


@pytest.mark.parametrize(
    ("precision", "zoom"), [("exact", 18), ("street", 17), ("town", 14)], ids=str
)
def test_osm_url_zooms_to_precision(precision, zoom):
    site = MemorialSite(
        latitude=Decimal("51.560000"), longitude=Decimal("13.010000"), location_precision=precision
    )

    assert site.osm_url() == (
        "https://www.openstreetmap.org/?mlat=51.560000&mlon=13.010000"
        f"#map={zoom}/51.560000/13.010000"
    )


def test_osm_url_empty_without_coordinates():
    assert MemorialSite(location_precision="unknown").osm_url() == ""


def test_get_absolute_url_in_language():
    site = MemorialSiteFactory(slug="denkmal-der-begegnung")

    with override("ru"):
        assert site.get_absolute_url() == "/ru/memorials/denkmal-der-begegnung/"


@pytest.mark.parametrize("language", ["de", "ru"])
def test_site_without_translation_falls_back_to_english(language):
    site = MemorialSiteFactory(
        name_en="Monument of the Meeting",
        name_de="",
        name_ru=None,
        summary_en="On the Elbe.",
        summary_de="",
        summary_ru="",
    )
    site.refresh_from_db()

    with override(language):
        assert (site.name, site.summary, str(site)) == (
            "Monument of the Meeting",
            "On the Elbe.",
            "Monument of the Meeting",
        )


def test_site_shows_translation_of_active_language():
    site = MemorialSiteFactory(name_en="Monument", name_de="Denkmal", name_ru="Памятник")

    with override("de"):
        assert site.name == "Denkmal"
    with override("ru"):
        assert site.name == "Памятник"


def test_source_caution_choices_label():
    source = SourceFactory(caution=Source.Caution.STATE_MEDIA)

    assert source.get_caution_display() == "state media"
