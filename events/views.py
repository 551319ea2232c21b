import json
import uuid
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView
from django_ratelimit.core import is_ratelimited

from . import calendar, services, tickets
from .forms import PartySizeForm, RegistrationForm
from .models import Ceremony, Registration


def public_ceremonies():
    return Ceremony.objects.public().select_related("series", "venue_site")


class CeremonyListView(ListView):
    """Upcoming ceremonies, then the archive: the latest years in full and older years as
    links, so the page stays small however many years there are."""

    template_name = "events/ceremony_list.html"
    context_object_name = "upcoming"
    recent_years = 5

    def get_queryset(self):
        return public_ceremonies().upcoming()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        past = public_ceremonies().past()
        years = [day.year for day in past.dates("start", "year", order="DESC")]
        recent = past.filter(start__year__in=years[: self.recent_years])
        context["archive"] = _by_year(recent)
        context["older_years"] = years[self.recent_years :]
        return context


def _by_year(ceremonies):
    return [
        (year, list(group))
        for year, group in groupby(ceremonies, key=lambda c: c.start.astimezone(c.tz).year)
    ]


class CeremonyYearView(ListView):
    template_name = "events/ceremony_archive_year.html"
    context_object_name = "ceremonies"

    def get_queryset(self):
        return public_ceremonies().past().filter(start__year=self.kwargs["year"])

    def get_context_data(self, **kwargs):
        if not self.object_list:
            raise Http404
        return super().get_context_data(year=self.kwargs["year"], **kwargs)


class CeremonyDetailView(DetailView):
    template_name = "events/ceremony_detail.html"
    context_object_name = "ceremony"

    def get_queryset(self):
        return public_ceremonies().prefetch_related("programme", "categories", "sources")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ceremony = self.object
        context["registration_state"] = ceremony.registration_state()
        context["json_ld"] = _script_json(_event_json_ld(self.request, ceremony))
        return context


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
        "location": {
            "@type": "Place",
            "name": ceremony.venue_label,
            "address": ceremony.venue_address
            or (ceremony.venue_site.town if ceremony.venue_site else ""),
        },
        "organizer": {"@type": "Organization", "name": ceremony.series.name},
    }
    return data


def _client_ip_limited(request):
    rate = settings.REGISTRATION_RATE_PER_IP
    return bool(rate) and is_ratelimited(
        request, group="register-ip", key="ip", rate=rate, method="POST", increment=True
    )


def _email_limited(request, email):
    rate = settings.REGISTRATION_RATE_PER_EMAIL
    return bool(rate) and is_ratelimited(
        request,
        group="register-email",
        key=lambda _group, _request: email.lower(),
        rate=rate,
        method="POST",
        increment=True,
    )


def register(request, slug):
    # Only what the form needs: the memorial site's long texts stay in the database.
    ceremony = get_object_or_404(Ceremony.objects.public(), slug=slug)
    categories = list(ceremony.categories.all())
    state = ceremony.registration_state()
    if state != "open" or not categories:
        return render(
            request,
            "events/registration_closed.html",
            {"ceremony": ceremony, "registration_state": state},
            status=403 if request.method == "POST" else 200,
        )
    form = RegistrationForm(
        request.POST or None,
        categories=categories,
        initial={"submission_key": _new_key()},
    )
    status = 200
    if request.method == "POST":
        if _client_ip_limited(request):
            form.add_error(
                None, _("Too many registrations from your network. Please try again later.")
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            if _email_limited(request, data["email"]):
                form.add_error(
                    None, _("Too many attempts for this email address. Please try again later.")
                )
                status = 429
            else:
                try:
                    result = services.registration_create(
                        category=data["category"],
                        name=data["name"],
                        email=data["email"],
                        party_size=data["party_size"],
                        guest_names=data["guest_names"],
                        country=data["country"],
                        language=data["language"],
                        invitation_code=data.get("invitation_code", ""),
                        consent_future=data["consent_future"],
                        needs=form.needs,
                        submission_key=data["submission_key"],
                    )
                except services.RegistrationError as error:
                    form.add_error(
                        error.field if error.field in form.fields else None, error.message
                    )
                    status = 400
                else:
                    return redirect(result.registration.get_manage_url() + "?new=1")
        else:
            status = 400
    return render(
        request,
        "events/registration_form.html",
        {"ceremony": ceremony, "form": form},
        status=status,
    )


def _new_key():
    return uuid.uuid4()


def _registration_or_404(token):
    registration = Registration.from_token(token, salt="registration-manage")
    if registration is None or registration.anonymised_at:
        raise Http404
    return registration


def _manage_context(registration, token, party_form, **extra):
    return {
        "registration": registration,
        "ceremony": registration.ceremony,
        "token": token,
        "party_form": party_form,
        "can_change": registration.is_active
        and not registration.ceremony.is_cancelled
        and registration.ceremony.end > timezone.now(),
        "qr_svg": tickets.qr_svg(registration)
        if registration.status == Registration.Status.CONFIRMED
        else "",
        **extra,
    }


def manage(request, token):
    registration = _registration_or_404(token)
    context = _manage_context(
        registration,
        token,
        PartySizeForm(registration=registration),
        is_new=request.GET.get("new") == "1",
    )
    return render(request, "events/registration_manage.html", context)


@require_POST
def change_party(request, token):
    registration = _registration_or_404(token)
    form = PartySizeForm(request.POST, registration=registration)
    if form.is_valid():
        try:
            services.registration_change_party(
                registration=registration,
                party_size=form.cleaned_data["party_size"],
                guest_names=form.cleaned_data["guest_names"],
            )
        except services.RegistrationError as error:
            form.add_error("party_size", error.message)
        else:
            messages.success(request, _("Your booking has been changed."))
            return redirect(registration.get_manage_url())
    # The form stays on the page so that its error can be read.
    context = _manage_context(registration, token, form, can_change=True)
    return render(request, "events/registration_manage.html", context, status=400)


@require_POST
def cancel(request, token):
    registration = _registration_or_404(token)
    was_waiting = registration.status == Registration.Status.WAITING
    services.registration_cancel(registration=registration)
    if was_waiting:
        messages.success(request, _("You have left the waiting list."))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect(registration.get_manage_url())


@require_POST
def erase(request, token):
    registration = _registration_or_404(token)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request, _("Please tick the box to confirm that your data should be deleted.")
        )
        return redirect(registration.get_manage_url())
    services.registration_erase(registration=registration)
    return render(request, "events/registration_erased.html", {"ceremony": registration.ceremony})


def ticket(request, token):
    registration = _registration_or_404(token)
    if registration.status != Registration.Status.CONFIRMED:
        raise Http404
    return render(
        request,
        "events/registration_ticket.html",
        {
            "registration": registration,
            "ceremony": registration.ceremony,
            "qr_svg": tickets.qr_svg(registration),
        },
    )


def registration_ics(request, token):
    registration = _registration_or_404(token)
    return _ics_response(
        calendar.registration_ics(registration), f"{registration.ceremony.slug}.ics"
    )


def registration_data(request, token):
    """Everything stored about this registration, for the registrant to keep."""
    registration = _registration_or_404(token)
    fields = [
        "booking_code",
        "status",
        "name",
        "email",
        "party_size",
        "guest_names",
        "country",
        "language",
        "needs_wheelchair_space",
        "needs_step_free_route",
        "needs_hearing_loop",
        "needs_seating",
        "needs_note",
        "consent_privacy_at",
        "consent_future",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "waiting_since",
    ]
    data = {name: getattr(registration, name) for name in fields}
    data["country"] = str(registration.country.code or "")
    data["ceremony"] = registration.ceremony.title
    data["category"] = registration.category.name
    data["emails"] = [
        {
            "kind": email.kind,
            "subject": email.subject,
            "status": email.status,
            "queued": email.created_at,
        }
        for email in registration.emails.order_by("created_at")
    ]
    response = JsonResponse(
        data, json_dumps_params={"ensure_ascii": False, "indent": 2, "default": str}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="registration-{registration.booking_code}.json"'
    )
    return response


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


def robots_txt(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: /{code}/admin/" for code, _name in settings.LANGUAGES),
        *(f"Disallow: /{code}/registrations/" for code, _name in settings.LANGUAGES),
        *(f"Disallow: /{code}/checkin/" for code, _name in settings.LANGUAGES),
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
