import datetime

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from . import emails, services
from .models import (
    Ceremony,
    CheckIn,
    OutgoingEmail,
    ProgrammeItem,
    Registration,
    SeatCategory,
    Series,
)


@admin.register(Series)
class SeriesAdmin(TranslationAdmin):
    list_display = ("name", "commemorated_year")
    prepopulated_fields = {"slug": ("name_en",)}


class ProgrammeItemInline(TranslationTabularInline):
    model = ProgrammeItem
    extra = 0


class SeatCategoryInline(TranslationTabularInline):
    model = SeatCategory
    extra = 0
    fields = (
        "name",
        "description",
        "capacity",
        "seats_taken",
        "max_party_size",
        "has_waiting_list",
        "invitation_code",
        "position",
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
        (_("Registration"), {"fields": ("registration_opens", "registration_closes")}),
        (_("Photo"), {"fields": ("photo", "photo_alt_text")}),
        (_("Sources"), {"fields": ("sources",)}),
        (
            _("Accessibility and contact"),
            {"fields": ("accessibility_info", "contact_name", "contact_email", "contact_phone")},
        ),
    )

    def save_model(self, request, obj, form, change):
        """Tell the registrants when the time, place or status changes."""
        notice = None
        if change:
            before = Ceremony.objects.get(pk=obj.pk)
            if obj.status != before.status and obj.status in (
                Ceremony.Status.CANCELLED,
                Ceremony.Status.POSTPONED,
            ):
                notice = obj.status
            elif (obj.start, obj.end, obj.venue_site_id, obj.venue_address) != (
                before.start,
                before.end,
                before.venue_site_id,
                before.venue_address,
            ):
                notice = "changed"
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if notice:
                count = services.ceremony_notify_change(ceremony=obj, kind=notice)
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
        except services.RegistrationError as error:
            self.message_user(request, f"{category.name}: {error.message}", messages.ERROR)
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
        copies = [ceremony_copy_to_next_year(ceremony) for ceremony in queryset]
        self.message_user(
            request,
            ngettext("%(count)d draft created.", "%(count)d drafts created.", len(copies))
            % {"count": len(copies)},
        )
        if len(copies) == 1:
            return redirect("admin:events_ceremony_change", copies[0].pk)
        return None


def _next_year(value):
    if value is None:
        return None
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value + datetime.timedelta(days=365)


@transaction.atomic
def ceremony_copy_to_next_year(ceremony):
    """A draft copy one year later, with its programme and seat categories (no
    registrations)."""
    programme = list(ceremony.programme.all())
    categories = list(ceremony.categories.all())
    copy = Ceremony.objects.get(pk=ceremony.pk)
    copy.pk = None
    copy.status = Ceremony.Status.DRAFT
    year = _next_year(ceremony.start).year
    base_slug = ceremony.slug.removesuffix(str(ceremony.start.year)).rstrip("-")
    copy.slug = f"{base_slug}-{year}"
    suffix = 2
    while Ceremony.objects.filter(slug=copy.slug).exists():
        copy.slug = f"{base_slug}-{year}-{suffix}"
        suffix += 1
    for field in ("start", "end", "registration_opens", "registration_closes"):
        setattr(copy, field, _next_year(getattr(ceremony, field)))
    copy.save()
    for item in programme:
        item.pk = None
        item.ceremony = copy
        item.starts_at = _next_year(item.starts_at)
        item.save()
    for category in categories:
        category.pk = None
        category.ceremony = copy
        category.seats_taken = 0
        category.save()
    return copy


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request, model_admin):
        return [("all", _("whole party")), ("part", _("part of the party")), ("no", _("no"))]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset.filter(checked_in__gt=0, checked_in=F("party_size"))
        if self.value() == "part":
            return queryset.filter(checked_in__gt=0, checked_in__lt=F("party_size"))
        if self.value() == "no":
            return queryset.filter(checked_in=0)
        return queryset


class NeedsFilter(admin.SimpleListFilter):
    title = _("needs")
    parameter_name = "needs"

    def lookups(self, request, model_admin):
        return [
            ("needs_wheelchair_space", _("wheelchair space")),
            ("needs_step_free_route", _("step-free route")),
            ("needs_hearing_loop", _("hearing loop")),
            ("needs_seating", _("a seat")),
            ("other", _("other needs")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "other":
            return queryset.exclude(needs_note="")
        if self.value() in dict(self.lookup_choices):
            return queryset.filter(**{self.value(): True})
        return queryset


class OutgoingEmailInline(admin.TabularInline):
    model = OutgoingEmail
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    ordering = ("created_at",)
    verbose_name_plural = _("emails and their delivery")

    def has_add_permission(self, request, obj=None):
        return False


class CheckInInline(admin.TabularInline):
    model = CheckIn
    extra = 0
    can_delete = False
    fields = ("at", "people", "by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    list_display = (
        "booking_code",
        "name",
        "ceremony",
        "category",
        "party_size",
        "status",
        "checked_in",
        "email_state",
        "created_at",
    )
    list_filter = ("ceremony", "category", "status", CheckedInFilter, NeedsFilter)
    search_fields = ("name", "email", "booking_code")
    list_select_related = ("ceremony", "category")
    readonly_fields = (
        "ceremony",
        "category",
        "status",
        "booking_code",
        "party_size",
        "checked_in",
        "created_at",
        "confirmed_at",
        "waiting_since",
        "cancelled_at",
        "reminder_sent_at",
        "anonymised_at",
    )
    inlines = [CheckInInline, OutgoingEmailInline]
    history_list_display = ("status", "party_size", "checked_in")
    actions = ["cancel_registrations", "promote_registrations", "resend_confirmation", "check_in"]

    def get_queryset(self, request):
        failed = OutgoingEmail.objects.filter(
            registration=OuterRef("pk"), status=OutgoingEmail.Status.FAILED
        )
        queued = OutgoingEmail.objects.filter(
            registration=OuterRef("pk"), status=OutgoingEmail.Status.QUEUED
        )
        return (
            super()
            .get_queryset(request)
            .annotate(has_failed_email=Exists(failed), has_queued_email=Exists(queued))
        )

    @admin.display(description=_("emails"))
    def email_state(self, registration):
        if getattr(registration, "has_failed_email", False):
            return _("failed")
        if getattr(registration, "has_queued_email", False):
            return _("queued")
        return _("sent")

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        """Booking codes are shown as ABCD-EFGH and stored as ABCDEFGH."""
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        code = search_term.strip().replace("-", "").upper()
        if len(code) == 8:
            queryset |= self.model.objects.filter(booking_code=code)
        return queryset, duplicates

    def _report(self, request, done, refused):
        for registration, message in refused:
            self.message_user(request, f"{registration}: {message}", messages.WARNING)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d registration done.", "%(count)d registrations done.", done)
                % {"count": done},
            )

    @admin.action(description=_("Cancel (and promote the waiting list)"))
    def cancel_registrations(self, request, queryset):
        done = 0
        for registration in queryset.select_related("category"):
            if registration.is_active:
                services.registration_cancel(registration=registration)
                done += 1
        self._report(request, done, [])

    @admin.action(description=_("Move off the waiting list (into free seats only)"))
    def promote_registrations(self, request, queryset):
        done, refused = 0, []
        for registration in queryset.order_by("waiting_since", "pk"):
            try:
                services.registration_promote(registration=registration)
            except services.RegistrationError as error:
                refused.append((registration, error.message))
            else:
                done += 1
        self._report(request, done, refused)

    @admin.action(description=_("Resend the confirmation email"))
    def resend_confirmation(self, request, queryset):
        done, refused = 0, []
        for registration in queryset.select_related("ceremony", "category"):
            if registration.status == Registration.Status.CONFIRMED:
                emails.queue_registration_email(registration, "confirmation")
                done += 1
            else:
                refused.append((registration, _("Only confirmed registrations have a ticket.")))
        self._report(request, done, refused)

    @admin.action(description=_("Check in the whole party"))
    def check_in(self, request, queryset):
        done, refused = 0, []
        for registration in queryset:
            remaining = registration.party_size - registration.checked_in
            try:
                services.checkin_record(
                    registration=registration, people=max(remaining, 1), by=request.user
                )
            except services.CheckInRefused as refusal:
                refused.append((registration, refusal.message))
            else:
                done += 1
        self._report(request, done, refused)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "to", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject")
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again"), permissions=["change"])
    def retry(self, request, queryset):
        count = queryset.exclude(status=OutgoingEmail.Status.SENT).update(
            status=OutgoingEmail.Status.QUEUED, next_attempt_at=timezone.now(), attempts=0
        )
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
        )
