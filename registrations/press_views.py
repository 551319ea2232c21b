"""The journalist's pages: the application for press accreditation, and behind the link
in their emails the application's own page (its state, the badge once approved, and
withdrawing). They show or take personal data, so none is kept by a browser or proxy."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from events.models import Ceremony

from . import press
from .models import Decision, PressAccreditation
from .services import RegistrationError
from .views import _client_ip_limited, _email_limited


class PressApplicationForm(forms.ModelForm):
    """The application; `save()` is not used: the view hands `form.instance` to
    `press.accreditation_apply`, which checks the letter and the rest once."""

    consent_privacy = forms.BooleanField(
        error_messages={
            "required": gettext_lazy("Please accept the privacy notice to apply."),
        },
    )
    # A field people never see; bots fill it in.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = PressAccreditation
        fields = [
            "name",
            "outlet",
            "role",
            "press_card_number",
            "letter",
            "email",
            "phone",
            "needs_note",
            "language",
        ]
        labels = {
            "name": gettext_lazy("Your name"),
            "outlet": gettext_lazy("Outlet (newspaper, broadcaster, agency)"),
            "email": gettext_lazy("Email address"),
            "phone": gettext_lazy("Phone number (optional)"),
        }
        help_texts = {
            "press_card_number": gettext_lazy(
                "Or, if you have no press card, upload a letter from your outlet."
            ),
            "letter": gettext_lazy(
                "PDF, JPEG, PNG or WebP. Only the organisers' protocol staff see it."
            ),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "needs_note": forms.Textarea(attrs={"rows": 2}),
            "letter": forms.ClearableFileInput(
                attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
            ),
        }

    def __init__(self, *args, ceremony, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ceremony = ceremony
        self.fields["language"].initial = get_language()
        self.fields["consent_privacy"].label = format_html(
            _(
                'I have read the <a href="{url}">privacy notice</a> and agree that my data is '
                "used for this accreditation."
            ),
            url=reverse("page", kwargs={"slug": "privacy"}),
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("About you"), "name", "outlet", "role", "email", "phone", "language"),
            Fieldset(_("Proof of your work as a journalist"), "press_card_number", "letter"),
            Fieldset(_("Assistance"), "needs_note"),
            Fieldset(_("Consent"), "consent_privacy"),
            Div("website", css_class="form-trap", aria_hidden="true"),
            Submit("apply", _("Apply for accreditation"), css_class="btn-lg"),
        )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def clean_letter(self):
        # The service checks it again; here its message lands on the field at once.
        letter = self.cleaned_data.get("letter")
        if letter:
            press.validate_letter(letter)
        return letter


@never_cache
def apply(request, slug):
    ceremony = get_object_or_404(
        Ceremony.objects.public().select_related("press_category"), slug=slug
    )
    if not ceremony.press_accreditation:
        raise Http404
    problem = press.accreditation_problem(ceremony)
    form = PressApplicationForm(request.POST or None, request.FILES or None, ceremony=ceremony)
    status = 200
    if problem:
        status = 403 if request.method == "POST" else 200
    elif request.method == "POST":
        if _client_ip_limited(request, group="press-ip"):
            form.add_error(None, _("Too many requests from your network. Please try again later."))
            status = 429
        elif not form.is_valid():
            status = 400
        elif _email_limited(request, form.cleaned_data["email"], group="press-email"):
            form.add_error(
                None, _("Too many attempts for this email address. Please try again later.")
            )
            status = 429
        else:
            try:
                accreditation = press.accreditation_apply(accreditation=form.instance)
            except RegistrationError as error:
                form.add_error(None, error.message)
                status = 400
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Thank you: your application has arrived. We have sent you an email."),
                )
                return redirect(press.manage_path(accreditation))
    return render(
        request,
        "registrations/press_apply.html",
        {"ceremony": ceremony, "form": form, "problem": problem},
        status=status,
    )


def _accreditation_or_404(token):
    accreditation = PressAccreditation.from_token(token)
    if accreditation is None or accreditation.anonymised_at:
        raise Http404
    return accreditation


@never_cache
def manage(request, token):
    accreditation = _accreditation_or_404(token)
    registration = accreditation.registration
    badge_url = (
        registration.get_ticket_url()
        if accreditation.status == Decision.APPROVED and registration and registration.is_active
        else ""
    )
    return render(
        request,
        "registrations/press_manage.html",
        {
            "accreditation": accreditation,
            "ceremony": accreditation.ceremony,
            "token": token,
            "badge_url": badge_url,
            "can_withdraw": accreditation.status != Decision.WITHDRAWN,
        },
    )


@never_cache
@require_POST
def withdraw(request, token):
    accreditation = _accreditation_or_404(token)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Please tick the box to confirm that you withdraw."))
        return redirect("registrations:press_manage", token=token)
    press.accreditation_withdraw(accreditation=accreditation)
    messages.success(request, _("Your application has been withdrawn."))
    return redirect("registrations:press_manage", token=token)
