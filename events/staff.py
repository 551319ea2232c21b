"""Organisers' pages beside the admin: dashboard, exports, the guest list and messages."""

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook

from . import dashboard, emails
from .models import Ceremony
from .permissions import staff_permission_required


@staff_permission_required("events.view_dashboard")
def dashboard_view(request):
    return render(
        request,
        "events/staff/dashboard.html",
        {
            "overview": dashboard.upcoming_overview(),
            "attendance_charts": dashboard.attendance_by_year(),
            "failed_emails": dashboard.failed_email_count(),
        },
    )


EXPORT_COLUMNS = {
    "booking_code": gettext_lazy("Booking code"),
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("Email"),
    "status": gettext_lazy("Status"),
    "category": gettext_lazy("Seat category"),
    "party_size": gettext_lazy("People"),
    "checked_in": gettext_lazy("Checked in"),
    "guest_names": gettext_lazy("Guests"),
    "country": gettext_lazy("Country"),
    "language": gettext_lazy("Language"),
    "needs": gettext_lazy("Accessibility needs"),
    "needs_note": gettext_lazy("Other needs"),
    "consent_future": gettext_lazy("Future ceremonies"),
    "created_at": gettext_lazy("Registered"),
}
DEFAULT_COLUMNS = ["name", "party_size", "category", "needs"]


class ExportForm(forms.Form):
    which = forms.ChoiceField(
        label=gettext_lazy("Registrants"),
        choices=[
            ("confirmed", gettext_lazy("Confirmed")),
            ("waiting", gettext_lazy("Waiting list")),
            ("checked_in", gettext_lazy("Checked in")),
        ],
        initial="confirmed",
    )
    columns = forms.MultipleChoiceField(
        label=gettext_lazy("Columns"),
        choices=list(EXPORT_COLUMNS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_COLUMNS,
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV (UTF-8)")],
        widget=forms.RadioSelect,
        initial="xlsx",
    )


def export_rows(ceremony, which, columns):
    """The header and rows of an export, sorted by name."""
    registrations = ceremony.registrations.filter(anonymised_at__isnull=True).select_related(
        "category"
    )
    if which == "checked_in":
        registrations = registrations.filter(checked_in__gt=0)
    else:
        registrations = registrations.filter(status=which)
    header = [str(EXPORT_COLUMNS[column]) for column in columns]
    rows = [
        [_cell(registration, column) for column in columns]
        for registration in registrations.order_by("name", "pk")
    ]
    return header, rows


def _cell(registration, column):
    if column == "status":
        return str(registration.get_status_display())
    if column == "category":
        return str(registration.category.name)
    if column == "country":
        return str(registration.country.name) if registration.country else ""
    if column == "language":
        return registration.get_language_display()
    if column == "needs":
        return ", ".join(registration.needs)
    if column == "consent_future":
        return _("yes") if registration.consent_future else _("no")
    if column == "created_at":
        return timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M")
    return getattr(registration, column)


@staff_permission_required("events.export_registration")
def export(request, slug):
    ceremony = get_object_or_404(Ceremony, slug=slug)
    form = ExportForm(request.GET or None)
    if form.is_valid():
        header, rows = export_rows(
            ceremony, form.cleaned_data["which"], form.cleaned_data["columns"]
        )
        filename = f"{ceremony.slug}-{form.cleaned_data['which']}"
        if form.cleaned_data["file_format"] == "csv":
            return _csv_response(header, rows, filename)
        return _xlsx_response(header, rows, filename, title=ceremony.title)
    return render(request, "events/staff/export.html", {"ceremony": ceremony, "form": form})


def _csv_response(header, rows, filename):
    out = io.StringIO()
    # The byte-order mark makes Excel read the file as UTF-8 (Cyrillic, umlauts).
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(header, rows, filename, *, title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Registrants")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@staff_permission_required("events.export_registration")
def guest_list(request, slug):
    ceremony = get_object_or_404(Ceremony, slug=slug)
    registrations = (
        ceremony.registrations.confirmed()
        .filter(anonymised_at__isnull=True)
        .select_related("category")
        .order_by("name", "pk")
    )
    return render(
        request,
        "events/staff/guest_list.html",
        {"ceremony": ceremony, "registrations": registrations},
    )


class MessageForm(forms.Form):
    audience = forms.ChoiceField(label=gettext_lazy("To"))

    def __init__(self, *args, ceremony, **kwargs):
        super().__init__(*args, **kwargs)
        self.ceremony = ceremony
        self.fields["audience"].choices = [
            ("active", _("Everyone registered (confirmed and waiting list)")),
            ("confirmed", _("Confirmed")),
            ("waiting", _("Waiting list")),
            *(
                (f"category-{category.pk}", _("Category: %(name)s") % {"name": category.name})
                for category in ceremony.categories.all()
            ),
        ]
        for code, name in settings.LANGUAGES:
            required = code == settings.LANGUAGE_CODE
            self.fields[f"subject_{code}"] = forms.CharField(
                label=_("Subject (%(language)s)") % {"language": name},
                max_length=200,
                required=required,
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message (%(language)s)") % {"language": name},
                widget=forms.Textarea(attrs={"rows": 6}),
                max_length=10000,
                required=required,
                help_text=None
                if required
                else _("Optional: people who chose this language get the English text otherwise."),
            )

    def clean(self):
        cleaned = super().clean()
        for code, _name in settings.LANGUAGES:
            if self.has_error(f"subject_{code}") or self.has_error(f"body_{code}"):
                continue  # already told ("This field is required.")
            if bool(cleaned.get(f"subject_{code}")) != bool(cleaned.get(f"body_{code}")):
                self.add_error(f"body_{code}", _("Give both a subject and a message, or neither."))
        return cleaned

    def recipients(self):
        registrations = self.ceremony.registrations.filter(anonymised_at__isnull=True)
        audience = self.cleaned_data["audience"]
        if audience == "active":
            registrations = registrations.active()
        elif audience in ("confirmed", "waiting"):
            registrations = registrations.filter(status=audience)
        else:
            registrations = registrations.active().filter(
                category_id=int(audience.removeprefix("category-"))
            )
        return registrations.select_related("ceremony", "category")

    def message_for(self, language):
        code = language if self.cleaned_data.get(f"subject_{language}") else settings.LANGUAGE_CODE
        return {
            "subject": self.cleaned_data[f"subject_{code}"],
            "body": self.cleaned_data[f"body_{code}"],
        }


@staff_permission_required("events.message_registration")
def message(request, slug):
    ceremony = get_object_or_404(Ceremony, slug=slug)
    form = MessageForm(request.POST or None, ceremony=ceremony)
    preview = None
    if request.method == "POST" and form.is_valid():
        recipients = list(form.recipients())
        if "send" in request.POST:
            with transaction.atomic():
                for registration in recipients:
                    emails.queue_registration_email(
                        registration, "message", message=form.message_for(registration.language)
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
        "events/staff/message.html",
        {
            "ceremony": ceremony,
            "form": form,
            "preview": preview,
            "preview_count": preview_count if preview is not None else 0,
        },
    )
