"""Registrations, check-ins and the outbox in the admin. Every change of seats, status,
check-ins or personal data made here goes through `registrations.services`: the actions
call it, the change form saves the registrant's details through it, and what would go
around it (adding or deleting registrations, restoring an old version from the history)
is switched off."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Subquery
from django.http import Http404
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import emails, services
from .models import (
    CheckIn,
    Delegation,
    DelegationInvitation,
    OutgoingEmail,
    PressAccreditation,
    Registration,
    Speaker,
)


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
        return [*Registration.needs_choices(), ("other", _("other needs"))]

    def queryset(self, request, queryset):
        if self.value() == "other":
            return queryset.exclude(needs_note="")
        if self.value() in dict(self.lookup_choices):
            return queryset.filter(**{self.value(): True})
        return queryset


def _local_time(moment):
    return formats.localize(timezone.localtime(moment))


def delivery_problem(email):
    """What went wrong with an email not delivered, as staff read it (its reason is its
    `last_error`); None when nothing did."""
    if email.status == OutgoingEmail.Status.FAILED:
        return ngettext(
            "failed for good after %(count)d attempt",
            "failed for good after %(count)d attempts",
            email.attempts,
        ) % {"count": email.attempts}
    if email.status == OutgoingEmail.Status.SENT or not email.last_error:
        return None
    if email.status == OutgoingEmail.Status.SENDING:
        return _("failed attempt, trying again now")
    return _("failed attempt, retrying at %(time)s") % {"time": _local_time(email.next_attempt_at)}


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("problems", _("not delivered: failed attempts")),
            ("retrying", _("failed attempt, retrying")),
            ("failed", _("failed for good")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "problems":
            return queryset.not_delivered()
        if self.value() == "retrying":
            return queryset.not_delivered().exclude(status=OutgoingEmail.Status.FAILED)
        if self.value() == "failed":
            return queryset.filter(status=OutgoingEmail.Status.FAILED)
        return queryset


class OutgoingEmailInline(admin.TabularInline):
    model = OutgoingEmail
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "status", "delivery", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    ordering = ("created_at",)
    verbose_name_plural = _("emails and their delivery")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("delivery"))
    def delivery(self, email):
        return delivery_problem(email)


class CheckInInline(admin.TabularInline):
    model = CheckIn
    extra = 0
    can_delete = False
    fields = ("at", "people", "uncounted", "conflict", "by", "device")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class RegistrationAdminForm(forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        # The form leaves out the ceremony and the status (read-only here), so Django
        # would skip the one-active-registration-per-email rule; check it in full.
        try:
            self.instance.validate_constraints()
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    form = RegistrationAdminForm
    # Restoring an old version would bring back its status and party without taking or
    # freeing seats; the history is for reading (see the template).
    object_history_template = "admin/registrations/registration/object_history.html"
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
    search_fields = ("name", "email", "phone", "booking_code")
    list_select_related = ("ceremony", "category")
    readonly_fields = (
        "ceremony",
        "category",
        "status",
        "booking_code",
        "party_size",
        "checked_in",
        "consent_privacy_at",
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
        own = OutgoingEmail.objects.filter(registration=OuterRef("pk"))
        unsent = (OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING)
        # The first email to be tried again after a failed attempt, with its reason.
        retrying = own.not_delivered().filter(status__in=unsent).order_by("next_attempt_at", "pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_failed_email=Exists(own.filter(status=OutgoingEmail.Status.FAILED)),
                has_queued_email=Exists(own.filter(status__in=unsent)),
                retrying_at=Subquery(retrying.values("next_attempt_at")[:1]),
                retrying_reason=Subquery(retrying.values("last_error")[:1]),
            )
        )

    @admin.display(description=_("emails"))
    def email_state(self, registration):
        if getattr(registration, "has_failed_email", False):
            return _("failed")
        if reason := getattr(registration, "retrying_reason", None):
            return _("failed attempt, retrying at %(time)s: %(reason)s") % {
                "time": _local_time(registration.retrying_at),
                "reason": Truncator(reason).chars(120),
            }
        if getattr(registration, "has_queued_email", False):
            return _("queued")
        return _("sent")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would free no seats; "cancel" frees them and keeps the numbers, and
        # registrants delete their own data from their link.
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        self._id_or_404(unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        self._id_or_404(unquote(object_id))
        if not str(version_id).isdigit():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _id_or_404(self, object_id):
        # django-simple-history filters by the id as it came in the address: one that is
        # no number ("%3A") was a server error.
        try:
            self.model._meta.pk.to_python(object_id)
        except ValidationError:
            raise Http404 from None

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.anonymised_at:
            return [field.name for field in Registration._meta.fields]
        return super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        services.registration_update(registration=obj, fields=form.changed_data)

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
            try:
                services.registration_resend_confirmation(registration=registration)
            except services.RegistrationError as error:
                refused.append((registration, error.message))
            else:
                done += 1
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
    list_display = (
        "created_at",
        "kind",
        "to",
        "status",
        "delivery",
        "attempts",
        "sent_at",
        "last_error",
    )
    list_filter = (DeliveryFilter, "status", "kind")
    search_fields = ("to", "subject")
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("delivery"))
    def delivery(self, email):
        return delivery_problem(email)

    @admin.action(description=_("Send again"), permissions=["change"])
    def retry(self, request, queryset):
        count = emails.outbox_send_again(queryset=queryset)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
        )


class ProtocolAdmin(SimpleHistoryAdmin):
    """Delegations, invitations, speakers and press in the admin: to read, with their
    history. Decisions, amendments and the order are made on the protocol's staff pages,
    whose services keep the seats, the emails and the order right; so nothing is added,
    changed, deleted or restored here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        if not str(version_id).isdigit() or not str(unquote(object_id)).isdigit():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if not str(unquote(object_id)).isdigit():
            raise Http404
        return super().history_view(request, object_id, extra_context)


@admin.register(Delegation)
class DelegationAdmin(ProtocolAdmin):
    list_display = ("organisation", "kind", "country", "ceremony", "status", "wreath_position")
    list_filter = ("ceremony", "status", "kind", "brings_wreath", "wishes_to_speak")
    search_fields = ("organisation", "head_name", "contact_name", "contact_email")
    list_select_related = ("ceremony",)
    history_list_display = ("status", "wreath_position")


@admin.register(DelegationInvitation)
class DelegationInvitationAdmin(ProtocolAdmin):
    list_display = ("organisation", "email", "ceremony", "created_at")
    list_filter = ("ceremony",)
    search_fields = ("organisation", "email")
    list_select_related = ("ceremony",)


@admin.register(Speaker)
class SpeakerAdmin(ProtocolAdmin):
    list_display = ("name", "function", "ceremony", "minutes", "position")
    list_filter = ("ceremony",)
    list_select_related = ("ceremony",)


@admin.register(PressAccreditation)
class PressAccreditationAdmin(ProtocolAdmin):
    list_display = ("name", "outlet", "role", "ceremony", "status")
    list_filter = ("ceremony", "status", "role")
    search_fields = ("name", "outlet", "email")
    list_select_related = ("ceremony",)
    # The letter is never linked from here: it is served to protocol staff only, through
    # the staff pages.
    exclude = ("letter",)
