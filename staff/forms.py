from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from registrations.models import GateDevice, Registration

from .exports import CSV_DELIMITERS, DEFAULT_COLUMNS, EXPORT_COLUMNS, csv_delimiter_for


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or booking code"), max_length=100, required=False)


class CheckInForm(forms.Form):
    people = forms.IntegerField(label=gettext_lazy("People to check in"), min_value=1)


class GateDeviceForm(forms.ModelForm):
    """A phone signing in at the gate: the name of its gate, if the volunteer gives one."""

    class Meta:
        model = GateDevice
        fields = ["label"]


class OfflineCheckInForm(forms.Form):
    """One check-in a phone sends (see `registrations.gate.offline_sync`)."""

    id = forms.UUIDField()
    registration = forms.IntegerField(min_value=1)
    people = forms.IntegerField(min_value=1, max_value=32767)
    at = forms.DateTimeField()
    offline = forms.BooleanField(required=False)


class DashboardYearForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]


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
    delimiter = forms.ChoiceField(
        label=gettext_lazy("Separator in CSV files"),
        choices=list(CSV_DELIMITERS.items()),
        widget=forms.RadioSelect,
        required=False,
        help_text=gettext_lazy("Excel in German or Russian expects semicolons, in English commas."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delimiter"].initial = csv_delimiter_for(get_language())

    def clean_delimiter(self):
        # A link made before there was a choice gets the one of the page's language.
        return self.cleaned_data["delimiter"] or self.fields["delimiter"].initial


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
        registrations = self.ceremony.registrations.not_anonymised()
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


class SeatCategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category):
        if category.seats_left:
            state = _("%(count)s seats left") % {"count": category.seats_left}
        elif category.has_waiting_list:
            state = _("waiting list")
        else:
            state = _("fully booked")
        if category.needs_invitation:
            state = _("by invitation, %(state)s") % {"state": state}
        return f"{category.name} ({state})"


def _formfield(model_field, **kwargs):
    # A party is at least one person (the model's own minimum), not the 0 that a positive
    # integer field would allow in the browser.
    if model_field.name == "party_size":
        kwargs["min_value"] = 1
    return model_field.formfield(**kwargs)


class RegistrationByHandForm(forms.ModelForm):
    """A booking an organiser takes by phone, by letter or at the gate; `save()` is not
    used: the view hands `form.instance` to `services.registration_create`, which checks
    the seats, the party size and the waiting list as for everyone."""

    privacy_told = forms.BooleanField(
        label=gettext_lazy("The person knows how their data is used."),
        error_messages={
            "required": gettext_lazy(
                "Please tell the person how their data is used (the privacy notice) first."
            )
        },
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = Registration
        formfield_callback = _formfield
        fields = [
            "category",
            "party_size",
            "name",
            "email",
            "phone",
            "guest_names",
            "country",
            "language",
            *Registration.NEEDS,
            "needs_note",
            "consent_future",
        ]
        field_classes = {"category": SeatCategoryChoiceField}
        labels = {
            "category": gettext_lazy("Seat category"),
            "party_size": gettext_lazy("Number of people"),
            "name": gettext_lazy("Name"),
            "email": gettext_lazy("Email address"),
            "guest_names": gettext_lazy("Names of the guests"),
            "language": gettext_lazy("Language for emails"),
            "needs_note": gettext_lazy("Other needs"),
            "consent_future": gettext_lazy("May be told about future ceremonies"),
        }
        help_texts = {
            "email": gettext_lazy("The confirmation with the ticket is sent here."),
            "guest_names": gettext_lazy("One name per line."),
        }
        widgets = {
            "category": forms.RadioSelect,
            "guest_names": forms.Textarea(attrs={"rows": 3}),
            "needs_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, ceremony, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("party_size", 1)
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ceremony.categories.all()
        self.fields["category"].empty_label = None
        self.fields["language"].initial = get_language()
        self.fields["privacy_told"].help_text = format_html(
            _('For example by reading out or sending the <a href="{url}">privacy notice</a>.'),
            url=reverse("page", kwargs={"slug": "privacy"}),
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token
        self.helper.layout = Layout(
            Fieldset(_("Seats"), "category", "party_size", "guest_names"),
            Fieldset(_("The person"), "name", "email", "phone", "country", "language"),
            Fieldset(_("Accessibility"), *Registration.NEEDS, "needs_note"),
            Fieldset(_("Consent"), "privacy_told", "consent_future"),
            "submission_key",
            Submit("add", _("Add the registration")),
        )

    def _get_validation_exclusions(self):
        # The party size within the category's limit and the one-booking-per-address rule
        # are the service's (with the seats), as for the public form.
        return {*super()._get_validation_exclusions(), "party_size"}

    def _post_clean(self):
        super()._post_clean()
        self.instance.submission_key = self.cleaned_data.get("submission_key")
