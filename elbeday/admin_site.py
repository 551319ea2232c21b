"""The admin site: Django's, called "Elbe Day", with every model's admin made to answer
bad input with a message instead of a server error, whichever app registered it (ours,
Django's users and groups, django-axes's attempts), and its date-and-time fields named
for screen readers.

Installed in place of "django.contrib.admin" by `elbeday.apps.AdminConfig`.
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


def _readable_ids(model, values):
    """The values that are ids of `model` as its primary key reads them."""
    readable = []
    for value in values:
        try:
            model._meta.pk.to_python(value)
        except ValidationError:
            continue
        readable.append(value)
    return readable


class RobustChangeList(ChangeList):
    def get_filters(self, request):
        # The date hierarchy works out the end of the period chosen, which for the year
        # 9999 lies past the last date Python knows (ValueError, OverflowError): a
        # filter that cannot be applied, as Django treats other bad filters.
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class RobustAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attr=None):
        # A form sent back with an error shows the choice it was sent; Django looks that
        # up as it came, and a value that is no id ("abc") was a server error.
        target = self.field.remote_field.model
        return super().optgroups(name, _readable_ids(target, value), attr)


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time inputs, each named for its field ("Start: Date"). The field's
    label cannot point at two inputs, so Django's admin leaves both without a name: a
    screen reader announced an unnamed field twice (axe: "Form elements must have labels")."""

    def __init__(self, attrs=None, *, label=""):
        super().__init__(attrs)
        self.label = label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        date, time = context["widget"]["subwidgets"]
        # Django's own "Date:" and "Time:", which stand before the inputs: the name
        # contains the visible words (WCAG 2.5.3, label in name).
        for subwidget, part in ((date, context["date_label"]), (time, context["time_label"])):
            subwidget["attrs"]["aria-label"] = f"{capfirst(self.label)}: {part.rstrip(':')}"
        return context


class LabelledDateTimeMixin:
    """For model admins and inlines: date-and-time fields with a name for each input."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and isinstance(
            getattr(formfield, "widget", None), AdminSplitDateTime
        ):
            formfield.widget = LabelledSplitDateTime(
                formfield.widget.attrs, label=formfield.label or db_field.verbose_name
            )
        return formfield


class RobustAdminMixin(LabelledDateTimeMixin):
    def get_changelist(self, request, **kwargs):
        return RobustChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = RobustAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def response_action(self, request, queryset):
        # Django filters the rows an action works on by the ids as sent; one that is no
        # id ("abc") was a server error. Such ids choose nothing.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        readable = _readable_ids(self.model, selected)
        if readable != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, readable)
        return super().response_action(request, queryset)


class AdminSite(admin.AdminSite):
    site_header = _("Elbe Day")
    site_title = _("Elbe Day")

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, RobustAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (RobustAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
