"""Protocol staff's pages for the press: the applications of a ceremony with a decision
form each, the letters (downloaded, never shown), and the list as CSV or XLSX.

The decisions go through `registrations.press`; every page needs
`registrations.manage_protocol` (check-in volunteers get 403)."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from events.models import Ceremony
from registrations import press
from registrations.models import Decision, PressAccreditation
from registrations.services import RegistrationError

from . import exports
from .permissions import staff_permission_required

PERMISSION = "registrations.manage_protocol"


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[(value, label) for value, label in Decision.choices if value in press.DECISIONS],
    )
    note = forms.CharField(
        label=gettext_lazy("Note (sent to the journalist)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExportFormatForm(forms.Form):
    file_format = forms.ChoiceField(choices=[("xlsx", "XLSX"), ("csv", "CSV")])
    delimiter = forms.ChoiceField(choices=list(exports.CSV_DELIMITERS.items()), required=False)


def _accreditations(ceremony):
    return ceremony.press_accreditations.select_related("registration").order_by(
        "status", "name", "pk"
    )


@staff_permission_required(PERMISSION)
def accreditations(request, slug):
    ceremony = get_object_or_404(Ceremony.objects.select_related("press_category"), slug=slug)
    rows = [
        {
            "accreditation": accreditation,
            "form": DecisionForm(
                prefix=f"a{accreditation.pk}",
                initial={"status": accreditation.status, "note": accreditation.decision_note},
            ),
        }
        for accreditation in _accreditations(ceremony)
    ]
    counts = {value: 0 for value, _label in Decision.choices}
    for row in rows:
        counts[row["accreditation"].status] += 1
    return render(
        request,
        "staff/press_list.html",
        {
            "ceremony": ceremony,
            "rows": rows,
            "counts": [(label, counts[value]) for value, label in Decision.choices],
            "delimiter": exports.csv_delimiter_for(request.LANGUAGE_CODE),
        },
    )


@require_POST
@staff_permission_required(PERMISSION)
def decide(request, slug, pk):
    accreditation = get_object_or_404(PressAccreditation, pk=pk, ceremony__slug=slug)
    form = DecisionForm(request.POST, prefix=f"a{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
    else:
        try:
            press.accreditation_decide(
                accreditation=accreditation,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except RegistrationError as error:
            messages.error(request, f"{accreditation.name}: {error.message}")
        else:
            messages.success(
                request,
                _("%(name)s: %(status)s.")
                % {
                    "name": accreditation.name,
                    "status": Decision(form.cleaned_data["status"]).label,
                },
            )
    return redirect("staff:press", slug=slug)


@staff_permission_required(PERMISSION)
def letter(request, pk):
    """The letter from the outlet, as a download: never shown in the browser, whose
    type it must not guess."""
    accreditation = get_object_or_404(PressAccreditation, pk=pk)
    if not accreditation.letter:
        raise Http404
    with accreditation.letter.open("rb") as file:
        data = file.read()
    if data.startswith(press.PDF_MAGIC):
        content_type, extension = "application/pdf", "pdf"
    else:
        content_type, extension = "application/octet-stream", "img"
        for magic, kind, ext in (
            (b"\xff\xd8", "image/jpeg", "jpg"),
            (b"\x89PNG", "image/png", "png"),
            (b"RIFF", "image/webp", "webp"),
        ):
            if data.startswith(magic):
                content_type, extension = kind, ext
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="press-letter-{accreditation.pk}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


EXPORT_HEADER = [
    gettext_lazy("Name"),
    gettext_lazy("Outlet"),
    gettext_lazy("Role"),
    gettext_lazy("Press card number"),
    gettext_lazy("Letter"),
    gettext_lazy("Email"),
    gettext_lazy("Phone"),
    gettext_lazy("Language"),
    gettext_lazy("Status"),
    gettext_lazy("Note on the decision"),
    gettext_lazy("Booking code"),
    gettext_lazy("Checked in"),
    gettext_lazy("Applied"),
]


def export_rows(ceremony):
    """The header and rows of the press list, sorted by status and name; anonymised
    applications are left out."""
    rows = [
        [
            a.name,
            a.outlet,
            str(a.get_role_display()),
            a.press_card_number,
            _("yes") if a.letter else _("no"),
            a.email,
            a.phone,
            a.get_language_display(),
            str(a.get_status_display()),
            a.decision_note,
            a.registration.booking_code_display if a.registration else "",
            a.registration.checked_in if a.registration else 0,
            timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for a in _accreditations(ceremony).not_anonymised()
    ]
    return [str(column) for column in EXPORT_HEADER], rows


@staff_permission_required(PERMISSION)
def export(request, slug):
    ceremony = get_object_or_404(Ceremony, slug=slug)
    form = ExportFormatForm(request.GET)
    if not form.is_valid():
        raise Http404
    header, rows = export_rows(ceremony)
    filename = f"{ceremony.slug}-press"
    if form.cleaned_data["file_format"] == "csv":
        delimiter = form.cleaned_data["delimiter"] or exports.csv_delimiter_for(
            request.LANGUAGE_CODE
        )
        return exports.csv_response(header, rows, filename, delimiter=delimiter)
    return exports.xlsx_response(header, rows, filename, title=ceremony.title)
