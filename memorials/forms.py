from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import MemorialSite


class MemorialFilterForm(forms.Form):
    """The catalogue's filters; choices list only what published sites actually have."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field_choices in choices.items():
            self.fields[name].choices = field_choices

    @staticmethod
    def choices_for(*, country_codes=(), kinds=(), statuses=()):
        """The choices of each filter, as text in the active language: only the countries,
        kinds and statuses given (those of the published sites)."""
        # The names of the countries in use only, not the whole translated list.
        countries_in_use = sorted(
            ((code, str(countries.name(code) or code)) for code in country_codes),
            key=lambda choice: choice[1],
        )
        kind_labels = dict(MemorialSite.Kind.choices)
        status_labels = dict(MemorialSite.Status.choices)
        return {
            "country": [("", str(_("All countries"))), *countries_in_use],
            "kind": [
                ("", str(_("All kinds"))),
                *(
                    (kind, str(kind_labels[kind]))
                    for kind in MemorialSite.Kind.values
                    if kind in kinds
                ),
            ],
            "status": [
                ("", str(_("Any status"))),
                *(
                    (status, str(status_labels[status]))
                    for status in MemorialSite.Status.values
                    if status in statuses
                ),
            ],
        }
