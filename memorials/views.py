from csp.decorators import csp_update
from django.db.models import Prefetch
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView, TemplateView

from .forms import MemorialFilterForm
from .models import MemorialSite, Photo


class MemorialListView(ListView):
    template_name = "memorials/memorialsite_list.html"
    context_object_name = "sites"
    paginate_by = 12

    def get_filter_form(self):
        published = MemorialSite.objects.published()
        facets = set(published.values_list("country", "kind").distinct())
        return MemorialFilterForm(
            self.request.GET or None,
            country_codes={country for country, _kind in facets},
            kinds={kind for _country, kind in facets},
        )

    def get_queryset(self):
        self.filter_form = self.get_filter_form()
        sites = MemorialSite.objects.published().with_cover()
        if self.filter_form.is_valid():
            if country := self.filter_form.cleaned_data["country"]:
                sites = sites.filter(country=country)
            if kind := self.filter_form.cleaned_data["kind"]:
                sites = sites.filter(kind=kind)
        return sites

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


class MemorialDetailView(DetailView):
    template_name = "memorials/memorialsite_detail.html"
    context_object_name = "site"

    def get_queryset(self):
        return MemorialSite.objects.published().prefetch_related(
            Prefetch("photos", queryset=Photo.objects.order_by("position", "pk")),
            "dates",
            "sources",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nearby"] = self.object.nearby()
        context["ceremonies"] = (
            self.object.ceremonies.public().upcoming().select_related("series", "venue_site")
        )
        return context


# The OpenStreetMap tiles that static/js/map.js loads when the visitor asks for them; no
# other page's Content Security Policy allows them (see CONTENT_SECURITY_POLICY).
TILE_SERVER = "https://tile.openstreetmap.org"


# The German Elbe, from the Czech border to its mouth, with the meeting places at Strehla
# and Torgau in the middle: the map opens on the sites inside. Sites far from it
# (Arlington, Moscow) are listed below the map instead, so that the first view is not of
# the whole world with every marker on the Elbe in one spot.
ELBE_REGION = {"south": 50.5, "west": 8.5, "north": 54.0, "east": 15.0}


def in_elbe_region(site):
    return (
        ELBE_REGION["south"] <= site.latitude <= ELBE_REGION["north"]
        and ELBE_REGION["west"] <= site.longitude <= ELBE_REGION["east"]
    )


@method_decorator(csp_update({"img-src": TILE_SERVER}), name="dispatch")
class MemorialMapView(TemplateView):
    template_name = "memorials/memorialsite_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        located = (
            MemorialSite.objects.published()
            .filter(latitude__isnull=False)
            .only(
                "name",
                "slug",
                "kind",
                "town",
                "country",
                "latitude",
                "longitude",
                "location_precision",
            )
        )
        sites, far_sites = [], []
        for site in located:
            (sites if in_elbe_region(site) else far_sites).append(site)
        context["sites"] = sites
        context["far_sites"] = far_sites
        context["map_data"] = [
            {
                "name": site.name,
                "url": site.get_absolute_url(),
                "kind": site.get_kind_display(),
                "town": site.town,
                "lat": float(site.latitude),
                "lon": float(site.longitude),
                "approximate": site.is_approximate,
            }
            for site in sites
        ]
        return context
