from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.generic import DetailView, TemplateView

from events.models import Ceremony
from memorials.models import HistoryNote, MemorialSite

from .models import Page


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notes = list(HistoryNote.objects.filter(is_published=True).prefetch_related("sources"))
        context["notes"] = notes
        context["note_sources"] = list(
            {source.pk: source for note in notes for source in note.sources.all()}.values()
        )
        upcoming = list(
            Ceremony.objects.public().upcoming().select_related("series", "venue_site")[:2]
        )
        context["next_ceremony"] = upcoming[0] if upcoming else None
        context["more_ceremonies"] = len(upcoming) > 1
        context["featured_sites"] = MemorialSite.objects.published().with_cover()[:6]
        return context


class PageView(DetailView):
    model = Page
    template_name = "page_detail.html"
    context_object_name = "page"


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
