"""The registrant's forms. Fields come from the model (lengths, validators, choices);
the rules about seats, party sizes, invitation codes and the registration window are
checked once, by `registrations.services`, whose messages the views show on the field."""

import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import Registration


@functools.cache
def _country_choices(language):
    """The sorted, translated country list, built once per language (not per request)."""
    with translation.override(language):
        return [("", "—"), *((code, str(name)) for code, name in countries)]


def _formfield(model_field, **kwargs):
    # A party is at least one person (the model's own minimum), not the 0 that a positive
    # integer field would allow in the browser.
    if model_field.name == "party_size":
        kwargs["min_value"] = 1
    # Optional on the model for bookings taken by hand; people registering give one.
    if model_field.name == "email":
        kwargs["required"] = True
    return model_field.formfield(**kwargs)


class CategoryChoiceField(forms.ModelChoiceField):
    """Offers the categories the page has read already, and finds the choice among them
    without a query of its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {}

    def set_categories(self, categories):
        self.categories = {category.pk: category for category in categories}
        self.choices = [(c.pk, self.label_from_instance(c)) for c in categories]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.categories[int(value)]
        except (TypeError, ValueError, KeyError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def label_from_instance(self, category):
        if category.needs_invitation:
            state = _("by invitation")
        elif category.seats_left:
            state = _("%(count)s seats left") % {"count": category.seats_left}
        elif category.has_waiting_list:
            state = _("waiting list")
        else:
            state = _("fully booked")
        return f"{category.name} ({state})"


class RegistrationForm(forms.ModelForm):
    """The one-page registration form; `save()` is not used: the view hands
    `form.instance` to `services.registration_create`."""

    invitation_code = forms.CharField(
        label=_("Invitation code"),
        max_length=50,
        required=False,
        help_text=_("Only needed for categories marked 'by invitation'."),
    )
    consent_privacy = forms.BooleanField(
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    # A field people never see; bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Registration
        formfield_callback = _formfield
        fields = [
            "name",
            "email",
            "phone",
            "country",
            "language",
            "category",
            "party_size",
            "guest_names",
            *Registration.NEEDS,
            "needs_note",
            "consent_future",
        ]
        field_classes = {"category": CategoryChoiceField}
        labels = {
            "name": _("Your name"),
            "email": _("Email address"),
            "phone": _("Phone number (optional)"),
            "country": _("Country"),
            "language": _("Language for emails"),
            "category": _("Seat category"),
            "party_size": _("Number of people, including you"),
            "guest_names": _("Names of your guests"),
            "needs_note": _("Anything else we should prepare for?"),
            "consent_future": _("Tell me about future ceremonies (optional)."),
        }
        help_texts = {
            "email": _("We send your ticket and the link to change your booking here."),
            "phone": _("Only for reaching you on the day, if need be."),
            "guest_names": _("One name per line."),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "category": forms.RadioSelect,
            "guest_names": forms.Textarea(attrs={"rows": 3}),
            "needs_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, categories, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("party_size", 1)
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = None
        self.fields["category"].set_categories(categories)
        if len(categories) == 1:
            self.fields["category"].initial = categories[0].pk
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
            Fieldset(_("About you"), "name", "email", "phone", "country", "language"),
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
                *Registration.NEEDS,
                "needs_note",
            ),
            Fieldset(_("Consent"), "consent_privacy", "consent_future"),
            Div("website", css_class="form-trap", aria_hidden="true"),
            "submission_key",
            Submit("register", _("Register"), css_class="btn-lg"),
        )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def _get_validation_exclusions(self):
        # Left to the form fields and the service, as checking them on the model would cost
        # queries on every registration: the category is one of the ceremony's (found
        # above), and the party size is at least one (this form's field) and at most the
        # category's limit (the service); the database constraint on it stays.
        return {*super()._get_validation_exclusions(), "category", "party_size"}

    def _post_clean(self):
        super()._post_clean()
        self.instance.submission_key = self.cleaned_data.get("submission_key")


class PartySizeForm(forms.ModelForm):
    """A registrant's new party size; whether the seats are free is decided by
    `services.registration_change_party`."""

    class Meta:
        model = Registration
        formfield_callback = _formfield
        fields = ["party_size", "guest_names"]
        labels = {
            "party_size": _("Number of people, including you"),
            "guest_names": _("Names of your guests"),
        }
        help_texts = {"guest_names": _("One name per line.")}
        widgets = {"guest_names": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A hint for the browser; the limit itself is checked with the seats.
        self.fields["party_size"].widget.attrs["max"] = self.instance.category.max_party_size
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.add_input(
            Submit("change", _("Change the party size"), css_class="btn-secondary")
        )


class LostLinkForm(forms.Form):
    """The address a booking was made with, to send its link to again."""

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The address you registered with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
