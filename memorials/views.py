import functools

from csp.decorators import csp_update
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from elbeday.cache import KeptResults, first_end, until_content_edit
from elbeday.translation import in_visitor_language

from . import opendata
from .forms import MemorialFilterForm
from .models import MemorialSite, Series, Trail


class MemorialListView(ListView):
    template_name = "memorials/memorialsite_list.html"
    context_object_name = "sites"
    paginate_by = 12

    def get_filter_form(self):
        # The filters' choices in the visitor's language, as they were at the last edit.
        choices = until_content_edit(self.request, "memorial-filters", _filter_choices)
        return MemorialFilterForm(self.request.GET or None, choices=choices)

    def get_queryset(self):
        self.filter_form = self.get_filter_form()
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        filters = {name: filters.get(name) or "" for name in ("country", "kind", "status")}

        def sites():
            found = in_visitor_language(MemorialSite.objects.published().with_cover())
            return found.filter(**{name: value for name, value in filters.items() if value})

        # A page of sites with their covers, and how many there are, as they were at the
        # last content edit.
        return KeptResults(self.request, sites, "memorial-list", *filters.values())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        # 1 2 … 9 10 11 … 249 250: the links stay few however many pages there are.
        context["elided_page_range"] = context["paginator"].get_elided_page_range(
            context["page_obj"].number, on_each_side=2, on_ends=1
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context["filter_query"] = query.urlencode()
        return context


def _filter_choices():
    published = MemorialSite.objects.published()
    facets = set(published.values_list("country", "kind", "status").distinct())
    return MemorialFilterForm.choices_for(
        country_codes={country for country, _kind, _status in facets},
        kinds={kind for _country, kind, _status in facets},
        statuses={status for _country, _kind, status in facets},
    )


class MemorialDetailView(DetailView):
    template_name = "memorials/memorialsite_detail.html"
    context_object_name = "site"

    def get_queryset(self):
        # The photos, dates, sources and nearby sites are read by the template, in the
        # fragments it keeps until the next content edit (no query while they last).
        return in_visitor_language(MemorialSite.objects.published().with_series_and_trails())

    def get_object(self, queryset=None):
        # The site and its upcoming ceremonies as they were at the last content edit, or
        # until the first of those ceremonies ends.
        slug = self.kwargs[self.slug_url_kwarg]
        found = until_content_edit(
            self.request,
            "site",
            functools.partial(self._content, slug),
            slug,
            expires=lambda content: first_end(content[1]),
        )
        if found is None:
            raise Http404
        site, self.ceremonies = found
        return site

    def _content(self, slug):
        site = self.get_queryset().filter(slug=slug).first()
        if site is None:
            return None
        ceremonies = in_visitor_language(
            site.ceremonies.public().upcoming().select_related("series", "venue_site"),
            "series",
            "venue_site",
        )
        return site, list(ceremonies)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nearby"] = functools.partial(self.object.nearby)
        context["ceremonies"] = self.ceremonies
        return context


# The OpenStreetMap tiles that static/js/map.js loads when the visitor asks for them; no
# other page's Content Security Policy allows them (see CONTENT_SECURITY_POLICY).
TILE_SERVER = "https://tile.openstreetmap.org"


# The German Elbe, from the Czech border to its mouth, with the meeting places at Strehla
# and Torgau in the middle: the map opens on the sites inside. Sites far from it
# (Arlington, Moscow) are listed below the map instead, so that the first view is not of
# the whole world with every marker on the Elbe in one spot.
ELBE_REGION = {"south": 50.5, "west": 8.5, "north": 54.0, "east": 15.0}


# The map page lists at most this many of the far sites; the list page has them all.
FAR_LISTED = 20


@method_decorator(csp_update({"img-src": TILE_SERVER}), name="dispatch")
class MemorialMapView(TemplateView):
    """The map reads the catalogue's GeoJSON file (static/js/map.js): the page itself
    stays the same size however many sites there are."""

    template_name = "memorials/memorialsite_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        outside = (
            Q(latitude__lt=ELBE_REGION["south"])
            | Q(latitude__gt=ELBE_REGION["north"])
            | Q(longitude__lt=ELBE_REGION["west"])
            | Q(longitude__gt=ELBE_REGION["east"])
        )
        far_sites = list(
            MemorialSite.objects.published()
            .filter(outside, latitude__isnull=False)
            .only("name", "slug", "town", "country")[: FAR_LISTED + 1]
        )
        context["far_sites"] = far_sites[:FAR_LISTED]
        context["more_far_sites"] = len(far_sites) > FAR_LISTED
        context["region"] = ELBE_REGION
        return context


class SeriesView(ListView):
    """A series with its published sites."""

    template_name = "memorials/series_detail.html"
    context_object_name = "sites"
    paginate_by = 12

    def get_queryset(self):
        self.series = get_object_or_404(Series, slug=self.kwargs["slug"])
        return self.series.sites.published().with_cover()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["series"] = self.series
        context["elided_page_range"] = context["paginator"].get_elided_page_range(
            context["page_obj"].number, on_each_side=2, on_ends=1
        )
        return context


class TrailListView(ListView):
    template_name = "memorials/trail_list.html"
    context_object_name = "trails"

    def get_queryset(self):
        return Trail.objects.published().annotate(
            stop_count=Count("stops", filter=Q(stops__site__is_published=True))
        )


@method_decorator(csp_update({"img-src": TILE_SERVER}), name="dispatch")
class TrailDetailView(DetailView):
    template_name = "memorials/trail_detail.html"
    context_object_name = "trail"

    def get_queryset(self):
        return Trail.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stops = self.object.public_stops()
        context["stops"] = stops
        context["total_km"] = sum(stop.km_from_previous or 0 for stop in stops)
        context["approximate"] = any(stop.site.is_approximate for stop in stops)
        return context


# Open data: GeoJSON and GPX files of published sites (see opendata.py).


def _geojson_response(body):
    response = HttpResponse(body, content_type=opendata.GEOJSON_TYPE)
    # Open data, meant to be read by other sites' maps too.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _gpx_response(body, slug):
    response = HttpResponse(body, content_type=opendata.GPX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{opendata.filename(slug)}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _site_rows_or_404(slug):
    """A published site's row, read in one query; 404 for a draft or a site with no
    coordinates (its page links no file)."""
    rows = list(opendata.site_rows(MemorialSite.objects.filter(slug=slug)))
    if not rows:
        raise Http404
    return rows


def _trail_rows(trail):
    return opendata.site_rows(
        MemorialSite.objects.filter(trail_stops__trail=trail).order_by(
            "trail_stops__position", "trail_stops__pk"
        )
    )


def catalogue_geojson(request):
    return _geojson_response(opendata.geojson(opendata.site_rows(MemorialSite.objects.all())))


def catalogue_gpx(request):
    body = opendata.gpx(
        opendata.site_rows(MemorialSite.objects.all()),
        name=_("Elbe Day memorial sites"),
        link=reverse("memorials:list"),
    )
    return _gpx_response(body, "elbe-day-memorials")


def site_geojson(request, slug):
    return _geojson_response(opendata.geojson(_site_rows_or_404(slug)))


def site_gpx(request, slug):
    rows = _site_rows_or_404(slug)
    body = opendata.gpx(rows, name=rows[0]["name"], link=reverse("memorials:detail", args=[slug]))
    return _gpx_response(body, slug)


def trail_geojson(request, slug):
    trail = get_object_or_404(Trail.objects.published(), slug=slug)
    body = opendata.geojson(_trail_rows(trail), extra=lambda index, row: {"stop": index + 1})
    return _geojson_response(body)


def trail_gpx(request, slug):
    trail = get_object_or_404(Trail.objects.published(), slug=slug)
    body = opendata.gpx(
        _trail_rows(trail), name=trail.name, link=trail.get_absolute_url(), route=True
    )
    return _gpx_response(body, slug)
