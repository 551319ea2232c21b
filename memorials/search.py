"""Near me and search: the two ways into the catalogue besides its list and map.

Near me lists the published sites nearest to a position: the visitor's own (asked of the
browser only when they press the button, by static/js/near.js) or a place typed in,
either as coordinates or as the name of a town or site in this catalogue. No outside
geocoder is asked, so the place typed goes to no one but us.

Search finds sites by their name, town, summary, inscription and history in the
visitor's language: with PostgreSQL's full-text search (stemmed, ranked, served by a
GIN index per language on a column that a trigger fills; see migration 0005), or on
SQLite with an FTS5 index that knows no grammar (see matching).

Neither page is stored by the page cache (elbeday.cache): it keys pages by their full
address, so the answers would be right, but every query string would be a page of its
own, and anyone could fill the cache with them and push out the pages that matter.
"""

import heapq
import math
import re

from django import forms
from django.core.paginator import Paginator
from django.db import connection, connections
from django.db.models import Avg, Count, F, FloatField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .models import MemorialSite

EARTH_RADIUS_KM = 6371.0088
# The boxes tried in turn, each until it holds enough sites; None: the whole world.
NEAR_RADII_KM = (1, 5, 25, 100, 500, 2000, None)
NEAR_LIMIT = 20
QUERY_MAX_LENGTH = 200
# What a search's words are compared with (see matching); the inscription is the
# original one, in whatever language it was written.
SEARCH_FIELDS = ("name", "town", "summary", "inscription", "inscription_translation", "history")
TRANSLATED_SEARCH_FIELDS = {"inscription": False}
SEARCH_LANGUAGES = {"en": "english", "de": "german", "ru": "russian"}


# Near me


def haversine_km(latitude1, longitude1, latitude2, longitude2):
    """Great-circle distance between two points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (latitude1, longitude1, latitude2, longitude2))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude, longitude, radius_km):
    """A filter for the sites in a box holding every point within `radius_km` of the
    position: a latitude range the index seeks, and a longitude range, in two parts when
    the box crosses the 180th meridian, or any longitude when the circle holds a pole."""
    # A hair wider than needed: the bounds are rounded to the columns' six decimals.
    degrees = math.degrees(radius_km / EARTH_RADIUS_KM) + 1e-6
    south, north = latitude - degrees, latitude + degrees
    box = Q(latitude__gte=max(south, -90), latitude__lte=min(north, 90))
    if south <= -90 or north >= 90:
        return box
    # The widest longitude span of the circle; sin(radius) < cos(latitude) here, since
    # the circle holds no pole.
    span = math.degrees(
        math.asin(math.sin(radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(latitude)))
    )
    span += 1e-6
    west, east = longitude - span, longitude + span
    if span >= 180:
        return box
    if west < -180:
        return box & (Q(longitude__gte=west + 360) | Q(longitude__lte=east))
    if east > 180:
        return box & (Q(longitude__gte=west) | Q(longitude__lte=east - 360))
    return box & Q(longitude__gte=west, longitude__lte=east)


def nearest(sites, latitude, longitude, *, limit=NEAR_LIMIT):
    """The `limit` located sites of the queryset `sites` nearest to the position, nearest
    first, as (site, kilometres) pairs.

    One query per box tried (NEAR_RADII_KM: 1 km, then 5 and on to the whole world),
    each reading three columns from the index on (latitude, longitude, is_published); the
    first box with `limit` sites inside its circle holds the nearest ones, since any site
    outside it is farther. Then one more query reads the sites found. Exact distances
    are computed here, on the candidates alone."""
    latitude, longitude = float(latitude), float(longitude)
    located = sites.filter(latitude__isnull=False).order_by()
    found = []
    for radius in NEAR_RADII_KM:
        candidates = (
            located if radius is None else located.filter(bounding_box(latitude, longitude, radius))
        )
        found = []
        # As floats from the database: making a Decimal of each costs more than the rest.
        for pk, site_latitude, site_longitude in candidates.values_list(
            "pk", Cast("latitude", FloatField()), Cast("longitude", FloatField())
        ):
            km = haversine_km(latitude, longitude, site_latitude, site_longitude)
            if radius is None or km <= radius:
                found.append((km, pk))
        if len(found) >= limit:
            break
    found = heapq.nsmallest(limit, found)
    by_pk = sites.in_bulk([pk for _km, pk in found])
    return [(by_pk[pk], km) for km, pk in found if pk in by_pk]


# "51.56, 13.01", "51.56 13.01", "51,56; 13,01" (decimal commas), "-33.9,151.2"; a degree
# sign after a number is allowed.
COORDINATES = re.compile(
    r"\s*([+-]?\d{1,3}(?:[.,]\d+)?)\s*°?\s*(?:[,;]\s*|\s+)([+-]?\d{1,3}(?:[.,]\d+)?)\s*°?\s*"
)


def parse_coordinates(text):
    """(latitude, longitude) typed as two numbers, or None."""
    match = COORDINATES.fullmatch(text)
    if match is None:
        return None
    return tuple(float(number.replace(",", ".")) for number in match.groups())


def place_position(sites, text):
    """The position of a town or site called `text` in the queryset `sites`, or None.

    A town's position is the middle of its located sites (of the country with the most,
    when towns of two countries share the name); a town goes before a site's name. The
    name is compared exactly, as typed, in lower case, capitalised and in title case, in
    every language's column: so an index on each column serves the comparison, and
    "торгау" finds "Торгау" on SQLite too, whose LIKE ignores case only for A to Z."""
    text = " ".join(text.split())
    variants = {text, text.lower(), text.capitalize(), text.title()}
    located = sites.filter(latitude__isnull=False)
    for field in ("town", "name"):
        named = Q()
        for language in SEARCH_LANGUAGES:
            named |= Q(**{f"{field}_{language}__in": variants})
        middle = (
            located.filter(named)
            .values("country")
            .annotate(count=Count("pk"), middle_latitude=Avg("latitude"))
            .annotate(middle_longitude=Avg("longitude"))
            .order_by("-count", "country")
            .first()
        )
        if middle:
            return float(middle["middle_latitude"]), float(middle["middle_longitude"])
    return None


class NearForm(forms.Form):
    """A place typed in, or a position from the browser (the hidden fields, filled by
    static/js/near.js), which goes first."""

    place = forms.CharField(
        label=_("Place or coordinates"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        help_text=_(
            "A town or memorial site in this catalogue, such as Torgau, or coordinates "
            "such as 51.56, 13.01."
        ),
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = sites

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        latitude, longitude = data.get("latitude"), data.get("longitude")
        place = data.get("place", "")
        if latitude is not None or longitude is not None:
            if latitude is None or longitude is None:
                raise forms.ValidationError(_("Give both latitude and longitude."))
            self._check_range(latitude, longitude, field=None)
            data["position"], data["label"] = (latitude, longitude), ""
        elif place:
            position = parse_coordinates(place)
            if position:
                self._check_range(*position, field="place")
            else:
                position = place_position(self.sites, place)
                if position is None:
                    raise forms.ValidationError(
                        {
                            "place": _(
                                "No town or memorial site called “%(place)s” is in our "
                                "catalogue. Try another spelling, or type coordinates such "
                                "as 51.56, 13.01."
                            )
                            % {"place": place}
                        }
                    )
            data["position"], data["label"] = position, place
        else:
            raise forms.ValidationError(
                {"place": _("Type a place or coordinates, or use your location.")}
            )
        return data

    def _check_range(self, latitude, longitude, *, field):
        errors = []
        if not -90 <= latitude <= 90:
            errors.append(_("Latitude must lie between -90 and 90."))
        if not -180 <= longitude <= 180:
            errors.append(_("Longitude must lie between -180 and 180."))
        if errors:
            raise forms.ValidationError({field: errors} if field else errors)


# Reads only; a position from the browser comes in a POST (see static/js/near.js), so
# that it is in no address, and so in no server's access log, browser history or
# Referer. A POST that changes nothing needs no CSRF token, and a token in the form
# would be in the address of every place typed in.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def near(request):
    """The published sites nearest to a position. The position is used for this answer
    alone: it is not stored, put in the session or logged, and the answer to a POST is
    not kept by the browser or a proxy."""
    data = request.POST if request.method == "POST" else request.GET
    published = MemorialSite.objects.published()
    form = NearForm(data or None, sites=published)
    results = None
    if form.is_bound and form.is_valid():
        results = published.only(
            "name", "slug", "kind", "town", "country", "latitude", "longitude"
        ).near(*form.cleaned_data["position"], limit=NEAR_LIMIT)
    response = render(
        request,
        "memorials/memorialsite_near.html",
        {"form": form, "results": results},
        status=400 if form.errors else 200,
    )
    if request.method == "POST":
        add_never_cache_headers(response)
    return response


# Search


def _shown_sql(field, language, row=""):
    """The text a visitor reading `language` sees for `field`: the translation, or the
    English when there is none (as modeltranslation shows it). `row`: "new." in a
    trigger."""
    if not TRANSLATED_SEARCH_FIELDS.get(field, True):
        return f"COALESCE({row}{field}, '')"
    if language == "en":
        return f"COALESCE({row}{field}_en, '')"
    return f"COALESCE(NULLIF({row}{field}_{language}, ''), {row}{field}_en, '')"


def search_words(text):
    """The words of a search, without the punctuation around them; at most ten."""
    words = (word.strip(".,;:!?\"'()[]«»„“”-") for word in text.split())
    return [word for word in words if word][:10]


def matching(sites, text, *, language):
    """The sites of the queryset `sites` whose text in `language` (see SEARCH_FIELDS)
    matches the search `text`, best first.

    PostgreSQL: full-text search with the language's configuration (stemming, stop
    words; websearch syntax: "quoted phrases", -excluded), ranked by where the words
    occur (name first). SQLite: its FTS5 index (see sqlite_search_index_ensure), which
    ignores case and accents in every script but knows no grammar: every word must
    begin a word of the text, and a long word loses its last two letters first, a crude
    stand-in for stemming ("Denkmäler" finds "Denkmal", "памятники" "памятник");
    ranked by BM25, the name counting most."""
    language = language if language in SEARCH_LANGUAGES else "en"
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

        query = SearchQuery(text, config=SEARCH_LANGUAGES[language], search_type="websearch")
        return (
            sites.alias(
                document=RawSQL(
                    f"memorials_memorialsite.search_{language}", [], SearchVectorField()
                )
            )
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", "name", "pk")
        )
    words = search_words(text)
    if not words:
        return sites.none()
    terms = " ".join(
        '"{}"*'.format((word[:-2] if len(word) >= 7 else word).replace('"', '""')) for word in words
    )
    weights = ", ".join(
        ("10.0" if column == f"{language}_name" else "1.0" if column.startswith(language) else "0")
        for column, _fields in FTS_COLUMNS
    )
    # A join with the FTS5 table, which the ORM cannot express otherwise; what was
    # searched for is a parameter, never part of the SQL.
    return sites.extra(
        tables=[FTS_TABLE],
        where=[
            f"{FTS_TABLE}.rowid = memorials_memorialsite.id",
            f"{FTS_TABLE} MATCH %s",
        ],
        params=[f"{{{language}_name {language}_text}} : ({terms})"],
        select={"search_rank": f"bm25({FTS_TABLE}, {weights})"},
    ).order_by("search_rank", "name", "pk")


# SQLite's search index: an FTS5 table with a name and a text column per language, kept
# up to date by triggers on the sites' table. Django drops a table's triggers whenever a
# migration rebuilds the table on SQLite (most changes of a column or constraint do), so
# after every `migrate` sqlite_search_index_ensure makes any missing ones again and, if
# it had to, fills the index afresh. The names carry a version: change FTS_VERSION when
# the columns or documents change, and the old triggers are replaced.
FTS_TABLE = "memorials_sitesearch"
FTS_VERSION = 1
FTS_COLUMNS = [
    (f"{language}_{part}", fields)
    for language in SEARCH_LANGUAGES
    for part, fields in (("name", ("name",)), ("text", SEARCH_FIELDS[1:]))
]


def _fts_values(row=""):
    return ", ".join(
        " || ' ' || ".join(_shown_sql(field, column[:2], row) for field in fields)
        for column, fields in FTS_COLUMNS
    )


def _fts_triggers():
    prefix = f"{FTS_TABLE}_v{FTS_VERSION}"
    columns = ", ".join(column for column, _fields in FTS_COLUMNS)
    insert = f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.id, {_fts_values('new.')});"
    delete = f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id;"
    return {
        f"{prefix}_insert": f"AFTER INSERT ON memorials_memorialsite BEGIN {insert} END",
        f"{prefix}_update": f"AFTER UPDATE ON memorials_memorialsite BEGIN {delete} {insert} END",
        f"{prefix}_delete": f"AFTER DELETE ON memorials_memorialsite BEGIN {delete} END",
    }


def sqlite_search_index_ensure(*, using="default", **kwargs):
    """Make SQLite's search index and its triggers where they are missing, and fill the
    index afresh if any trigger was; connected to `post_migrate` (memorials.apps)."""
    database = connections[using]
    if database.vendor != "sqlite":
        return
    with database.cursor() as cursor:
        tables = database.introspection.table_names(cursor)
        if "memorials_memorialsite" not in tables:
            return
        needed = {
            re.sub(r"^new\.", "", name) for name in re.findall(r"new\.\w+", _fts_values("new."))
        }
        have = {
            column.name
            for column in database.introspection.get_table_description(
                cursor, "memorials_memorialsite"
            )
        }
        if not needed <= have:
            return  # migrated back to before some of the columns
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            + ", ".join(column for column, _fields in FTS_COLUMNS)
            + ", tokenize = 'unicode61 remove_diacritics 2')"
        )
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{FTS_TABLE}%"],
        )
        existing = {name for (name,) in cursor.fetchall()}
        triggers = _fts_triggers()
        for stale in existing - set(triggers):
            cursor.execute(f"DROP TRIGGER {stale}")
        missing = [name for name in triggers if name not in existing]
        for name in missing:
            cursor.execute(f"CREATE TRIGGER {name} {triggers[name]}")
        if missing:
            columns = ", ".join(column for column, _fields in FTS_COLUMNS)
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, {columns}) "
                f"SELECT id, {_fts_values()} FROM memorials_memorialsite"
            )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the memorial sites"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "Your search is too long: use at most %(limit_value)d characters (it has "
                "%(show_value)d)."
            )
        },
        widget=forms.TextInput(attrs={"type": "search"}),
    )


@require_GET
def search(request):
    """Published sites matching the words searched for, a page of them at a time."""
    form = SearchForm(request.GET or None)
    context = {"form": form, "query": ""}
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"]
        sites = MemorialSite.objects.published().with_cover().search(query, language=get_language())
        paginator = Paginator(sites, 12)
        page = paginator.get_page(request.GET.get("page"))
        context.update(
            query=query,
            sites=page.object_list,
            page_obj=page,
            paginator=paginator,
            elided_page_range=paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            filter_query=_without_page(request.GET),
        )
    return render(
        request,
        "memorials/memorialsite_search.html",
        context,
        status=400 if form.errors else 200,
    )


def _without_page(query):
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()
