"""The registrant's pages: the registration form, and behind the link in their emails
the booking with its ticket, changes, cancellation, calendar file and their data; and
the page that sends a lost booking link again.

Every page here shows or takes personal data, so none is kept by a browser or a proxy
(`never_cache`: "Cache-Control: private, no-store, ...")."""

import copy
import functools
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from elbeday.cache import until_content_edit
from events.calendar import venue_address
from events.models import Ceremony, SeatCategory, read_seats

from . import services, tickets
from .forms import LostLinkForm, PartySizeForm, RegistrationForm
from .models import Registration


def _client_ip_limited(request, group="register-ip"):
    rate = settings.REGISTRATION_RATE_PER_IP
    return bool(rate) and is_ratelimited(
        request, group=group, key="ip", rate=rate, method="POST", increment=True
    )


def _email_limited(request, email, group="register-email"):
    rate = settings.REGISTRATION_RATE_PER_EMAIL
    return bool(rate) and is_ratelimited(
        request,
        group=group,
        key=lambda _group, _request: email.lower(),
        rate=rate,
        method="POST",
        increment=True,
    )


# What the form, its page and the POST read of the categories and their ceremony: the
# ceremony's long texts (in every language) would be most of the query's columns, and
# building the query costs more with each column than the database does.
REGISTER_PAGE_FIELDS = (
    "name",
    "capacity",
    "seats_taken",
    "max_party_size",
    "has_waiting_list",
    "invitation_code",
    "position",
    "ceremony__slug",
    "ceremony__title",
    "ceremony__start",
    "ceremony__end",
    "ceremony__dates_only",
    "ceremony__time_zone",
    "ceremony__venue_site__name",
    "ceremony__venue_name",
    "ceremony__status",
    "ceremony__registration_opens",
    "ceremony__registration_closes",
    "ceremony__pickup_point",
)


def _register_content(slug):
    """The ceremony of `slug` (not a draft) and its seat categories, all sharing one copy
    of it; None when there is no such ceremony."""
    categories = list(
        SeatCategory.objects.filter(ceremony__slug=slug)
        .exclude(ceremony__status=Ceremony.Status.DRAFT)
        .select_related("ceremony__venue_site")
        .only(*REGISTER_PAGE_FIELDS)
    )
    if not categories:
        # Without seat categories there is nothing to register for.
        ceremony = Ceremony.objects.public().filter(slug=slug).first()
        return None if ceremony is None else (ceremony, [])
    ceremony = categories[0].ceremony
    for category in categories[1:]:
        category.ceremony = ceremony
    return ceremony, categories


@never_cache
def register(request, slug):
    # As they were at the last content edit: a registration rush reads them once, not for
    # every POST. The seats are read afresh for a form shown; a form sent takes its seats
    # in the database (registrations.services).
    found = until_content_edit(
        request, "register", functools.partial(_register_content, slug), slug
    )
    if found is None:
        raise Http404
    ceremony, categories = found
    state = ceremony.registration_state() if categories else Ceremony.RegistrationState.NONE
    if state != Ceremony.RegistrationState.OPEN:
        return render(
            request,
            "registrations/registration_closed.html",
            {"ceremony": ceremony, "registration_state": state},
            status=403 if request.method == "POST" else 200,
        )
    if request.method != "POST":
        read_seats(categories)
    data = request.POST or None
    form = RegistrationForm(
        data,
        categories=categories,
        # A form sent is shown again with the key it was sent with.
        initial=None if data else {"submission_key": uuid.uuid4()},
    )
    status = 200
    if request.method == "POST":
        if _client_ip_limited(request):
            form.add_error(
                None, _("Too many registrations from your network. Please try again later.")
            )
            status = 429
        elif not form.is_valid():
            status = 400
        elif _email_limited(request, form.cleaned_data["email"]):
            form.add_error(
                None, _("Too many attempts for this email address. Please try again later.")
            )
            status = 429
        else:
            try:
                result = services.registration_create(
                    registration=form.instance,
                    invitation_code=form.cleaned_data.get("invitation_code", ""),
                    # The form has run the model's validation, with a message per field.
                    validated=True,
                )
            except services.RegistrationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 400
            else:
                # To the address itself: `redirect()` would first try it as a URL name.
                return HttpResponseRedirect(result.registration.get_manage_url() + "?new=1")
        # Shown again, with the seats as they are now.
        form.fields["category"].set_categories(read_seats(categories))
    return render(
        request,
        "registrations/registration_form.html",
        {"ceremony": ceremony, "form": form},
        status=status,
    )


@never_cache
def lost_link(request):
    """Sends the booking links of an address again. The page answers the same whether
    or not anyone registered with it, and takes the same steps either way (the search,
    the queueing in one transaction), so that it tells nobody who is registered."""
    form = LostLinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _client_ip_limited(request, group="lost-link-ip"):
            form.add_error(None, _("Too many requests from your network. Please try again later."))
            status = 429
        elif not form.is_valid():
            status = 400
        elif _email_limited(request, form.cleaned_data["email"], group="lost-link-email"):
            form.add_error(
                None, _("Too many attempts for this email address. Please try again later.")
            )
            status = 429
        else:
            services.registration_links_send(email=form.cleaned_data["email"])
            return render(request, "registrations/lost_link.html", {"sent": True})
    return render(request, "registrations/lost_link.html", {"form": form}, status=status)


def _registration_or_404(token):
    registration = Registration.from_token(token, salt="registration-manage")
    if registration is None or registration.anonymised_at:
        raise Http404
    return registration


def _can_change(registration):
    return (
        registration.is_active
        and not registration.ceremony.is_cancelled
        and registration.ceremony.end > timezone.now()
    )


def _manage_context(registration, token, party_form, **extra):
    return {
        "registration": registration,
        "ceremony": registration.ceremony,
        "token": token,
        "party_form": party_form,
        "can_change": _can_change(registration),
        "qr_svg": tickets.qr_svg(registration)
        if registration.status == Registration.Status.CONFIRMED
        else "",
        "venue_address": venue_address(registration.ceremony),
        **extra,
    }


@never_cache
def manage(request, token):
    registration = _registration_or_404(token)
    if protocol_page := registration.protocol_page_url():
        return redirect(protocol_page)
    context = _manage_context(
        registration,
        token,
        PartySizeForm(instance=registration),
        is_new=request.GET.get("new") == "1",
    )
    return render(request, "registrations/registration_manage.html", context)


@never_cache
@require_POST
def change_party(request, token):
    registration = _registration_or_404(token)
    if protocol_page := registration.protocol_page_url():
        return redirect(protocol_page)
    # The form fills in a copy: the page around it keeps showing the booking as it is.
    form = PartySizeForm(request.POST, instance=copy.copy(registration))
    if form.is_valid():
        try:
            services.registration_change_party(
                registration=registration,
                party_size=form.instance.party_size,
                guest_names=form.instance.guest_names,
            )
        except services.RegistrationError as error:
            form.add_error("party_size", error.message)
        else:
            messages.success(request, _("Your booking has been changed."))
            return redirect(registration.get_manage_url())
    # The form stays on the page so that its error can be read.
    context = _manage_context(registration, token, form, can_change=True)
    return render(request, "registrations/registration_manage.html", context, status=400)


@never_cache
def cancel(request, token):
    """Asks first (GET), cancels on the answer (POST). A POST without the answer, such
    as the form of a booking page from before this step, only leads to the question."""
    registration = _registration_or_404(token)
    if protocol_page := registration.protocol_page_url():
        return redirect(protocol_page)
    if not _can_change(registration):
        return redirect(registration.get_manage_url())
    if request.method != "POST":
        return render(
            request,
            "registrations/registration_cancel.html",
            {"registration": registration, "ceremony": registration.ceremony, "token": token},
        )
    if request.POST.get("confirm") != "yes":
        return redirect("registrations:cancel", token=token)
    was_waiting = registration.status == Registration.Status.WAITING
    services.registration_cancel(registration=registration)
    if was_waiting:
        messages.success(request, _("You have left the waiting list."))
    else:
        messages.success(request, _("Your registration has been cancelled."))
    return redirect(registration.get_manage_url())


@never_cache
@require_POST
def erase(request, token):
    registration = _registration_or_404(token)
    if protocol_page := registration.protocol_page_url():
        return redirect(protocol_page)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request, _("Please tick the box to confirm that your data should be deleted.")
        )
        return redirect(registration.get_manage_url())
    services.registration_erase(registration=registration)
    return render(
        request, "registrations/registration_erased.html", {"ceremony": registration.ceremony}
    )


@never_cache
def ticket(request, token):
    """The printable ticket, reached with the ticket's own token (the one in its QR
    code): whoever holds a ticket can show it, not change the booking."""
    registration = Registration.from_token(token, salt="registration-ticket")
    if (
        registration is None
        or registration.anonymised_at
        or registration.status != Registration.Status.CONFIRMED
    ):
        raise Http404
    return render(
        request,
        "registrations/registration_ticket.html",
        {
            "registration": registration,
            "ceremony": registration.ceremony,
            "qr_svg": tickets.qr_svg(registration),
            "venue_address": venue_address(registration.ceremony),
        },
    )


@never_cache
def ticket_moved(request, token):
    return redirect(_registration_or_404(token).get_ticket_url())


@never_cache
def registration_ics(request, token):
    registration = _registration_or_404(token)
    response = HttpResponse(
        tickets.registration_ics(registration), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{registration.ceremony.slug}.ics"'
    return response


@never_cache
def registration_data(request, token):
    """Everything stored about this registration, for the registrant to keep."""
    registration = _registration_or_404(token)
    fields = [
        "booking_code",
        "status",
        "name",
        "email",
        "phone",
        "party_size",
        "guest_names",
        "country",
        "language",
        *Registration.NEEDS,
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
