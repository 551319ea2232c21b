from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from elbeday.admin_site import LabelledDateTimeMixin

from . import services
from .models import Ceremony, ProgrammeItem, SeatCategory, Series


@admin.register(Series)
class SeriesAdmin(TranslationAdmin):
    list_display = ("name", "commemorated_year")
    prepopulated_fields = {"slug": ("name_en",)}


class ProgrammeItemInline(LabelledDateTimeMixin, TranslationStackedInline):
    """Stacked, each field with its label: as a table, a column for each field in each
    language made the ceremony's page several screens wide, and left the fields unlabelled."""

    model = ProgrammeItem
    extra = 0
    fields = (
        "starts_at",
        "title",
        "place",
        "description",
        ("languages", "interpretation"),
    )


class SeatCategoryInline(TranslationStackedInline):
    """Stacked for the same reason as the programme: names and descriptions in every
    language."""

    model = SeatCategory
    extra = 0
    fields = (
        "name",
        "description",
        ("capacity", "seats_taken"),
        ("max_party_size", "has_waiting_list"),
        ("invitation_code", "position"),
    )
    readonly_fields = ("seats_taken",)


@admin.register(Ceremony)
class CeremonyAdmin(TranslationAdmin):
    list_display = ("title", "start", "status", "venue_site", "is_sample")
    list_filter = ("status", "series", "is_sample")
    search_fields = ("title", "summary")
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ("title_en",)}
    autocomplete_fields = ("venue_site",)
    filter_horizontal = ("sources",)
    inlines = [ProgrammeItemInline, SeatCategoryInline]
    actions = ["copy_to_next_year"]
    fieldsets = (
        (None, {"fields": ("series", "title", "slug", "motto", "summary", "description")}),
        (
            _("Time and place"),
            {
                "fields": (
                    "start",
                    "end",
                    "dates_only",
                    "time_zone",
                    "venue_site",
                    "venue_name",
                    "venue_address",
                )
            },
        ),
        (_("Status"), {"fields": ("status", "status_note", "is_sample")}),
        (
            _("Registration"),
            {
                "fields": (
                    "registration_opens",
                    "registration_closes",
                    "waiting_list_promotion_deadline",
                )
            },
        ),
        (
            _("Protocol: delegations, wreaths and press"),
            {
                "fields": (
                    "delegation_requests",
                    "delegation_category",
                    "delegation_members_max",
                    "delegation_changes_until",
                    "ribbon_text_max_length",
                    "wreath_programme_item",
                    "wreath_order_published",
                    "press_accreditation",
                    "press_category",
                    "pickup_point",
                )
            },
        ),
        (_("Photo"), {"fields": ("photo", "photo_alt_text")}),
        (_("Sources"), {"fields": ("sources",)}),
        (
            _("Accessibility and contact"),
            {"fields": ("accessibility_info", "contact_name", "contact_email", "contact_phone")},
        ),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The protocol chooses among this ceremony's own categories and programme items
        # (none yet on a new ceremony: saved first, then chosen).
        if db_field.name in ("delegation_category", "press_category", "wreath_programme_item"):
            object_id = request.resolver_match.kwargs.get("object_id", "")
            ceremony_id = int(object_id) if str(object_id).isdigit() else None
            kwargs["queryset"] = db_field.related_model.objects.filter(ceremony_id=ceremony_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Through the service, which tells the registrants when the time, place or status
        changes (the admin saves the whole form in one transaction)."""
        count = services.ceremony_save(ceremony=obj)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d registrant will be notified of the change.",
                    "%(count)d registrants will be notified of the change.",
                    count,
                )
                % {"count": count},
            )

    def save_formset(self, request, form, formset, change):
        """Seat categories are saved without touching the seat counter (which registrations
        change concurrently), and a new capacity goes through the service, which locks the
        quota and promotes the waiting list."""
        if formset.model is not SeatCategory:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for category in formset.deleted_objects:
            category.delete()
        for category, changed in formset.changed_objects:
            fields = [name for name in changed if name != "capacity"]
            if fields:
                category.save(update_fields=fields)
            if "capacity" in changed:
                self._set_capacity(request, category)
        for category in formset.new_objects:
            category.save()
        return None

    def _set_capacity(self, request, category):
        try:
            promoted = services.category_set_capacity(category=category, capacity=category.capacity)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, f"{category.name}: {message}", messages.ERROR)
            return
        if promoted:
            self.message_user(
                request,
                ngettext(
                    "%(count)d registration was moved off the waiting list.",
                    "%(count)d registrations were moved off the waiting list.",
                    len(promoted),
                )
                % {"count": len(promoted)},
            )

    @admin.action(description=_("Copy as the start of next year's ceremony"))
    def copy_to_next_year(self, request, queryset):
        copies = [services.ceremony_copy_to_next_year(ceremony=ceremony) for ceremony in queryset]
        self.message_user(
            request,
            ngettext("%(count)d draft created.", "%(count)d drafts created.", len(copies))
            % {"count": len(copies)},
        )
        if len(copies) == 1:
            return redirect("admin:events_ceremony_change", copies[0].pk)
        return None
