import functools
import re
from functools import wraps

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.views.generic import DetailView, TemplateView

from events.demo import REHEARSAL_SLUG_PREFIX
from events.models import Ceremony
from memorials.models import HistoryNote, MemorialSite, Source

from .cache import first_end, until_content_edit
from .models import Page
from .translation import in_visitor_language

# A sentence ends at a full stop after two letters or digits, so that an initial
# ("William D. Robertson") does not end it.
_SENTENCE_END = re.compile(r"(?<=[^\s.]{2}[.!?])\s+")


def is_rehearsal(ceremony):
    """The demo's check-in rehearsal: a sample dated today, there to try the gate with,
    not to be announced."""
    return ceremony.is_sample and ceremony.slug.startswith(REHEARSAL_SLUG_PREFIX)


def first_sentence(text):
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def _history():
    """The published history notes, each with its citations, and their sources numbered
    in the order they first appear: {"notes", "intro", "sources"}."""
    notes = list(
        in_visitor_language(HistoryNote.objects.filter(is_published=True)).prefetch_related(
            Prefetch("sources", queryset=in_visitor_language(Source.objects.all()))
        )
    )
    # Citations are numbered in the order they first appear on the page, and each note
    # lists its own in ascending order: [1] [2], then [2] [3].
    numbers = {}
    for note in notes:
        note.citations = []
        for source in note.sources.all():
            numbers.setdefault(source.pk, (len(numbers) + 1, source))
            note.citations.append((numbers[source.pk][0], source))
        note.citations.sort(key=lambda citation: citation[0])
    for number, source in numbers.values():
        source.number = number
    return {
        "notes": notes,
        "intro": first_sentence(notes[0].text) if notes else "",
        "sources": [source for _number, source in numbers.values()],
    }


class HomeView(TemplateView):
    """What the day is, the next ceremony with its register button, the memorial sites,
    then the history with its sources."""

    template_name = "home.html"
    # Enough to look past the samples of a demo to a real ceremony, in one query.
    upcoming_looked_at = 12

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Read (once) by the template only when it renders the fragments that show it,
        # which it keeps until the next content edit.
        context["history"] = functools.cache(lambda: _history())
        upcoming = until_content_edit(
            self.request, "home-upcoming", self._upcoming, expires=first_end
        )
        # A real ceremony before any sample, and never the rehearsal.
        featured = sorted(
            (ceremony for ceremony in upcoming if not is_rehearsal(ceremony)),
            key=lambda ceremony: ceremony.is_sample,
        )
        context["next_ceremony"] = featured[0] if featured else None
        context["more_ceremonies"] = len(upcoming) > 1
        context["featured_sites"] = in_visitor_language(
            MemorialSite.objects.published().with_cover()
        )[:6]
        return context

    def _upcoming(self):
        return list(
            in_visitor_language(
                Ceremony.objects.public().upcoming().select_related("series", "venue_site"),
                "series",
                "venue_site",
            )[: self.upcoming_looked_at]
        )


class PageView(DetailView):
    model = Page
    template_name = "page_detail.html"
    context_object_name = "page"


def clearing_site_data(view):
    """A sign-out view whose answer also empties what the browser keeps for the site: the
    gate's offline guest list (IndexedDB), its cached pages and its service worker. A
    phone left behind after signing out holds no names."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

    return wrapped


def health(request):
    """A few bytes through the full middleware stack, without the database: the
    framework's own ceiling that the benchmark compares every page with."""
    return HttpResponse("ok\n", content_type="text/plain")


def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: /{code}/admin/" for code, _name in settings.LANGUAGES),
        *(f"Disallow: /{code}/registrations/" for code, _name in settings.LANGUAGES),
        *(f"Disallow: /{code}/tickets/" for code, _name in settings.LANGUAGES),
        *(f"Disallow: /{code}/checkin/" for code, _name in settings.LANGUAGES),
        "Disallow: /checkin/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def client_ip(request):
    """The visitor's address as RATELIMIT_IP_META_KEY says (behind a proxy, the first of
    its X-Forwarded-For)."""
    value = request.META.get(settings.RATELIMIT_IP_META_KEY, "")
    return value.split(",")[0].strip() or None


def locked_out(request, original_response=None, credentials=None):
    """What a sign-in gets while it is locked out (django-axes calls this)."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "registration/locked_out.html", {"lockout_minutes": minutes}, status=429)
