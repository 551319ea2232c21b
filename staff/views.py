"""Organisers' pages beside the admin: dashboard, exports, the guest list and messages."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext

from events.models import Ceremony
from registrations import services

from . import dashboard, exports
from .forms import ExportForm, MessageForm
from .permissions import staff_permission_required


@staff_permission_required("registrations.view_dashboard")
def dashboard_view(request):
    return render(
        request,
        "staff/dashboard.html",
        {
            "overview": dashboard.upcoming_overview(),
            "attendance_charts": dashboard.attendance_by_year(),
            "failed_emails": dashboard.undelivered_emails(),
        },
    )


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
            return exports.csv_response(header, rows, filename)
        return exports.xlsx_response(header, rows, filename, title=ceremony.title)
    return render(request, "staff/export.html", {"ceremony": ceremony, "form": form})


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
        {"ceremony": ceremony, "registrations": registrations},
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
        },
    )
