"""The gate: volunteers scan a ticket's QR code (which leads through `scanned` to
`ticket`) or search a guest, and check the party in, in whole or in part."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from events.models import Ceremony
from registrations import services
from registrations.models import Registration

from .forms import CheckInForm, SearchForm
from .permissions import staff_permission_required

PERMISSION = "registrations.checkin_registration"


def todays_ceremonies(now=None):
    """Ceremonies taking place today in their own time zone (not cancelled)."""
    now = now or timezone.now()
    near = (
        Ceremony.objects.public()
        .not_cancelled()
        .filter(
            start__lte=now + datetime.timedelta(days=1), end__gte=now - datetime.timedelta(days=1)
        )
    )
    return [
        ceremony
        for ceremony in near.order_by("start")
        if ceremony.start.astimezone(ceremony.tz).date()
        <= now.astimezone(ceremony.tz).date()
        <= ceremony.end.astimezone(ceremony.tz).date()
    ]


def counts(ceremonies):
    """{ceremony id: (people checked in, people expected)} in one query."""
    rows = (
        Registration.objects.confirmed()
        .filter(ceremony__in=ceremonies)
        .values("ceremony")
        .annotate(expected=Sum("party_size"), arrived=Sum("checked_in"))
    )
    found = {row["ceremony"]: (row["arrived"] or 0, row["expected"] or 0) for row in rows}
    return {ceremony.pk: found.get(ceremony.pk, (0, 0)) for ceremony in ceremonies}


@staff_permission_required(PERMISSION)
def home(request):
    ceremonies = todays_ceremonies()
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and (query := form.cleaned_data["q"].strip()):
        code = query.replace("-", "").replace(" ", "").upper()
        # Matched here rather than in SQL: SQLite ignores case only for A-Z, and guests
        # are called Müßig and Сильвашко. Today's guests are few enough to scan.
        needle = query.casefold()
        guests = (
            Registration.objects.not_anonymised()
            .filter(ceremony__in=ceremonies)
            .select_related("ceremony", "category")
            .order_by("name", "pk")
        )
        results = [
            guest
            for guest in guests
            if needle in guest.name.casefold() or guest.booking_code == code
        ][:50]
    ceremony_counts = counts(ceremonies)
    response = render(
        request,
        "staff/checkin_home.html",
        {
            "ceremonies": [(c, *ceremony_counts[c.pk]) for c in ceremonies],
            "form": form,
            "results": results,
        },
    )
    # The gate's start page remembers the volunteer's language (Django's language
    # cookie), so that the tickets they scan open in it (see `scanned`).
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        translation.get_language(),
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@staff_permission_required(PERMISSION)
def live_counts(request):
    ceremonies = todays_ceremonies()
    return JsonResponse(
        {
            str(pk): {"arrived": arrived, "expected": expected}
            for pk, (arrived, expected) in counts(ceremonies).items()
        }
    )


@staff_permission_required(PERMISSION)
def ticket(request, token):
    registration = Registration.from_token(token, salt="registration-ticket")
    if registration is None or registration.anonymised_at:
        raise Http404
    remaining = registration.party_size - registration.checked_in
    form = CheckInForm(request.POST or None, initial={"people": remaining or 1})
    status = 200
    if request.method == "POST" and form.is_valid():
        people = form.cleaned_data["people"]
        try:
            services.checkin_record(registration=registration, people=people, by=request.user)
        except services.CheckInRefused as refusal:
            form.add_error("people", refusal.message)
            status = 409
        else:
            messages.success(
                request,
                ngettext("%(count)d person checked in.", "%(count)d people checked in.", people)
                % {"count": people},
            )
            return redirect(f"{request.path}?done=1")
    registration.refresh_from_db()
    first = registration.checkins.select_related("by").first()
    arrived_expected = counts([registration.ceremony]).get(registration.ceremony.pk)
    return render(
        request,
        "staff/checkin_ticket.html",
        {
            "registration": registration,
            "problem": services.checkin_problem(registration),
            "remaining": registration.party_size - registration.checked_in,
            "first_checkin": first,
            "just_done": request.GET.get("done") == "1",
            "form": form,
            "arrived_expected": arrived_expected,
        },
        status=status,
    )


# The answer depends on who asks (their language) and carries the ticket's token.
@never_cache
def scanned(request, token):
    """Where a ticket's QR code leads: an address without a language, since the guest
    booked in theirs and the volunteer at the gate reads another. It sends the volunteer
    on to the ticket's gate page in their own language: the one they last opened the
    gate's start page in (the language cookie, set by `home`), else their browser's.
    Checks nothing itself: the gate page asks for the sign-in and the permission, and
    looks at the token."""
    with translation.override(translation.get_language_from_request(request)):
        return redirect("checkin:ticket", token=token)
