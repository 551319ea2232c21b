"""The public pages of ceremonies: the list with its archive, a ceremony with its
programme and seats, calendar files and the news feed."""

import functools
import json
import uuid
from itertools import groupby
from operator import attrgetter

from django.contrib.syndication.views import Feed
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView

from elbeday.cache import depends_on_seats, first_end, until_content_edit
from elbeday.translation import in_visitor_language

from . import calendar
from .models import Ceremony, SeatCategory, read_seats


def public_ceremonies():
    return in_visitor_language(
        Ceremony.objects.public().select_related("series", "venue_site"), "series", "venue_site"
    )


class CeremonyListView(ListView):
    """Upcoming ceremonies, then the archive: the latest years in full and older years as
    links, so the page stays small however many years there are."""

    template_name = "events/ceremony_list.html"
    context_object_name = "upcoming"
    recent_years = 5

    def get_queryset(self):
        # As they were at the last content edit, until the first upcoming ceremony ends
        # (it then moves to the archive).
        self.content = until_content_edit(
            self.request,
            "ceremony-list",
            self._content,
            expires=lambda content: first_end(content["upcoming"]),
        )
        return self.content["upcoming"]

    def _content(self):
        now = timezone.now()
        past = Ceremony.objects.public().past(now)
        years = list(past.order_by("-year").values_list("year", flat=True).distinct())
        # What the archive's lines show: the title, the anniversary (from the local year
        # and the series) and the status.
        recent = (
            past.filter(year__in=years[: self.recent_years])
            .select_related("series")
            .only(
                "slug", "title", "year", "start", "time_zone", "status", "series__commemorated_year"
            )
            .order_by("-year", "-start")
        )
        return {
            # Names this reading of the content: the page's list is kept as a fragment
            # under it, so that a list read again (after an edit, or once a ceremony has
            # ended) is rendered again.
            "reading": uuid.uuid4().hex,
            "upcoming": list(public_ceremonies().upcoming(now)),
            "archive": [
                (year, list(group)) for year, group in groupby(recent, key=attrgetter("year"))
            ],
            "older_years": years[self.recent_years :],
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["archive"] = self.content["archive"]
        context["older_years"] = self.content["older_years"]
        context["reading"] = self.content["reading"]
        return context


class CeremonyYearView(ListView):
    template_name = "events/ceremony_archive_year.html"
    context_object_name = "ceremonies"

    def get_queryset(self):
        return public_ceremonies().past().filter(year=self.kwargs["year"])

    def get_context_data(self, **kwargs):
        if not self.object_list:
            raise Http404
        return super().get_context_data(year=self.kwargs["year"], **kwargs)


class CeremonyDetailView(DetailView):
    template_name = "events/ceremony_detail.html"
    context_object_name = "ceremony"

    def get_queryset(self):
        # The programme, the sources and the wreath order are read by the template, in
        # the fragments it keeps until the next content edit (no query while they last).
        return public_ceremonies()

    def get_object(self, queryset=None):
        # The ceremony with its series, venue and seat categories, as they were at the
        # last content edit: the page is rendered again after every seat taken, and only
        # the seats have changed then.
        slug = self.kwargs[self.slug_url_kwarg]
        found = until_content_edit(
            self.request, "ceremony", functools.partial(self._content, slug), slug
        )
        if found is None:
            raise Http404
        ceremony, self.categories = found
        # The page shows the seats: it says so before it reads them, so that a seat
        # taken in between clears the cached page (see elbeday.cache).
        depends_on_seats(self.request, [ceremony.pk])
        read_seats(self.categories)
        return ceremony

    def _content(self, slug):
        ceremony = self.get_queryset().filter(slug=slug).first()
        if ceremony is None:
            return None
        categories = in_visitor_language(SeatCategory.objects.filter(ceremony=ceremony))
        return ceremony, list(categories)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ceremony = self.object
        context["registration_state"] = ceremony.registration_state()
        context["categories"] = self.categories
        # Called by the template only when it renders the fragment that shows them.
        context["wreath_order"] = functools.partial(_published_wreath_order, ceremony)
        context["json_ld"] = lambda: _script_json(_event_json_ld(self.request, ceremony))
        return context


def _published_wreath_order(ceremony):
    """The order of laying wreaths, once the organisers publish it: one query through the
    reverse relation (events does not import registrations, which imports events).
    `registrations.order` keeps a place only for approved delegations with a wreath."""
    if not ceremony.wreath_order_published:
        return []
    return list(
        ceremony.delegations.filter(wreath_position__isnull=False).order_by("wreath_position", "pk")
    )


# As `json_script` escapes them, so that the data cannot end the <script> element.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _script_json(data):
    """JSON to put in <script type="application/ld+json">: search engines read structured
    data only under that type, and `json_script` always writes "application/json"."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES))


def _event_json_ld(request, ceremony):
    status = {
        Ceremony.Status.CANCELLED: "https://schema.org/EventCancelled",
        Ceremony.Status.POSTPONED: "https://schema.org/EventPostponed",
    }.get(ceremony.status, "https://schema.org/EventScheduled")
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": ceremony.title,
        "description": ceremony.summary,
        "startDate": ceremony.start.astimezone(ceremony.tz).isoformat(),
        "endDate": ceremony.end.astimezone(ceremony.tz).isoformat(),
        "eventStatus": status,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": request.build_absolute_uri(ceremony.get_absolute_url()),
        "location": _place_json_ld(ceremony),
        "organizer": {"@type": "Organization", "name": ceremony.series.name},
    }
    return data


def _place_json_ld(ceremony):
    """The venue as a schema.org Place: a PostalAddress (the ceremony's address, else the
    memorial site's street; the site's town and country) and GeoCoordinates when the
    site has them."""
    site = ceremony.venue_site
    address = {"@type": "PostalAddress"}
    if street := ceremony.venue_address or (site.address if site else ""):
        address["streetAddress"] = street
    if site:
        address["addressLocality"] = site.town
        if site.country:
            address["addressCountry"] = site.country.code
    place = {"@type": "Place", "name": ceremony.venue_label, "address": address}
    if coordinates := calendar.venue_coordinates(ceremony):
        latitude, longitude = coordinates
        place["geo"] = {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}
    return place


def ceremony_ics(request, slug):
    ceremony = get_object_or_404(public_ceremonies(), slug=slug)
    return _ics_response(calendar.ceremony_ics(ceremony), f"{ceremony.slug}.ics")


def calendar_feed(request):
    ceremonies = public_ceremonies().order_by("-start")[:200]
    body = calendar.ceremonies_ics(ceremonies, name=_("Elbe Day ceremonies"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def _ics_response(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CeremonyFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Elbe Day ceremonies")
    subtitle = gettext_lazy("Ceremonies at the memorial sites of the meeting on the Elbe.")

    def link(self):
        return reverse("events:list")

    def items(self):
        return public_ceremonies().order_by("-updated_at")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at
