"""Everyone who takes part in a ceremony, their check-ins at the gate and the emails
sent to them. Every change of seats, status, check-ins or personal data goes through
`registrations.services`."""

import re
import secrets
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from events.models import Ceremony, SeatCategory

from .validators import validate_no_control_characters


class RegistrationQuerySet(models.QuerySet):
    def not_anonymised(self):
        """Registrations that still hold personal data."""
        return self.filter(anonymised_at__isnull=True)

    def active(self):
        return self.filter(status__in=(Registration.Status.CONFIRMED, Registration.Status.WAITING))

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self):
        return self.filter(status=Registration.Status.WAITING).order_by("waiting_since", "pk")


# Digits with the separators people write ("+49 (0)3421 12-34 56", "0351/123456"): a
# plausible number, not a check that it exists (that would need a numbering plan).
PHONE_PATTERN = re.compile(r"\+?[0-9\s()./-]+")


def validate_phone(value):
    digits = sum(character in "0123456789" for character in value)
    if not PHONE_PATTERN.fullmatch(value) or not 5 <= digits <= 15:
        raise ValidationError(
            _(
                "Enter a phone number in digits, for example +49 3421 123456 "
                "(spaces, brackets and dashes are fine)."
            ),
            code="invalid_phone",
        )


BOOKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_booking_code():
    """8 characters without look-alikes (0/O, 1/I), shown as ABCD-EFGH."""
    return "".join(secrets.choice(BOOKING_CODE_ALPHABET) for _i in range(8))


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration", "cancelled")

    # The accessibility needs people can tick, in the order forms, the dashboard, exports,
    # the data download and the admin show them (labels are the fields' verbose names).
    NEEDS = (
        "needs_wheelchair_space",
        "needs_step_free_route",
        "needs_hearing_loop",
        "needs_seating",
    )

    ceremony = models.ForeignKey(
        Ceremony,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("ceremony"),
    )
    category = models.ForeignKey(
        SeatCategory,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("seat category"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    name = models.CharField(
        pgettext_lazy("person", "name"),
        max_length=200,
        validators=[validate_no_control_characters],
    )
    # Optional only for bookings organisers take by phone, by letter or at the gate; the
    # public form requires it.
    email = models.EmailField(_("email"), blank=True)
    # For reaching a guest on the day (elderly guests often read no email on the way);
    # personal data like the email: exported, downloaded and anonymised with it.
    phone = models.CharField(
        _("phone"),
        max_length=30,
        blank=True,
        validators=[validate_phone],
        help_text=_("Optional: for reaching the guest on the day."),
    )
    party_size = models.PositiveSmallIntegerField(
        _("party size"), validators=[MinValueValidator(1)]
    )
    guest_names = models.TextField(
        _("names of the guests"),
        max_length=2000,
        blank=True,
        validators=[validate_no_control_characters],
    )
    country = CountryField(_("country"), blank=True)
    language = models.CharField(
        _("language for emails"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    needs_wheelchair_space = models.BooleanField(_("wheelchair space"), default=False)
    needs_step_free_route = models.BooleanField(_("step-free route"), default=False)
    needs_hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    needs_seating = models.BooleanField(
        _("a seat"), default=False, help_text=_("For people who cannot stand.")
    )
    needs_note = models.TextField(
        _("other needs"), max_length=1000, blank=True, validators=[validate_no_control_characters]
    )
    consent_privacy_at = models.DateTimeField(_("privacy notice accepted"))
    consent_future = models.BooleanField(_("may be told about future ceremonies"), default=False)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    booking_code = models.CharField(
        _("booking code"), max_length=8, unique=True, default=new_booking_code, editable=False
    )
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    waiting_since = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    checked_in = models.PositiveSmallIntegerField(_("checked in"), default=0, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who created, changed, cancelled, promoted or checked in, and when.
    history = HistoricalRecords(excluded_fields=["updated_at", "submission_key"])

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(
                fields=["category", "status", "waiting_since"], name="registration_waiting_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "ceremony",
                condition=Q(status__in=["confirmed", "waiting"]) & ~Q(email=""),
                name="one_active_registration_per_email",
                violation_error_message=_("This email address is already registered."),
            ),
            models.CheckConstraint(
                condition=Q(party_size__gte=1), name="registration_party_at_least_one"
            ),
            models.CheckConstraint(
                condition=Q(checked_in__lte=F("party_size")),
                name="registration_checked_in_within_party",
            ),
        ]
        permissions = [
            ("checkin_registration", _("Can check guests in at the gate")),
            ("export_registration", _("Can export registrant lists")),
            ("message_registration", _("Can send messages to registrants")),
            ("view_dashboard", _("Can see the organisers' dashboard")),
        ]

    def __str__(self):
        return f"{self.booking_code_display} {self.name}"

    def clean(self):
        super().clean()
        # Stored as typed, with its spaces tidied, whichever door it came in by.
        self.phone = " ".join(self.phone.split())

    @property
    def booking_code_display(self):
        return f"{self.booking_code[:4]}-{self.booking_code[4:]}"

    @property
    def is_active(self):
        return self.status in (self.Status.CONFIRMED, self.Status.WAITING)

    # Links carry the random public id signed with the secret key (one salt per use), so
    # they can be neither guessed nor derived from the booking code or the database id.
    @property
    def manage_token(self):
        return signing.Signer(salt="registration-manage").sign(self.public_id.hex)

    @property
    def ticket_token(self):
        return signing.Signer(salt="registration-ticket").sign(self.public_id.hex)

    @classmethod
    def from_token(cls, token, *, salt):
        try:
            public_id = uuid.UUID(hex=signing.Signer(salt=salt).unsign(token))
        except (signing.BadSignature, ValueError):
            return None
        # The venue's site too: the booking page and the ticket show where to go.
        registrations = cls.objects.select_related("ceremony__venue_site", "category")
        return registrations.filter(public_id=public_id).first()

    def get_manage_url(self):
        return reverse("registrations:manage", kwargs={"token": self.manage_token})

    def get_ticket_url(self):
        """The ticket alone, to show or forward: it can neither change nor cancel the
        booking (that is the manage link's)."""
        return reverse("registrations:ticket", kwargs={"token": self.ticket_token})

    def get_checkin_url(self):
        return reverse("checkin:ticket", kwargs={"token": self.ticket_token})

    @property
    def waiting_position(self):
        if self.status != self.Status.WAITING:
            return None
        return (
            Registration.objects.waiting()
            .filter(category_id=self.category_id)
            .filter(
                Q(waiting_since__lt=self.waiting_since)
                | Q(waiting_since=self.waiting_since, pk__lt=self.pk)
            )
            .count()
            + 1
        )

    @property
    def needs(self):
        """The labels of the needs ticked."""
        return [str(label) for name, label in self.needs_choices() if getattr(self, name)]

    @classmethod
    def needs_choices(cls):
        """(field name, label) of each need that can be ticked."""
        return [(name, cls._meta.get_field(name).verbose_name) for name in cls.NEEDS]


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now):
        """Queued emails whose (next) attempt is due."""
        return self.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now)

    def not_delivered(self):
        """Emails that have not gone out although they were tried: failed for good, or
        waiting for their next attempt (or being tried again) after a failed one."""
        return self.filter(
            Q(status=OutgoingEmail.Status.FAILED)
            | (
                Q(status__in=[OutgoingEmail.Status.QUEUED, OutgoingEmail.Status.SENDING])
                & ~Q(last_error="")
            )
        )


class OutgoingEmail(models.Model):
    """The outbox: an email is queued in the same transaction as the change it reports
    and sent by `manage.py send_outbox`, which retries until it goes through.

    A worker claims an email (queued → sending, with its own `claim_token`) before it
    sends it, and records the result only while the claim is still its own; a claim
    left by a worker that died is given back after `emails.claim_timeout()`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("confirmation")
        WAITING_LIST = "waiting_list", _("waiting list")
        PROMOTION = "promotion", _("moved off the waiting list")
        CANCELLATION = "cancellation", _("cancellation")
        REMINDER = "reminder", _("reminder")
        CHANGED = "changed", _("ceremony changed")
        POSTPONED = "postponed", _("ceremony postponed")
        CANCELLED = "cancelled", _("ceremony cancelled")
        MESSAGE = "message", _("message from the organisers")
        LOST_LINK = "lost_link", _("booking link sent again")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("registration"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed by a worker"), null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.kind} → {self.to}"


class CheckIn(models.Model):
    """People of a party let in at the gate; a party may arrive in several goes."""

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="checkins",
        verbose_name=_("registration"),
    )
    people = models.PositiveSmallIntegerField(_("people"), validators=[MinValueValidator(1)])
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=1), name="checkin_at_least_one")
        ]

    def __str__(self):
        return f"{self.registration.booking_code_display}: {self.people}"
