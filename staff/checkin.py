"""The gate: volunteers scan a ticket's QR code (which leads through `scanned` to
`ticket`) or search a guest, and check the party in, in whole or in part.

A phone can also get ready for offline (`device`): it gets a credential of its own,
downloads the day's list (`offline_list`) and sends the check-ins it made without the
network (`offline_sync`); `service_worker` keeps the gate page on the phone. See
`registrations.gate`."""

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from registrations import gate, services
from registrations.gate import arrival_counts as counts
from registrations.gate import todays_ceremonies
from registrations.models import Registration

from .forms import CheckInForm, GateDeviceForm, OfflineCheckInForm, SearchForm
from .permissions import staff_permission_required

PERMISSION = "registrations.checkin_registration"


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
    gate_counts, ceremony_counts = gate.gate_counts(ceremonies)
    response = render(
        request,
        "staff/checkin_home.html",
        {
            "ceremonies": [(c, *ceremony_counts[c.pk]) for c in ceremonies],
            "form": form,
            "results": results,
            "gate_counts": {
                "devices": [(row["label"], row["people"]) for row in gate_counts["devices"]],
                "volunteers": [(row["name"], row["people"]) for row in gate_counts["volunteers"]],
            },
            "device_form": GateDeviceForm(),
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


@require_POST
@staff_permission_required(PERMISSION)
def device(request):
    """Sign this phone in for offline use: its credential, shown once."""
    form = GateDeviceForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.errors["label"])}, status=400)
    try:
        device, token = gate.gate_device_create(
            user=request.user,
            label=form.cleaned_data["label"],
            session_key=request.session.session_key,
        )
    except gate.GateError as error:
        return JsonResponse({"error": str(error.message)}, status=409)
    return JsonResponse(
        {
            "token": token,
            "device": {
                "id": device.pk,
                "label": str(device),
                "expires": device.expires_at.isoformat(),
            },
        },
        status=201,
    )


def gate_device_required(view):
    """For the phone's own requests: its credential in `Authorization: Bearer`, not the
    session. A browser never sends that header by itself, so these need no CSRF token."""

    @csrf_exempt
    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        device = gate.gate_device_authenticate(token.strip()) if scheme == "Bearer" else None
        if device is None:
            return JsonResponse(
                {
                    "error": _(
                        "This phone is no longer signed in for the gate. Sign in again to "
                        "get ready for offline."
                    ),
                    "revoked": True,
                },
                status=401,
            )
        return view(request, device, *args, **kwargs)

    return wrapped


@require_GET
@gate_device_required
def offline_list(request, device):
    since = None
    if request.GET.get("since"):
        since = parse_datetime(request.GET["since"])
        if since is None or since.tzinfo is None:
            return JsonResponse({"error": _("The list's time stamp is not valid.")}, status=400)
    return JsonResponse(gate.offline_list(device=device, since=since))


@require_POST
@gate_device_required
def offline_sync(request, device):
    try:
        body = json.loads(request.body)
        items = body["checkins"]
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("The check-ins sent are not readable.")}, status=400)
    if len(items) > gate.MAX_SYNC:
        return JsonResponse(
            {"error": _("Send at most %(count)s check-ins at a time.") % {"count": gate.MAX_SYNC}},
            status=400,
        )
    valid, results = [], {}
    for position, item in enumerate(items):
        form = OfflineCheckInForm(item if isinstance(item, dict) else {})
        if form.is_valid():
            valid.append((position, form.cleaned_data))
        else:
            # Never recordable: answered, so that the phone stops sending it.
            results[position] = gate.refused_result(
                item.get("id", "") if isinstance(item, dict) else "",
                _("This check-in is not readable and was not recorded."),
            )
    recorded = gate.offline_sync(device=device, items=[data for _position, data in valid])
    results.update(zip((position for position, _data in valid), recorded, strict=True))
    ceremonies = list(device.ceremonies.all())
    return JsonResponse(
        {
            "results": [results[position] for position in range(len(items))],
            "counts": gate.gate_counts(ceremonies, device)[0],
        }
    )


@never_cache
def service_worker(request):
    """The script that keeps the gate page on the phone (see the template). Served from
    the gate's own folder, which makes that folder its scope. It holds no personal data,
    and a browser fetches it without following a redirect to the sign-in page."""
    return render(request, "staff/gate_sw.js", content_type="application/javascript; charset=utf-8")
