from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exports import DEFAULT_COLUMNS, EXPORT_COLUMNS


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or booking code"), max_length=100, required=False)


class CheckInForm(forms.Form):
    people = forms.IntegerField(label=gettext_lazy("People to check in"), min_value=1)


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
