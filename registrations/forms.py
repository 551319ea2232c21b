"""The registrant's forms. Fields come from the model (lengths, validators, choices);
the rules about seats, party sizes, invitation codes and the registration window are
checked once, by `registrations.services`, whose messages the views show on the field."""

import copy
import functools

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from crispy_forms.utils import TEMPLATE_PACK, render_crispy_form
from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.models import construct_instance
from django.forms.utils import flatatt, pretty_name
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.widgets import LazySelect

from .models import Delegation, Registration, Speaker


class _FixedChoices(BaseChoiceIterator):
    """Choices in the shape Django normalises them to, built once and shared by every
    form: given to a field, they are neither walked through again (Django normalises a
    list item by item, each time a form sets it) nor copied with each new form."""

    def __init__(self, choices):
        self.choices = tuple(choices)

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)

    def __hash__(self):
        # Equal (as Django's choice iterators are) when their choices are: a key of the
        # selects kept once rendered.
        return hash(self.choices)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


@functools.cache
def _country_choices(language):
    """The sorted, translated country list, built once per language (not per request)."""
    with translation.override(language):
        return _FixedChoices([("", "—"), *((code, str(name)) for code, name in countries)])


def _kept(store, limit, key, render):
    """`store[key]`, made by `render()` when it is not there; a store that holds `limit`
    renderings is emptied first (its keys come with requests)."""
    html = store.get(key)
    if html is None:
        html = render()
        if len(store) >= limit:
            store.clear()
        store[key] = html
    return html


# Bounded: a form sent with a mistake is shown with the country it was sent with.
_KEPT_SELECTS_MAX = 256
_kept_selects = {}


class _KeptSelectMixin:
    """A select of fixed choices (the country list, the languages) rendered once for
    each language, name, value and attributes, and kept: Django renders each option
    through a template of its own, and the 250 countries were over a third of what the
    registration form's page cost (10 of its 27 ms of CPU). The choices must be fixed
    (`_FixedChoices`, shared by every form): a select of other choices, or with
    attributes that cannot be a key, is rendered each time."""

    def render(self, name, value, attrs=None, renderer=None):
        render = functools.partial(super().render, name, value, attrs, renderer)
        if not isinstance(self.choices, _FixedChoices):
            return render()
        key = (
            type(self),
            self.choices,
            name,
            tuple(self.format_value(value)),
            tuple(sorted(self.build_attrs(self.attrs, attrs).items())),
            renderer,
            get_language(),
        )
        try:
            hash(key)
        except TypeError:  # an attribute that cannot be a key
            return render()
        return _kept(_kept_selects, _KEPT_SELECTS_MAX, key, render)


class _KeptSelect(_KeptSelectMixin, forms.Select):
    pass


class _KeptCountrySelect(_KeptSelectMixin, LazySelect):
    pass


def _formfield(model_field, **kwargs):
    # A party is at least one person (the model's own minimum), not the 0 that a positive
    # integer field would allow in the browser.
    if model_field.name == "party_size":
        kwargs["min_value"] = 1
    # Optional on the model for bookings taken by hand; people registering give one.
    if model_field.name == "email":
        kwargs["required"] = True
    field = model_field.formfield(**kwargs)
    # Each new form deep-copies its fields, choices included, unless they are fixed: the
    # languages never change, and each form sets the country list for its language.
    if model_field.name == "language":
        field.widget = _KeptSelect()
        field.choices = _FixedChoices(field.choices)
    elif model_field.name == "country":
        field.widget = _KeptCountrySelect()
        field.choices = _FixedChoices(())
    return field


def _shallow_copy(obj):
    """`copy.copy(obj)` for an object whose state is its `__dict__`, as Django's form
    fields and widgets are, without going through copy.copy's general way (which asks the
    object how to rebuild it, then rebuilds it)."""
    copied = object.__new__(type(obj))
    copied.__dict__.update(obj.__dict__)
    return copied


def _widget_copy(widget, memo):
    """What `Widget.__deepcopy__` and `ChoiceWidget.__deepcopy__` make; another widget's
    own deep copy."""
    deepcopy = type(widget).__deepcopy__
    if deepcopy is not forms.Widget.__deepcopy__ and deepcopy is not _CHOICE_WIDGET_COPY:
        return copy.deepcopy(widget, memo)
    copied = _shallow_copy(widget)
    copied.attrs = widget.attrs.copy()
    if deepcopy is _CHOICE_WIDGET_COPY:
        copied.choices = copy.copy(widget.choices)
    return copied


_CHOICE_WIDGET_COPY = forms.widgets.ChoiceWidget.__deepcopy__


def _field_copy(field, memo):
    """What `Field.__deepcopy__` (and ChoiceField's, and ModelChoiceField's without a
    queryset) makes; another field's own deep copy."""
    deepcopy = type(field).__deepcopy__
    if deepcopy is forms.ModelChoiceField.__deepcopy__ and field.queryset is None:
        deepcopy = forms.Field.__deepcopy__
    if deepcopy is not forms.Field.__deepcopy__ and deepcopy is not forms.ChoiceField.__deepcopy__:
        return copy.deepcopy(field, memo)
    copied = _shallow_copy(field)
    copied.widget = _widget_copy(field.widget, memo)
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    if deepcopy is forms.ChoiceField.__deepcopy__:
        copied._choices = copy.deepcopy(field._choices, memo)
    return copied


class _QuickCopiedFields(dict):
    """A form's fields (`base_fields`), which Django deep-copies for every new form (here:
    each form shown; a form sent copies them when it has a mistake): each field and its
    widget are copied as their own `__deepcopy__` does, in a quarter of the time. Fields
    and widgets of other kinds are deep-copied by their own `__deepcopy__`."""

    def __deepcopy__(self, memo):
        return {name: _field_copy(field, memo) for name, field in self.items()}


# Bounded: the address prefix comes with the request (SCRIPT_NAME).
@functools.lru_cache(maxsize=16)
def _consent_label(language, script_prefix):
    """The privacy consent's label with its link, made once per language (and address
    prefix), not for every form."""
    with translation.override(language):
        return format_html(
            _(
                'I have read the <a href="{url}">privacy notice</a> and agree that my data is '
                "used for this ceremony."
            ),
            url=reverse("page", kwargs={"slug": "privacy"}),
        )


class _BoundFieldReadWhenShown(BoundField):
    """Django's BoundField, which finds its label, help text and initial names when they
    are first read (the form is shown) rather than when it is made: a form is validated
    through its bound fields, and a registration sent without a mistake is never shown.
    Reading a help text translates it (its truth is asked): made eagerly, the bound fields
    cost about 5% of a registration POST's instructions."""

    def __init__(self, form, field, name):
        self.form = form
        self.field = field
        self.name = name
        self.html_name = form.add_prefix(name)
        self.renderer = form.renderer

    @functools.cached_property
    def html_initial_name(self):
        return self.form.add_initial_prefix(self.name)

    @functools.cached_property
    def html_initial_id(self):
        return self.form.add_initial_prefix(self.auto_id)

    @functools.cached_property
    def label(self):
        return pretty_name(self.name) if self.field.label is None else self.field.label

    @functools.cached_property
    def help_text(self):
        return self.field.help_text or ""


class _NothingSent(MultiValueDict):
    """The data of a form for a field that was not sent, answering `get` without the two
    exceptions a QueryDict raises and catches for a name it does not hold."""

    def get(self, key, default=None):
        return default


_NOTHING_SENT = _NothingSent()
# Widgets that read their value under their own name alone (a MultiWidget reads several
# names, and is none of these; a FileInput, an Input, reads the files).
_ONE_NAME_WIDGETS = (
    forms.widgets.Input,
    forms.Textarea,
    forms.CheckboxInput,
    forms.widgets.ChoiceWidget,
)


# Bounded: a form's set-up holds the ceremony's pick-up point, which organisers edit.
_KEPT_FIELDS_MAX = 512
_kept_fields = {}


# Bounded: each seats-left figure a category shows makes a form of its own (a form is
# about 15 KB: at most about 4 MB per process).
_KEPT_FORMS_MAX = 256
_kept_forms = {}


class _HiddenInput(forms.HiddenInput):
    """Django's hidden input, written without its templates: the submission key, which
    the form's page adds to the kept form, costs about 22 µs instead of 55-80 µs (the
    page costs about 2 ms in-process)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            "" if value is None else format_html(' value="{}"', value),
            flatatt(self.build_attrs(self.attrs, attrs)),
        )


class _KeptField(Field):
    """A field of the registration form that, on a form not yet sent, shows only what
    its set-up, the language and its initial value make it: crispy-forms' rendering of
    it (a template of some hundred nodes for each field) is kept, for the form's page
    that every registrant opens. A form sent is rendered each time, with its values and
    mistakes."""

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        if form.is_bound:
            return super().render(form, context, template_pack, extra_context, **kwargs)
        key = (
            tuple(self.fields),
            template_pack,
            form._set_up_with,
            get_language(),
            form.prefix,
            form.auto_id,
            tuple(str(form[name].initial) for name in self.fields),
        )
        render = functools.partial(
            super().render, form, context, template_pack, extra_context, **kwargs
        )
        html = _kept(_kept_fields, _KEPT_FIELDS_MAX, key, render)
        # As crispy-forms' own rendering records it (a kept field was not rendered now).
        form.rendered_fields.update(self.fields)
        return html


class CategoryChoiceField(forms.ModelChoiceField):
    """Offers the categories the page has read already, and finds the choice among them
    without a query of its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {}
        # Never asked: the choices are the categories given. Without a queryset, each new
        # form's copy of the field does not clone one (ModelChoiceField.__deepcopy__).
        self.queryset = None

    def set_categories(self, categories):
        self.categories = {category.pk: category for category in categories}
        # Labelled when the form is shown, which a form sent without mistakes never is.
        self.choices = functools.partial(self._labelled, tuple(categories))

    def _labelled(self, categories):
        return [(category.pk, self.label_from_instance(category)) for category in categories]

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

    bound_field_class = _BoundFieldReadWhenShown

    invitation_code = forms.CharField(
        label=_("Invitation code"),
        max_length=50,
        required=False,
        help_text=_("Only needed for categories marked 'by invitation'."),
    )
    consent_privacy = forms.BooleanField(
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )
    submission_key = forms.UUIDField(widget=_HiddenInput)
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
            "carers",
            *Registration.NEEDS,
            "interpreter_language",
            "needs_transport",
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
            "carers": _("Of them, carers or escorts"),
            "interpreter_language": _("Interpreter needed for (language, optional)"),
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
        kwargs["initial"] = {"party_size": 1, **(kwargs.get("initial") or {})}
        # What the fields depend on. (The categories of a ceremony's own list know their
        # ceremony without a query.)
        self._set_up_with = (
            any(category.needs_invitation for category in categories),
            categories[0].ceremony.pickup_point if categories else "",
            get_language(),
            get_script_prefix(),
        )
        # A form sent is validated, and shown only if it has a mistake: until then it
        # reads the fields shared by every form sent for the same choices, which nothing
        # changes while they are shared; it takes fields of its own before it is shown.
        # (`BaseForm` copies `self.base_fields`.)
        bound = (args[0] if args else kwargs.get("data")) is not None
        if bound:
            self.base_fields = _SharedFields(_shared_fields(*self._set_up_with))
        super().__init__(*args, **kwargs)
        if bound:
            del self.base_fields
            # Each form's own, in its place: it holds the request's categories.
            self.fields["category"] = _field_copy(type(self).base_fields["category"], {})
        else:
            _set_up_fields(self.fields, *self._set_up_with)
        self._fields_shared = bound
        category = self.fields["category"]
        category.empty_label = None
        category.set_categories(categories)
        if len(categories) == 1:
            category.initial = categories[0].pk

    def _own_fields(self):
        """Fields of this form's own in place of the shared ones, before it is shown (a
        form's fields are written to as they are shown) or anything else changes them."""
        if not self._fields_shared:
            return
        self._fields_shared = False
        fields = copy.deepcopy(type(self).base_fields)
        fields["category"] = self.fields["category"]
        _set_up_fields(fields, *self._set_up_with)
        self.fields = fields
        self._bound_fields_cache.clear()

    def add_error(self, field, error):
        # Every mistake comes here (the fields' own, the model's, the service's): a form
        # with one is shown again.
        self._own_fields()
        super().add_error(field, error)

    @functools.cached_property
    def helper(self):
        """The layout, made only when the form is shown: a form sent without a mistake
        is never rendered."""
        self._own_fields()
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True  # the template's <form> has the token
        kept = _KeptField
        helper.layout = Layout(
            Fieldset(
                _("About you"),
                kept("name"),
                kept("email"),
                kept("phone"),
                kept("country"),
                kept("language"),
            ),
            Fieldset(
                _("Seats"),
                "category",
                *([kept("invitation_code")] if "invitation_code" in self.fields else []),
                kept("party_size"),
                kept("carers"),
                kept("guest_names"),
            ),
            Fieldset(
                _("Accessibility"),
                HTML(
                    format_html("<p>{}</p>", _("Tell us what you need and we will prepare for it."))
                ),
                *map(kept, Registration.NEEDS),
                kept("interpreter_language"),
                *([kept("needs_transport")] if "needs_transport" in self.fields else []),
                kept("needs_note"),
            ),
            Fieldset(_("Consent"), kept("consent_privacy"), kept("consent_future")),
            Div(kept("website"), css_class="form-trap", aria_hidden="true"),
            # Not "submission_key": the page adds it, with each form's own value.
            Submit("register", _("Register"), css_class="btn-lg"),
        )
        return helper

    def unsent_html(self):
        """The form not yet sent, as crispy-forms renders it (all but the submission key,
        which the page adds): every registrant opens it, and it shows only what its
        set-up, the language, the initial values and its categories' seats make it. So it
        is rendered once for each of those and kept; a seat taken makes a new one."""
        if self.is_bound:
            raise ValueError("a form sent shows its own values: render it with {% crispy %}")
        initial = tuple(
            (name, str(self[name].initial)) for name in self.fields if name != "submission_key"
        )
        key = (
            self._set_up_with,
            get_language(),
            self.prefix,
            self.auto_id,
            initial,
            tuple(self.fields["category"].choices),
        )
        return _kept(_kept_forms, _KEPT_FORMS_MAX, key, functools.partial(render_crispy_form, self))

    def _widget_data_value(self, widget, html_name):
        # Most of the form's fields are left out of a registration (unticked boxes, fields
        # that are optional): a widget asks the data for each, and a QueryDict raises and
        # catches two exceptions for each name it does not hold. A widget that reads its own
        # name alone gets the same answer from data that holds nothing.
        if (
            html_name not in self.data
            and isinstance(widget, _ONE_NAME_WIDGETS)
            and not isinstance(widget, forms.FileInput)
        ):
            return widget.value_from_datadict(_NOTHING_SENT, self.files, html_name)
        return super()._widget_data_value(widget, html_name)

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def clean_carers(self):
        return self.cleaned_data["carers"] or 0

    def _get_validation_exclusions(self):
        # Left to the form fields and the service, as checking them on the model would cost
        # queries on every registration: the category is one of the ceremony's (found
        # above), and the party size is at least one (this form's field) and at most the
        # category's limit (the service); the database constraint on it stays. The
        # country is one of the form field's choices, which are the model field's codes
        # (the model field would walk through the whole list again).
        return {*super()._get_validation_exclusions(), "category", "party_size", "country"}

    def _post_clean(self):
        # Django's ModelForm._post_clean, without the model's uniqueness and constraint
        # checks: each involves a field this form leaves out (the ceremony, the party
        # size, the keys and codes the model makes), so each would skip itself, after
        # costing as much as the rest of the validation. The database enforces them on
        # the insert, and the service answers a duplicate email with its message.
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as error:
            self._update_errors(error)
        try:
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)
        self.instance.submission_key = self.cleaned_data.get("submission_key")


RegistrationForm.base_fields = _QuickCopiedFields(RegistrationForm.base_fields)


def _set_up_fields(fields, by_invitation, pickup_point, language, script_prefix):
    """What a RegistrationForm's fields (but the category's) depend on: whether a
    category asks for an invitation, the ceremony's pick-up point, and the language and
    address prefix of the request."""
    if not by_invitation:
        del fields["invitation_code"]
    fields["country"].choices = _country_choices(language)
    fields["language"].initial = language
    # Left empty, it is none (and forms posted before the field existed still work).
    fields["carers"].required = False
    fields["carers"].widget.attrs["min"] = 0
    # Transport is asked for only where the organisers offer it.
    if pickup_point:
        fields["needs_transport"].label = _(
            "I need transport from the pick-up point: %(place)s"
        ) % {"place": pickup_point}
    else:
        del fields["needs_transport"]
    fields["consent_privacy"].label = _consent_label(language, script_prefix)


# Bounded: the pick-up point is content, the address prefix comes with the request.
@functools.lru_cache(maxsize=32)
def _shared_fields(by_invitation, pickup_point, language, script_prefix):
    """The fields that forms sent with these choices validate with, set up once (a tenth
    of a registration POST's instructions went to copying and setting up each form's
    fields); each form puts a category field of its own in place of this one. Nothing may
    change them: a form takes its own before it is shown."""
    fields = copy.deepcopy(RegistrationForm.base_fields)
    with translation.override(language):
        _set_up_fields(fields, by_invitation, pickup_point, language, script_prefix)
    return fields


class _SharedFields(dict):
    """The fields a sent form is made with: `BaseForm.__init__` deep-copies them into
    `form.fields`, which here is a new dictionary of the same, shared, fields."""

    def __deepcopy__(self, memo):
        return dict(self)


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


class KindPrecedenceForm(forms.Form):
    """The precedence of delegation kinds: a place number for each kind (1 comes first),
    so that it can be set with the keyboard and without scripts. Equal numbers keep the
    present order between them."""

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Delegation.Kind.choices)
        for place, kind in enumerate(kinds, start=1):
            self.fields[kind] = forms.IntegerField(
                label=labels[kind], min_value=1, max_value=len(kinds), initial=place
            )
            self.fields[kind].widget.attrs["class"] = "form-control form-control-sm w-auto"

    def ordered_kinds(self):
        order = list(self.fields)
        return sorted(order, key=lambda kind: (self.cleaned_data[kind], order.index(kind)))


class WreathPlaceForm(forms.Form):
    position = forms.IntegerField(label=_("Place"), min_value=1)


class WreathRankForm(forms.Form):
    """A delegation's rank within its kind; empty: after the ranked ones."""

    rank = forms.IntegerField(label=_("rank within its kind"), min_value=1, required=False)


class SpeakerForm(forms.ModelForm):
    """A speaker of a ceremony: the programme item and the delegation are those of the
    ceremony; whether the speeches fit into the programme is checked by
    `registrations.order.speaker_save`."""

    class Meta:
        model = Speaker
        fields = ["name", "function", "delegation", "language", "programme_item", "minutes"]

    def __init__(self, *args, ceremony, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ceremony = ceremony
        self.fields["programme_item"].queryset = ceremony.programme.all()
        # The programme is read once for the page; the choices come from that list.
        self.fields["programme_item"].choices = [("", "—")] + [
            (item.pk, f"{item.starts_at.astimezone(ceremony.tz):%H:%M} {item.title}")
            for item in programme
        ]
        self.fields["delegation"].queryset = ceremony.delegations.approved()
        self.fields["minutes"].widget.attrs["min"] = 1


# Delegations: the request and its amendments (registrations.delegations checks the
# ceremony's rules: members, ribbon text, invitation).

DELEGATION_FIELDS = Delegation.REQUEST_FIELDS


class DelegationForm(forms.ModelForm):
    """An organisation's request to take part as a delegation; the view hands
    `form.instance` to `delegations.delegation_request` (or `delegation_amend`)."""

    invitation_code = forms.CharField(
        label=_("Invitation code"),
        max_length=20,
        required=False,
        help_text=_("From the organisers' invitation, if you have one."),
    )
    consent_privacy = forms.BooleanField(
        error_messages={"required": _("Please accept the privacy notice to send the request.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Delegation
        fields = DELEGATION_FIELDS
        labels = {"language": _("Language for emails")}
        widgets = {
            "members": forms.Textarea(attrs={"rows": 4}),
            "needs_note": forms.Textarea(attrs={"rows": 2}),
            "arrival_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, ceremony, invitation=None, amend=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices(get_language())
        if not self.instance.pk:
            self.fields["language"].initial = get_language()
        self.fields["ribbon_text"].widget.attrs["maxlength"] = ceremony.ribbon_text_max_length
        self.fields["members"].help_text = _(
            "One person per line: name and function. At most %(count)d besides the head "
            "of delegation."
        ) % {"count": ceremony.delegation_members_max - 1}
        if ceremony.pickup_point:
            self.fields["needs_transport"].label = _(
                "We need transport from the pick-up point: %(place)s"
            ) % {"place": ceremony.pickup_point}
        else:
            del self.fields["needs_transport"]
        if invitation is not None or amend:
            del self.fields["invitation_code"]
        if invitation is not None:
            self.fields["organisation"].disabled = True
        if amend:
            del self.fields["organisation"]
            del self.fields["consent_privacy"]
            del self.fields["website"]
        else:
            self.fields["consent_privacy"].label = format_html(
                _(
                    'I have read the <a href="{url}">privacy notice</a> and agree that our '
                    "data is used for this ceremony."
                ),
                url=reverse("page", kwargs={"slug": "privacy"}),
            )
        has = self.fields.__contains__
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Organisation"),
                *[name for name in ("organisation", "invitation_code") if has(name)],
                "country",
                "kind",
            ),
            Fieldset(
                _("Delegation"),
                "head_name",
                "head_title",
                "head_function",
                "members",
                "carers",
                "arrival_time",
                "wishes_to_speak",
            ),
            Fieldset(
                _("Wreath"), "brings_wreath", "ribbon_text", "ribbon_language", "wreath_bearers"
            ),
            Fieldset(
                _("Accessibility"),
                *Registration.NEEDS,
                "needs_note",
                "interpreter_language",
                *(["needs_transport"] if has("needs_transport") else []),
            ),
            Fieldset(_("Contact"), "contact_name", "contact_email", "contact_phone", "language"),
            *([Fieldset(_("Consent"), "consent_privacy")] if has("consent_privacy") else []),
            *(
                [Div("website", css_class="form-trap", aria_hidden="true")]
                if has("website")
                else []
            ),
            Submit("send", _("Save the changes") if amend else _("Send the request")),
        )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("Please leave this field empty."))
        return ""

    def _get_validation_exclusions(self):
        # The service validates the whole request, with the ceremony's own rules.
        return {*super()._get_validation_exclusions(), *DELEGATION_FIELDS}

    def changes(self):
        """The amendable fields' new values (for `delegation_amend`)."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self._meta.fields}
