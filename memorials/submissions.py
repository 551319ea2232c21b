"""The public's pages for sending a correction or a photo of a site, and the thank-you
page. What is sent waits for the editors (memorials.services) and is shown nowhere.

Spam and abuse: a field people never see (bots fill it in, and what they send is
dropped without a word), a limit per client address (SUBMISSION_RATE_PER_IP), the photo
limits of the editors' uploads, and one saved submission however often the form is
sent again. The pages take personal data, so none is kept by a browser or a proxy, nor
by the page cache (`never_cache`)."""

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from . import services
from .models import Correction, MemorialSite, PhotoSubmission

HONEYPOT = "website"


class SubmissionForm(forms.ModelForm):
    """The fields both forms share; `save()` is not used: the view hands `form.instance`
    to `services.submission_create`."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    # A field people never see; bots fill it in (the view drops what they send).
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.site = site
        self.instance.language = get_language()
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token
        self.helper.layout = Layout(
            *self.layout(),
            Fieldset(_("So that we can tell you our decision"), "email"),
            Div(HONEYPOT, css_class="form-trap", aria_hidden="true"),
            "submission_key",
            Submit("send", _("Send to the editors")),
        )

    def layout(self):
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        self.instance.submission_key = self.cleaned_data.get("submission_key")


class CorrectionForm(SubmissionForm):
    class Meta:
        model = Correction
        fields = ["field", "proposed_text", "source", "submitter_name", "email"]
        widgets = {
            "proposed_text": forms.Textarea(attrs={"rows": 6}),
            "source": forms.Textarea(attrs={"rows": 2}),
            "submitter_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def layout(self):
        return [
            Fieldset(_("Your correction"), "field", "proposed_text", "source"),
            Fieldset(_("Credit"), "submitter_name"),
        ]


class PhotoSubmissionForm(SubmissionForm):
    rights = forms.BooleanField(
        label=gettext_lazy(
            "I took this photo, or its author agrees to publishing it under this licence."
        ),
        error_messages={
            "required": gettext_lazy("Only photos whose author agrees can be published.")
        },
    )

    class Meta:
        model = PhotoSubmission
        fields = ["image", "alt_text", "caption", "credit", "licence", "email"]
        widgets = {"licence": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional on the model, whose file is deleted once decided; a visitor sends one.
        self.fields["image"].required = True
        # A licence is chosen, not left at a blank radio button.
        self.fields["licence"].choices = PhotoSubmission.Licence.choices

    def layout(self):
        return [
            Fieldset(_("Your photo"), "image", "alt_text", "caption"),
            Fieldset(_("Credit and licence"), "credit", "licence", "rights"),
        ]


def _client_ip_limited(request):
    rate = settings.SUBMISSION_RATE_PER_IP
    return bool(rate) and is_ratelimited(
        request, group="submission-ip", key="ip", rate=rate, method="POST", increment=True
    )


def _site_or_404(slug):
    return get_object_or_404(
        MemorialSite.objects.published().only("name", "slug", "town"), slug=slug
    )


def _submission_page(request, slug, form_class, template):
    site = _site_or_404(slug)
    form = form_class(
        request.POST or None,
        request.FILES or None,
        site=site,
        initial={"submission_key": uuid.uuid4()},
    )
    status = 200
    if request.method == "POST":
        if _client_ip_limited(request):
            form.add_error(
                None, _("Too many submissions from your network. Please try again later.")
            )
            status = 429
        elif request.POST.get(HONEYPOT):
            # A bot: it is thanked like anyone, and nothing is kept.
            return redirect("memorials:submission_thanks", slug=site.slug)
        elif not form.is_valid():
            status = 400
        else:
            services.submission_create(submission=form.instance)
            return redirect("memorials:submission_thanks", slug=site.slug)
    context = {"site": site, "form": form, "photo_limit": settings.PHOTO_MAX_UPLOAD_BYTES}
    return render(request, template, context, status=status)


@never_cache
def correction(request, slug):
    return _submission_page(request, slug, CorrectionForm, "memorials/submission_correction.html")


@never_cache
def photo(request, slug):
    return _submission_page(request, slug, PhotoSubmissionForm, "memorials/submission_photo.html")


@never_cache
def thanks(request, slug):
    return render(request, "memorials/submission_thanks.html", {"site": _site_or_404(slug)})
