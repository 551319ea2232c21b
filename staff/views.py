"""Organisers' pages beside the admin: dashboard, exports, the guest list, messages and
registrations taken by hand.

Past ceremonies keep all of them (a thank-you message, the year's lists) until their
registrants are anonymised; then the pages say that the personal data is gone."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Ceremony
from registrations import services
from registrations.models import Registration

from . import dashboard, exports
from .forms import DashboardYearForm, ExportForm, MessageForm, RegistrationByHandForm
from .permissions import staff_permission_required


@staff_permission_required("registrations.view_dashboard")
def dashboard_view(request):
    years = dashboard.ceremony_years()
    form = DashboardYearForm(request.GET or None, years=years)
    year = form.cleaned_data["year"] if form.is_valid() else dashboard.default_year(years)
    return render(
        request,
        "staff/dashboard.html",
        {
            "overview": dashboard.upcoming_overview(),
            "year_form": form,
            "year": year,
            "years": years,
            "ceremonies_of_year": dashboard.ceremonies_of_year(year),
            "attendance_charts": dashboard.attendance_by_year(),
            "failed_emails": dashboard.undelivered_emails(),
            "gate_conflicts": dashboard.gate_conflicts(),
        },
    )


def _personal_data_deleted(ceremony):
    """Whether the ceremony had registrants whose personal data is all gone (anonymised
    after the ceremony): its lists and messages have nobody left to name."""
    counts = ceremony.registrations.aggregate(
        total=Count("pk"), kept=Count("pk", filter=Q(anonymised_at__isnull=True))
    )
    return counts["total"] > 0 and counts["kept"] == 0


@staff_permission_required("registrations.export_registration")
def export(request, slug):
    ceremony = get_object_or_404(Ceremony, slug=slug)
    form = ExportForm(request.GET or None)
    if form.is_valid():
        header, rows = exports.export_rows(
            ceremony, form.cleaned_data["which"], form.cleaned_data["columns"]
        )
        filename = f"{ceremony.slug}-{form.cleaned_data['which']}"
        if form.cleaned_data["file_format"] == "csv":
            return exports.csv_response(
                header, rows, filename, delimiter=form.cleaned_data["delimiter"]
            )
        return exports.xlsx_response(header, rows, filename, title=ceremony.title)
    return render(
        request,
        "staff/export.html",
        {
            "ceremony": ceremony,
            "form": form,
            "personal_data_deleted": _personal_data_deleted(ceremony),
        },
    )


@staff_permission_required("registrations.export_registration")
def guest_list(request, slug):
    ceremony = get_object_or_404(Ceremony, slug=slug)
    registrations = (
        ceremony.registrations.confirmed()
        .not_anonymised()
        .select_related("category")
        .order_by("name", "pk")
    )
    return render(
        request,
        "staff/guest_list.html",
        {
            "ceremony": ceremony,
            "registrations": registrations,
            "personal_data_deleted": _personal_data_deleted(ceremony),
        },
    )


@staff_permission_required("registrations.message_registration")
def message(request, slug):
    ceremony = get_object_or_404(Ceremony, slug=slug)
    form = MessageForm(request.POST or None, ceremony=ceremony)
    preview = None
    if request.method == "POST" and form.is_valid():
        recipients = list(form.recipients())
        if "send" in request.POST:
            services.registrations_message(
                registrations=recipients,
                texts={code: form.message_for(code) for code, _name in settings.LANGUAGES},
            )
            messages.success(
                request,
                ngettext("%(count)d message queued.", "%(count)d messages queued.", len(recipients))
                % {"count": len(recipients)},
            )
            return redirect("staff:message", slug=ceremony.slug)
        by_language = {}
        for registration in recipients:
            by_language[registration.language] = by_language.get(registration.language, 0) + 1
        preview = [
            {
                "language": code,
                "name": name,
                "count": by_language.get(code, 0),
                **form.message_for(code),
            }
            for code, name in settings.LANGUAGES
        ]
        preview_count = len(recipients)
    return render(
        request,
        "staff/message.html",
        {
            "ceremony": ceremony,
            "form": form,
            "preview": preview,
            "preview_count": preview_count if preview is not None else 0,
            "personal_data_deleted": _personal_data_deleted(ceremony),
        },
    )


# Organisers have "change registration"; volunteers at the gate and editors have not.
@staff_permission_required("registrations.change_registration")
def registration_add(request, slug):
    """A registration taken by phone, by letter or at the gate, through the same service
    (quota, party size, waiting list, confirmation email) as the public form."""
    ceremony = get_object_or_404(Ceremony, slug=slug)
    form = RegistrationByHandForm(
        request.POST or None, ceremony=ceremony, initial={"submission_key": uuid.uuid4()}
    )
    problem = services.registration_by_hand_problem(ceremony)
    status = 200
    if request.method == "POST" and problem is None:
        if form.is_valid():
            try:
                result = services.registration_create(registration=form.instance, by_hand=True)
            except services.RegistrationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _registered_message(result.registration))
                return redirect("staff:registration_add", slug=ceremony.slug)
        status = 400
    elif request.method == "POST":
        status = 403
    return render(
        request,
        "staff/registration_add.html",
        {"ceremony": ceremony, "form": form, "problem": problem},
        status=status,
    )


def _registered_message(registration):
    values = {
        "code": registration.booking_code_display,
        "name": registration.name,
        "count": registration.party_size,
    }
    if registration.status == Registration.Status.WAITING:
        text = ngettext(
            "%(code)s %(name)s (%(count)s person) is on the waiting list.",
            "%(code)s %(name)s (%(count)s people) is on the waiting list.",
            registration.party_size,
        )
    else:
        text = ngettext(
            "%(code)s %(name)s (%(count)s person) is registered.",
            "%(code)s %(name)s (%(count)s people) is registered.",
            registration.party_size,
        )
    message = text % values
    if registration.email:
        message += " " + _("An email is on its way to %(email)s.") % {"email": registration.email}
    return message
