"""Protocol staff's pages for a ceremony's delegations: the invitations sent, the
requests with a decision form each, a request's history, and the export.

Every write goes through `registrations.delegations`."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.models import Ceremony
from registrations import delegations
from registrations.models import Delegation, DelegationInvitation

from . import exports
from .permissions import staff_permission_required

PERMISSION = "registrations.manage_protocol"


class InvitationForm(forms.ModelForm):
    class Meta:
        model = DelegationInvitation
        fields = ["organisation", "email", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = get_language()


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (value, label)
            for value, label in Delegation.Status.choices
            if value != Delegation.Status.WITHDRAWN
        ],
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the delegation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Sent with the decision, in the email and on their page."),
    )


def _ceremony(slug):
    return get_object_or_404(Ceremony.objects.select_related("delegation_category"), slug=slug)


@staff_permission_required(PERMISSION)
def invitations(request, slug):
    ceremony = _ceremony(slug)
    form = InvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation = delegations.invitation_create(
                    ceremony=ceremony,
                    organisation=form.instance.organisation,
                    email=form.instance.email,
                    language=form.instance.language,
                    by=request.user,
                )
            except delegations.DelegationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("The invitation for %(organisation)s is on its way to %(email)s.")
                    % {"organisation": invitation.organisation, "email": invitation.email},
                )
                return redirect("staff:delegation_invitations", slug=ceremony.slug)
        status = 400
    rows = ceremony.delegation_invitations.select_related("delegation", "created_by").order_by(
        "-created_at", "pk"
    )
    return render(
        request,
        "staff/delegation_invitations.html",
        {"ceremony": ceremony, "form": form, "invitations": rows},
        status=status,
    )


def _delegations(ceremony):
    return ceremony.delegations.select_related("registration").order_by("created_at", "pk")


@staff_permission_required(PERMISSION)
def delegation_list(request, slug):
    ceremony = _ceremony(slug)
    rows = [
        (
            delegation,
            DecisionForm(
                initial={"status": delegation.status, "note": delegation.decision_note},
                prefix=f"d{delegation.pk}",
            ),
        )
        for delegation in _delegations(ceremony)
    ]
    return render(
        request,
        "staff/delegation_list.html",
        {
            "ceremony": ceremony,
            "rows": rows,
            "seats_left": ceremony.delegation_category.seats_left
            if ceremony.delegation_category
            else None,
        },
    )


@staff_permission_required(PERMISSION)
@require_POST
def delegation_decide(request, slug, pk):
    ceremony = _ceremony(slug)
    delegation = get_object_or_404(ceremony.delegations, pk=pk)
    form = DecisionForm(request.POST, prefix=f"d{delegation.pk}")
    if not form.is_valid():
        messages.error(request, _("Please choose a decision."))
    else:
        try:
            delegations.delegation_decide(
                delegation=delegation,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except delegations.DelegationError as error:
            messages.error(
                request,
                _("%(organisation)s: %(problem)s")
                % {"organisation": delegation.organisation, "problem": error.message},
            )
        else:
            messages.success(
                request,
                _("%(organisation)s: the decision is saved and emailed.")
                % {"organisation": delegation.organisation},
            )
    if request.POST.get("next") == "detail":
        return redirect("staff:delegation_detail", slug=ceremony.slug, pk=delegation.pk)
    return redirect("staff:delegations", slug=ceremony.slug)


def _change(change):
    """(field label, old, new) with the labels of choices, not their stored values."""
    field = Delegation._meta.get_field(change.field)
    choices = dict(field.flatchoices) if field.choices else {}
    return (
        str(field.verbose_name),
        str(choices.get(change.old, change.old)),
        str(choices.get(change.new, change.new)),
    )


def _history(delegation):
    """Each recorded version with who made it, when, why and what it changed."""
    versions = list(delegation.history.select_related("history_user").order_by("history_date"))
    entries = []
    previous = None
    for version in versions:
        changes = []
        if previous is not None:
            changes = [_change(change) for change in version.diff_against(previous).changes]
        entries.append({"version": version, "changes": changes})
        previous = version
    return list(reversed(entries))


@staff_permission_required(PERMISSION)
def delegation_detail(request, slug, pk):
    ceremony = _ceremony(slug)
    delegation = get_object_or_404(ceremony.delegations.select_related("registration"), pk=pk)
    return render(
        request,
        "staff/delegation_detail.html",
        {
            "ceremony": ceremony,
            "delegation": delegation,
            "history": _history(delegation),
            "form": DecisionForm(
                initial={"status": delegation.status, "note": delegation.decision_note},
                prefix=f"d{delegation.pk}",
            ),
        },
    )


EXPORT_COLUMNS = [
    ("status", gettext_lazy("Status")),
    ("organisation", gettext_lazy("Organisation")),
    ("kind", gettext_lazy("Kind")),
    ("country", gettext_lazy("Country")),
    ("head", gettext_lazy("Head of delegation")),
    ("members", gettext_lazy("Further members")),
    ("people", gettext_lazy("People")),
    ("carers", gettext_lazy("Carers or escorts")),
    ("wreath", gettext_lazy("Ribbon text")),
    ("ribbon_language", gettext_lazy("Language of the ribbon")),
    ("wreath_bearers", gettext_lazy("Wreath bearers")),
    ("wishes_to_speak", gettext_lazy("Wishes to speak")),
    ("arrival_time", gettext_lazy("Arrival time")),
    ("needs", gettext_lazy("Accessibility needs")),
    ("needs_note", gettext_lazy("Other needs")),
    ("contact_name", gettext_lazy("Contact person")),
    ("contact_email", gettext_lazy("Contact email")),
    ("contact_phone", gettext_lazy("Contact phone")),
    ("booking_code", gettext_lazy("Booking code")),
    ("decision_note", gettext_lazy("Note on the decision")),
    ("created_at", gettext_lazy("Requested")),
]


def _cell(delegation, column):
    yes_no = {True: _("yes"), False: _("no")}
    match column:
        case "status":
            return str(delegation.get_status_display())
        case "kind":
            return str(delegation.get_kind_display())
        case "country":
            return str(delegation.country.name) if delegation.country else ""
        case "head":
            return ", ".join(
                part
                for part in (delegation.head_name, delegation.head_title, delegation.head_function)
                if part
            )
        case "members":
            return "; ".join(delegation.member_lines)
        case "wreath":
            return delegation.ribbon_text if delegation.brings_wreath else ""
        case "wishes_to_speak":
            return yes_no[delegation.wishes_to_speak]
        case "arrival_time":
            return delegation.arrival_time.strftime("%H:%M") if delegation.arrival_time else ""
        case "needs":
            return ", ".join(delegation.needs)
        case "booking_code":
            registration = delegation.registration
            return registration.booking_code_display if registration else ""
        case "created_at":
            return timezone.localtime(delegation.created_at).strftime("%Y-%m-%d %H:%M")
    return getattr(delegation, column)


@staff_permission_required(PERMISSION)
def delegation_export(request, slug):
    """All the ceremony's requests that still hold personal data, as CSV or XLSX."""
    ceremony = _ceremony(slug)
    header = [str(label) for _name, label in EXPORT_COLUMNS]
    rows = [
        [_cell(delegation, name) for name, _label in EXPORT_COLUMNS]
        for delegation in _delegations(ceremony).not_anonymised()
    ]
    filename = f"{ceremony.slug}-delegations"
    if request.GET.get("format") == "xlsx":
        return exports.xlsx_response(header, rows, filename, title=ceremony.title)
    delimiter = exports.csv_delimiter_for(get_language())
    return exports.csv_response(header, rows, filename, delimiter=delimiter)
