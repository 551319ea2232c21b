from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import MemorialSite


class MemorialFilterForm(forms.Form):
    """The catalogue's filters; choices list only what published sites actually have."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, country_codes=(), kinds=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The names of the countries in use only, not the whole translated list.
        self.fields["country"].choices = [
            ("", _("All countries")),
            *sorted(
                ((code, countries.name(code) or code) for code in country_codes),
                key=lambda choice: str(choice[1]),
            ),
        ]
        kind_labels = dict(MemorialSite.Kind.choices)
        self.fields["kind"].choices = [
            ("", _("All kinds")),
            *((kind, kind_labels[kind]) for kind in MemorialSite.Kind.values if kind in kinds),
        ]
        status_labels = dict(MemorialSite.Status.choices)
        self.fields["status"].choices = [
            ("", _("Any status")),
            *(
                (status, status_labels[status])
                for status in MemorialSite.Status.values
                if status in statuses
            ),
        ]
