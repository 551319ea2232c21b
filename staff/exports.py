"""Registrant lists for organisers, as XLSX or CSV with the columns they choose."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

EXPORT_COLUMNS = {
    "booking_code": gettext_lazy("Booking code"),
    "name": gettext_lazy("Name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "status": gettext_lazy("Status"),
    "category": gettext_lazy("Seat category"),
    "party_size": gettext_lazy("People"),
    "checked_in": gettext_lazy("Checked in"),
    "guest_names": gettext_lazy("Guests"),
    "country": gettext_lazy("Country"),
    "language": gettext_lazy("Language"),
    "needs": gettext_lazy("Accessibility needs"),
    "needs_note": gettext_lazy("Other needs"),
    "carers": gettext_lazy("Carers or escorts"),
    "interpreter_language": gettext_lazy("Interpreter for"),
    "needs_transport": gettext_lazy("Transport from the pick-up point"),
    "consent_future": gettext_lazy("Future ceremonies"),
    "created_at": gettext_lazy("Registered"),
}
DEFAULT_COLUMNS = ["name", "party_size", "category", "needs"]

# Excel splits a CSV file at the list separator of the computer's regional settings: a
# semicolon where the comma is the decimal sign (German, Russian), a comma in English.
CSV_DELIMITERS = {
    ";": gettext_lazy("Semicolon (;)"),
    ",": gettext_lazy("Comma (,)"),
}
DELIMITER_BY_LANGUAGE = {"de": ";", "ru": ";"}


def csv_delimiter_for(language):
    """The separator Excel expects in `language`."""
    return DELIMITER_BY_LANGUAGE.get(language, ",")


def export_rows(ceremony, which, columns):
    """The header and rows of an export, sorted by name."""
    registrations = ceremony.registrations.not_anonymised().select_related("category")
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
    if column in ("consent_future", "needs_transport"):
        return _("yes") if getattr(registration, column) else _("no")
    if column == "created_at":
        return timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M")
    return getattr(registration, column)


# A cell beginning with one of these is a formula to Excel or LibreOffice: a registrant
# named =HYPERLINK("http://evil.example/x","Click") would become a live link in the
# organisers' spreadsheet (OWASP, "CSV Injection"). Full-width forms included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_text(value):
    """A CSV cell that a spreadsheet shows as text: a leading apostrophe before anything
    it would read as a formula, as OWASP advises."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(header, rows, filename, *, delimiter=","):
    out = io.StringIO()
    # The byte-order mark makes Excel read the file as UTF-8 (Cyrillic, umlauts).
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow([csv_text(value) for value in header])
    writer.writerows([csv_text(value) for value in row] for row in rows)
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(header, rows, filename, *, title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Registrants")[:31]
    for row in [header, *rows]:
        sheet.append(row)
        # openpyxl makes a formula of any text beginning with "="; typed as text, every
        # cell shows exactly what the registrant wrote.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
