import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from .models import Registration
from .validators import validate_no_control_characters


@functools.cache
def _country_choices(language):
    """The sorted, translated country list, built once per language (not per request)."""
    with translation.override(language):
        return [("", "—"), *((code, str(name)) for code, name in countries)]


class RegistrationForm(forms.Form):
    """The one-page registration form. Seats are only checked (under a lock) by
    `services.registration_create`; this form checks the input itself."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        validators=[validate_no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send your ticket and the link to change your booking here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    category = forms.ChoiceField(label=_("Seat category"), widget=forms.RadioSelect)
    invitation_code = forms.CharField(
        label=_("Invitation code"),
        max_length=50,
        required=False,
        help_text=_("Only needed for categories marked 'by invitation'."),
    )
    party_size = forms.IntegerField(
        label=_("Number of people, including you"), min_value=1, initial=1
    )
    guest_names = forms.CharField(
        label=_("Names of your guests"),
        required=False,
        max_length=2000,
        validators=[validate_no_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line."),
    )
    country = LazyTypedChoiceField(label=_("Country"), choices=[], required=False)
    language = forms.ChoiceField(label=_("Language for emails"), choices=settings.LANGUAGES)
    needs_wheelchair_space = forms.BooleanField(label=_("Wheelchair space"), required=False)
    needs_step_free_route = forms.BooleanField(label=_("Step-free route"), required=False)
    needs_hearing_loop = forms.BooleanField(label=_("Hearing loop"), required=False)
    needs_seating = forms.BooleanField(
        label=_("A seat (for people who cannot stand)"), required=False
    )
    needs_note = forms.CharField(
        label=_("Anything else we should prepare for?"),
        required=False,
        max_length=1000,
        validators=[validate_no_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent_privacy = forms.BooleanField(
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )
    consent_future = forms.BooleanField(
        label=_("Tell me about future ceremonies (optional)."), required=False
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    # A field people never see; bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {str(category.pk): category for category in categories}
        self.fields["category"].choices = [
            (str(category.pk), self._category_label(category)) for category in categories
        ]
        if len(categories) == 1:
            self.fields["category"].initial = str(categories[0].pk)
        if not any(category.needs_invitation for category in categories):
            del self.fields["invitation_code"]
        self.fields["country"].choices = _country_choices(get_language())
        self.fields["language"].initial = get_language()
        self.fields["consent_privacy"].label = format_html(
            _(
                'I have read the <a href="{url}">privacy notice</a> and agree that my data is used '
                "for this ceremony."
            ),
            url=reverse("page", kwargs={"slug": "privacy"}),
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token
        self.helper.layout = Layout(
            Fieldset(_("About you"), "name", "email", "country", "language"),
            Fieldset(
                _("Seats"),
                "category",
                *(["invitation_code"] if "invitation_code" in self.fields else []),
                "party_size",
                "guest_names",
            ),
            Fieldset(
                _("Accessibility"),
                HTML(
                    format_html("<p>{}</p>", _("Tell us what you need and we will prepare for it."))
                ),
                "needs_wheelchair_space",
                "needs_step_free_route",
                "needs_hearing_loop",
                "needs_seating",
                "needs_note",
            ),
            Fieldset(_("Consent"), "consent_privacy", "consent_future"),
            Div("website", css_class="form-trap", aria_hidden="true"),
            "submission_key",
            Submit("register", _("Register"), css_class="btn-lg"),
        )

    @staticmethod
    def _category_label(category):
        if category.needs_invitation:
            state = _("by invitation")
        elif category.seats_left:
            state = _("%(count)s seats left") % {"count": category.seats_left}
        elif category.has_waiting_list:
            state = _("waiting list")
        else:
            state = _("fully booked")
        return f"{category.name} ({state})"

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def clean(self):
        cleaned = super().clean()
        category = self.categories.get(cleaned.get("category"))
        if category:
            cleaned["category"] = category
            party_size = cleaned.get("party_size")
            if party_size and party_size > category.max_party_size:
                self.add_error(
                    "party_size",
                    _("At most %(max)s people can register together in this category.")
                    % {"max": category.max_party_size},
                )
        return cleaned

    @property
    def needs(self):
        return {
            name: self.cleaned_data[name]
            for name in (
                "needs_wheelchair_space",
                "needs_step_free_route",
                "needs_hearing_loop",
                "needs_seating",
                "needs_note",
            )
        }


class PartySizeForm(forms.Form):
    party_size = forms.IntegerField(label=_("Number of people, including you"), min_value=1)
    guest_names = forms.CharField(
        label=_("Names of your guests"),
        required=False,
        max_length=2000,
        validators=[validate_no_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line."),
    )

    def __init__(self, *args, registration: Registration, **kwargs):
        kwargs.setdefault(
            "initial",
            {"party_size": registration.party_size, "guest_names": registration.guest_names},
        )
        super().__init__(*args, **kwargs)
        self.fields["party_size"] = forms.IntegerField(
            label=self.fields["party_size"].label,
            min_value=1,
            max_value=registration.category.max_party_size,
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.add_input(
            Submit("change", _("Change the party size"), css_class="btn-secondary")
        )
