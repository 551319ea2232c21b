import mimetypes

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from . import services
from .models import (
    Correction,
    HistoryNote,
    MemorialSite,
    Photo,
    PhotoSubmission,
    Series,
    SiteDate,
    Source,
    Trail,
    TrailStop,
)


class PhotoInline(TranslationStackedInline):
    model = Photo
    extra = 0
    fields = (
        "thumbnail",
        "image",
        "caption",
        "alt_text",
        "credit",
        "licence",
        "is_placeholder",
        "position",
    )
    readonly_fields = ("thumbnail",)
    ordering = ("position", "pk")

    @admin.display(description=_("thumbnail"))
    def thumbnail(self, photo):
        if not photo.pk or not photo.renditions:
            return "—"
        width = photo.renditions[0]
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}">',
            photo.rendition_url(width),
            width,
            photo.rendition_height(width) or "",
            photo.alt_text,
        )


class SiteDateInline(TranslationTabularInline):
    model = SiteDate
    extra = 0


@admin.register(MemorialSite)
class MemorialSiteAdmin(TranslationAdmin):
    list_display = ("name", "kind", "town", "country", "is_published", "updated_at")
    list_filter = ("is_published", "kind", "status", "country", "location_precision", "series")
    search_fields = ("name", "town", "summary", "address")
    prepopulated_fields = {"slug": ("name_en",)}
    filter_horizontal = ("sources", "series")
    inlines = [SiteDateInline, PhotoInline]
    list_editable = ("is_published",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "summary", "is_published")}),
        (_("History"), {"fields": ("history", "creator", "dedicated_by")}),
        (
            _("Inscription"),
            {
                "fields": (
                    "inscription",
                    "inscription_language",
                    "inscription_note",
                    "inscription_translation",
                )
            },
        ),
        (
            _("Location"),
            {
                "fields": (
                    "town",
                    "address",
                    "country",
                    ("latitude", "longitude"),
                    "location_precision",
                )
            },
        ),
        (
            _("Visiting"),
            {"fields": ("visiting_info", "step_free_access", "seating", "accessibility_notes")},
        ),
        (_("Status"), {"fields": ("status", "moved_to", "status_confirmed_on")}),
        (_("Series"), {"fields": ("series",)}),
        (_("Sources"), {"fields": ("sources",)}),
    )


@admin.register(Source)
class SourceAdmin(TranslationAdmin):
    list_display = ("title", "author", "caution", "year")
    list_filter = ("caution",)
    search_fields = ("title", "author", "url")


@admin.register(HistoryNote)
class HistoryNoteAdmin(TranslationAdmin):
    list_display = ("__str__", "position", "is_published")
    list_editable = ("position", "is_published")
    filter_horizontal = ("sources",)


# Series and trails
@admin.register(Series)
class SeriesAdmin(TranslationAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name_en",)}


class TrailStopInline(admin.TabularInline):
    model = TrailStop
    extra = 1
    ordering = ("position", "pk")
    autocomplete_fields = ("site",)


@admin.register(Trail)
class TrailAdmin(TranslationAdmin):
    list_display = ("name", "kind", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [TrailStopInline]


# Corrections and photos from the public: the editors' review queue
class SubmissionStatusFilter(admin.SimpleListFilter):
    """By status, the pending ones first (the queue), and all of them on request."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Correction.Status.choices, ("all", _("All"))]

    def value(self):
        return super().value() or Correction.Status.PENDING

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() not in Correction.Status.values:
            return queryset.none()
        return queryset.filter(status=self.value())

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Sent to the visitor in their email about the decision."),
    )


class SubmissionAdmin(admin.ModelAdmin):
    """The queue of what the public sent, oldest first. Everything here is read-only: an
    editor decides with the buttons on a submission's page or with the list's actions,
    both through `memorials.services`, which apply, credit, log and email."""

    change_form_template = "admin/memorials/submission_change_form.html"
    list_filter = (SubmissionStatusFilter, "language")
    list_select_related = ("site",)
    search_fields = ("site__name", "email")
    actions = ["accept_selected", "decline_selected"]
    ordering = ("created_at", "pk")

    def get_readonly_fields(self, request, obj=None):
        return [*self.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("site"))
    def site_link(self, submission):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:memorials_memorialsite_change", args=[submission.site_id]),
            submission.site,
        )

    def _decide(self, request, submission, decision, reason=""):
        """Make one decision; the message for the editor and whether it was made."""
        try:
            if decision == "accept":
                services.submission_accept(submission=submission, by=request.user)
            else:
                services.submission_decline(submission=submission, by=request.user, reason=reason)
        except services.SubmissionError as error:
            return f"{submission}: {error.message}", False
        return str(submission), True

    def _report(self, request, results, done_message):
        done = [message for message, ok in results if ok]
        if done:
            self.message_user(request, done_message % {"count": len(done)}, messages.SUCCESS)
        for message, ok in results:
            if not ok:
                self.message_user(request, message, messages.WARNING)

    @admin.action(
        description=_("Accept and publish the selected submissions"), permissions=["change"]
    )
    def accept_selected(self, request, queryset):
        results = [self._decide(request, submission, "accept") for submission in queryset]
        self._report(request, results, gettext("Accepted: %(count)d."))

    @admin.action(description=_("Decline the selected submissions…"), permissions=["change"])
    def decline_selected(self, request, queryset):
        form = DeclineForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            results = [
                self._decide(request, submission, "decline", reason) for submission in queryset
            ]
            self._report(request, results, gettext("Declined: %(count)d."))
            return None
        return TemplateResponse(
            request,
            "admin/memorials/submission_decline.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Decline the selected submissions"),
                "opts": self.model._meta,
                "submissions": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            return self._decide_from_page(request, object_id)
        submission = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "can_decide": submission is not None
            and submission.is_pending
            and self.has_change_permission(request, submission),
            "decline_form": DeclineForm(),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _decide_from_page(self, request, object_id):
        """The buttons of a submission's page: accept, or decline with the reason."""
        submission = self.get_object(request, unquote(object_id))
        if submission is None:
            raise Http404
        if not self.has_change_permission(request, submission):
            raise PermissionDenied
        page = reverse(
            f"admin:memorials_{self.model._meta.model_name}_change", args=[submission.pk]
        )
        if "_accept" in request.POST:
            message, ok = self._decide(request, submission, "accept")
        elif "_decline" in request.POST:
            form = DeclineForm(request.POST)
            if not form.is_valid():
                self.message_user(
                    request, gettext("Give the reason for declining."), messages.ERROR
                )
                return HttpResponseRedirect(page)
            message, ok = self._decide(request, submission, "decline", form.cleaned_data["reason"])
        else:
            return HttpResponseRedirect(page)
        if ok:
            self.message_user(request, gettext("Decided: %(submission)s") % {"submission": message})
            return HttpResponseRedirect(
                reverse(f"admin:memorials_{self.model._meta.model_name}_changelist")
            )
        self.message_user(request, message, messages.WARNING)
        return HttpResponseRedirect(page)


@admin.register(Correction)
class CorrectionAdmin(SubmissionAdmin):
    list_display = ("__str__", "site", "field", "language", "status", "created_at")
    list_filter = (SubmissionStatusFilter, "field", "language")
    fields = (
        "site_link",
        "field",
        "language",
        "current_text",
        "proposed_text",
        "source",
        "submitter_name",
        "email",
        "status",
        "decline_reason",
        "decided_by",
        "decided_at",
        "applied_source",
        "created_at",
        "anonymised_at",
    )

    @admin.display(description=_("text now"))
    def current_text(self, correction):
        """What the site says now in the visitor's language, to compare."""
        if correction.field == Correction.Field.COORDINATES:
            return correction.site.coordinates or "—"
        column = services.column_for(MemorialSite, correction.field, correction.language)
        return getattr(correction.site, column) or "—"


@admin.register(PhotoSubmission)
class PhotoSubmissionAdmin(SubmissionAdmin):
    list_display = ("__str__", "site", "credit", "licence", "language", "status", "created_at")
    list_filter = (SubmissionStatusFilter, "licence", "language")
    fields = (
        "site_link",
        "preview",
        "alt_text",
        "caption",
        "credit",
        "licence",
        "language",
        "email",
        "status",
        "decline_reason",
        "decided_by",
        "decided_at",
        "photo",
        "created_at",
        "anonymised_at",
    )

    @admin.display(description=_("photo"))
    def preview(self, submission):
        if not submission.image:
            return "—"
        return format_html(
            '<a href="{url}"><img src="{url}" width="320" alt="{alt}"></a>',
            url=reverse("admin:memorials_photosubmission_photo", args=[submission.pk]),
            alt=submission.alt_text,
        )

    def get_urls(self):
        photo = path(
            "<path:object_id>/photo/",
            self.admin_site.admin_view(self.photo_view),
            name="memorials_photosubmission_photo",
        )
        return [photo, *super().get_urls()]

    def photo_view(self, request, object_id):
        """The photo sent, from the private storage (it has no public address until an
        editor accepts it), for staff who may see the submission."""
        submission = self.get_object(request, unquote(object_id))
        if submission is None or not submission.image:
            raise Http404
        if not self.has_view_permission(request, submission):
            raise PermissionDenied
        kind = mimetypes.guess_type(submission.image.name)[0] or "application/octet-stream"
        response = FileResponse(submission.image.open("rb"), content_type=kind)
        response["Cache-Control"] = "private, no-store"
        return response
