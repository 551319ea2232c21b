"""Everyone who takes part in a ceremony, their check-ins at the gate and the emails
sent to them. Every change of seats, status, check-ins or personal data goes through
`registrations.services`."""

import functools
import re
import secrets
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from events.models import Ceremony, SeatCategory

from .storage import private_storage
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


# Links carry a row's random public id signed with the secret key (one salt per use), so
# they can be neither guessed nor derived from a booking code or a database id.
def sign_public_id(public_id: uuid.UUID, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign(public_id.hex)


def unsign_public_id(token: str, *, salt: str) -> uuid.UUID | None:
    """The public id a link's token was signed for, or None for a token not ours."""
    try:
        return uuid.UUID(hex=signing.Signer(salt=salt).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


# Stands for the token in an address reversed once (`_token_address`): letters and
# digits, which `reverse` writes as they are, as it does the signed tokens themselves
# (hex, ":" and URL-safe base64).
_TOKEN_SLOT = "0token0"


@functools.lru_cache(maxsize=64)
def _token_address(name, language, script_prefix, urlconf):
    # The last one: the token comes after the address prefix, which could hold the slot too.
    start, _slot, end = reverse(name, kwargs={"token": _TOKEN_SLOT}, urlconf=urlconf).rpartition(
        _TOKEN_SLOT
    )
    return start, end


def token_url(name, token):
    """`reverse(name, kwargs={"token": token})` for a signed token, from the address
    reversed once per language (and address prefix): every registration POST answers with
    its booking's address, which Django's `reverse` would work out again each time (about
    a hundredth of the POST's instructions saved)."""
    start, end = _token_address(name, get_language(), get_script_prefix(), get_urlconf())
    return f"{start}{token}{end}"


@receiver(setting_changed)
def _urls_changed(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _token_address.cache_clear()


BOOKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_booking_code():
    """8 characters without look-alikes (0/O, 1/I), shown as ABCD-EFGH. Each is one random
    byte's: the alphabet's 32 characters divide its 256 values evenly, so none is more
    likely than another, and the code takes one read of the system's randomness, where a
    `secrets.choice` per character took eight (about a hundredth of a registration POST's
    instructions)."""
    alphabet = BOOKING_CODE_ALPHABET
    return "".join(alphabet[byte % len(alphabet)] for byte in secrets.token_bytes(8))


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
    # Assistance: carers and escorts are part of the party (they take seats); the gate
    # and the dashboard say what to prepare.
    carers = models.PositiveSmallIntegerField(
        _("carers or escorts"),
        default=0,
        help_text=_("Included in the number of people."),
    )
    interpreter_language = models.CharField(
        _("interpreter for"),
        max_length=50,
        blank=True,
        validators=[validate_no_control_characters],
        help_text=_("The language someone in the party needs interpreted into, if any."),
    )
    needs_transport = models.BooleanField(_("transport from the pick-up point"), default=False)
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
        # Carers are part of the party: someone is there to be cared for.
        if self.party_size and self.carers >= self.party_size:
            raise ValidationError(
                {
                    "carers": _("Carers are counted in the number of people: at most %(max)s here.")
                    % {"max": self.party_size - 1}
                }
            )

    @property
    def booking_code_display(self):
        return f"{self.booking_code[:4]}-{self.booking_code[4:]}"

    @property
    def is_active(self):
        return self.status in (self.Status.CONFIRMED, self.Status.WAITING)

    @property
    def manage_token(self):
        return sign_public_id(self.public_id, salt="registration-manage")

    @property
    def ticket_token(self):
        return sign_public_id(self.public_id, salt="registration-ticket")

    @classmethod
    def from_token(cls, token, *, salt):
        public_id = unsign_public_id(token, salt=salt)
        if public_id is None:
            return None
        # The venue's site too: the booking page and the ticket show where to go.
        # ... and whether the seats are a delegation's or a journalist's (see
        # `protocol_page_url`), in the same query.
        registrations = cls.objects.select_related(
            "ceremony__venue_site", "category", "delegation", "press_accreditation"
        )
        return registrations.filter(public_id=public_id).first()

    def protocol_page_url(self):
        """The request page of a delegation or a journalist whose seats these are: they
        are changed there, through the protocol's review, not on the booking page."""
        for owner, name in (
            ("delegation", "registrations:delegation_manage"),
            ("press_accreditation", "registrations:press_manage"),
        ):
            request = getattr(self, owner, None)
            if request is not None:
                return reverse(name, kwargs={"token": request.manage_token})
        return None

    def get_manage_url(self):
        return token_url("registrations:manage", self.manage_token)

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
        DELEGATION_INVITATION = "delegation_invitation", _("invitation for a delegation")
        DELEGATION_RECEIVED = "delegation_received", _("delegation request received")
        DELEGATION_DECISION = "delegation_decision", _("decision on a delegation")
        PRESS_RECEIVED = "press_received", _("press application received")
        PRESS_DECISION = "press_decision", _("decision on a press application")
        SUBMISSION_DECISION = "submission_decision", _("decision on a correction or photo")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("registration"),
    )
    # Protocol emails are written at once, in the recipient's language; these say whose
    # they are (for the admin, and so that anonymising a request removes them).
    delegation = models.ForeignKey(
        "Delegation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("delegation"),
    )
    delegation_invitation = models.ForeignKey(
        "DelegationInvitation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("delegation invitation"),
    )
    press_accreditation = models.ForeignKey(
        "PressAccreditation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("press accreditation"),
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


class GateDevice(models.Model):
    """A phone signed in at the gate. It gets its own credential (only its hash is kept)
    for downloading the day's guest list and sending the check-ins it made offline,
    limited to the ceremonies of that day and expiring when the day ends. Organisers
    revoke it when a phone is lost; signing out revokes it too."""

    label = models.CharField(_("gate"), max_length=60, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="gate_devices",
        verbose_name=_("volunteer"),
    )
    ceremonies = models.ManyToManyField(
        Ceremony, related_name="gate_devices", verbose_name=_("ceremonies")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The browser session it was signed in with: revoking the phone signs it out too.
    session_key = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_seen_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("gate device")
        verbose_name_plural = _("gate devices")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.label or str(_("Phone %(number)s") % {"number": self.pk})

    def is_usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and now < self.expires_at


class CheckIn(models.Model):
    """People of a party let in at the gate; a party may arrive in several goes.

    A check-in made offline is recorded even when it turns out to be more than the party
    (two phones let the same ticket in) or the ticket was cancelled meanwhile: the people
    are inside. Those are flagged as a conflict for the organisers, and the people not
    covered by the ticket are `uncounted`, so the party's count never exceeds its size."""

    class Conflict(models.TextChoices):
        EXCESS = "excess", _("more people than the party")
        CANCELLED = "cancelled", _("the registration was cancelled")
        WAITING = "waiting", _("on the waiting list")
        CEREMONY_CANCELLED = "ceremony_cancelled", _("the ceremony was cancelled")
        OTHER_DAY = "other_day", _("a ticket for another day")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="checkins",
        verbose_name=_("registration"),
    )
    people = models.PositiveSmallIntegerField(_("people"), validators=[MinValueValidator(1)])
    uncounted = models.PositiveSmallIntegerField(_("not counted"), default=0)
    conflict = models.CharField(_("conflict"), max_length=20, choices=Conflict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    device = models.ForeignKey(
        GateDevice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="checkins",
        verbose_name=_("gate device"),
    )
    # The id a phone gave the check-in: sending its queue again records nothing twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    at = models.DateTimeField(_("at"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=1), name="checkin_at_least_one"),
            models.CheckConstraint(
                condition=Q(uncounted__lte=F("people")), name="checkin_uncounted_within_people"
            ),
            models.CheckConstraint(
                condition=Q(conflict="", uncounted=0) | ~Q(conflict=""),
                name="checkin_uncounted_only_in_conflict",
            ),
        ]

    def __str__(self):
        return f"{self.registration.booking_code_display}: {self.people}"

    @property
    def counted(self):
        return self.people - self.uncounted


# The protocol of a ceremony: official delegations that lay wreaths and speak, and the
# press. An approved request holds its seats as a Registration (same quota, ticket and
# gate as everyone); these models hold what protocol staff decide about.


class ProtocolQuerySet(models.QuerySet):
    def not_anonymised(self):
        return self.filter(anonymised_at__isnull=True)

    def approved(self):
        return self.filter(status=Delegation.Status.APPROVED)


class Decision(models.TextChoices):
    """Where a delegation's or a journalist's request stands; shared by both."""

    WAITING = "waiting", _("waiting for a decision")
    APPROVED = "approved", _("approved")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class DelegationInvitation(models.Model):
    """A personal invitation for an organisation to ask to take part as a delegation:
    its link (or code) lets it send one request."""

    ceremony = models.ForeignKey(
        Ceremony,
        on_delete=models.CASCADE,
        related_name="delegation_invitations",
        verbose_name=_("ceremony"),
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, validators=[validate_no_control_characters]
    )
    email = models.EmailField(_("email"))
    language = models.CharField(
        _("language for emails"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    code = models.CharField(
        _("invitation code"), max_length=8, unique=True, default=new_booking_code, editable=False
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("delegation invitation")
        verbose_name_plural = _("delegation invitations")
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return f"{self.organisation} ({self.ceremony})"

    @property
    def token(self):
        return sign_public_id(self.public_id, salt="delegation-invitation")

    @classmethod
    def from_token(cls, token):
        public_id = unsign_public_id(token, salt="delegation-invitation")
        if public_id is None:
            return None
        return cls.objects.select_related("ceremony").filter(public_id=public_id).first()


class Delegation(models.Model):
    """An organisation's request to take part officially: who comes, whether they lay a
    wreath and what its ribbon says, whether they wish to speak, what they need."""

    Status = Decision

    class Kind(models.TextChoices):
        # The order is the proposed precedence when a ceremony sets none of its own.
        STATE = "state", _("state or government")
        DIPLOMATIC = "diplomatic", _("diplomatic")
        MILITARY = "military", _("military")
        PARLIAMENT = "parliament", _("party or parliament group")
        MUNICIPAL = "municipal", _("municipal")
        VETERANS = "veterans", _("veterans")
        ASSOCIATION = "association", _("association")
        SCHOOL = "school", _("school")
        OTHER = "other", _("other")

    NEEDS = Registration.NEEDS
    # What a request says, in the order the form asks it; all but the organisation can be
    # amended later (registrations.delegations.AMENDABLE).
    REQUEST_FIELDS = [
        "organisation",
        "country",
        "kind",
        "head_name",
        "head_title",
        "head_function",
        "members",
        "carers",
        "brings_wreath",
        "ribbon_text",
        "ribbon_language",
        "wreath_bearers",
        "wishes_to_speak",
        "arrival_time",
        *Registration.NEEDS,
        "needs_note",
        "interpreter_language",
        "needs_transport",
        "contact_name",
        "contact_email",
        "contact_phone",
        "language",
    ]

    ceremony = models.ForeignKey(
        Ceremony, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("ceremony")
    )
    invitation = models.OneToOneField(
        DelegationInvitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegation",
        verbose_name=_("invitation"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Decision.choices, default=Decision.WAITING
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, validators=[validate_no_control_characters]
    )
    country = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    head_name = models.CharField(
        _("head of delegation"), max_length=200, validators=[validate_no_control_characters]
    )
    head_title = models.CharField(
        _("title or rank"), max_length=200, blank=True, validators=[validate_no_control_characters]
    )
    head_function = models.CharField(
        _("function"), max_length=200, blank=True, validators=[validate_no_control_characters]
    )
    members = models.TextField(
        _("further members"),
        max_length=3000,
        blank=True,
        validators=[validate_no_control_characters],
        help_text=_("One person per line: name and function."),
    )
    carers = models.PositiveSmallIntegerField(
        _("carers or escorts"), default=0, help_text=_("They have seats too.")
    )
    brings_wreath = models.BooleanField(_("brings a wreath"), default=False)
    ribbon_text = models.CharField(
        _("ribbon text"), max_length=300, blank=True, validators=[validate_no_control_characters]
    )
    ribbon_language = models.CharField(
        _("language of the ribbon"),
        max_length=50,
        blank=True,
        validators=[validate_no_control_characters],
    )
    wreath_bearers = models.CharField(
        _("wreath bearers"),
        max_length=500,
        blank=True,
        validators=[validate_no_control_characters],
    )
    wishes_to_speak = models.BooleanField(_("wishes to speak"), default=False)
    arrival_time = models.TimeField(_("arrival time"), null=True, blank=True)
    needs_wheelchair_space = models.BooleanField(_("wheelchair space"), default=False)
    needs_step_free_route = models.BooleanField(_("step-free route"), default=False)
    needs_hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    needs_seating = models.BooleanField(_("a seat"), default=False)
    needs_note = models.TextField(
        _("other needs"), max_length=1000, blank=True, validators=[validate_no_control_characters]
    )
    interpreter_language = models.CharField(
        _("interpreter for"),
        max_length=50,
        blank=True,
        validators=[validate_no_control_characters],
        help_text=_("The language someone in the party needs interpreted into, if any."),
    )
    needs_transport = models.BooleanField(_("transport from the pick-up point"), default=False)
    contact_name = models.CharField(
        _("contact person"), max_length=200, validators=[validate_no_control_characters]
    )
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=30, validators=[validate_phone])
    language = models.CharField(
        _("language for emails"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    decision_note = models.TextField(_("note on the decision"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    # The order of laying wreaths: proposed from the ceremony's precedence of kinds and
    # the rank within a kind; a position set by hand stays where it was put.
    rank_in_kind = models.PositiveSmallIntegerField(
        _("rank within its kind"),
        null=True,
        blank=True,
        help_text=_("E.g. ambassadors by the date of their credentials: 1 comes first."),
    )
    wreath_position = models.PositiveSmallIntegerField(
        _("place in the order of wreaths"), null=True, blank=True, editable=False
    )
    wreath_position_fixed = models.BooleanField(_("placed by hand"), default=False, editable=False)
    registration = models.OneToOneField(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegation",
        verbose_name=_("seats and ticket"),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["ceremony", "wreath_position", "created_at", "pk"]
        permissions = [("manage_protocol", _("Can manage delegations, speakers and press"))]

    def __str__(self):
        return f"{self.organisation} ({self.get_kind_display()})"

    @property
    def member_lines(self):
        return [line.strip() for line in self.members.splitlines() if line.strip()]

    @property
    def people(self):
        """Seats the delegation needs: its head, its members and their carers."""
        return 1 + len(self.member_lines) + self.carers

    @property
    def needs(self):
        return [str(label) for name, label in Registration.needs_choices() if getattr(self, name)]

    @property
    def manage_token(self):
        return sign_public_id(self.public_id, salt="delegation-manage")

    @classmethod
    def from_token(cls, token):
        public_id = unsign_public_id(token, salt="delegation-manage")
        if public_id is None:
            return None
        return (
            cls.objects.select_related("ceremony", "registration")
            .filter(public_id=public_id)
            .first()
        )


class KindPrecedence(models.Model):
    """A ceremony's precedence of delegation kinds: lower comes first. Kinds without a
    row follow in the order of Delegation.Kind."""

    ceremony = models.ForeignKey(
        Ceremony,
        on_delete=models.CASCADE,
        related_name="kind_precedence",
        verbose_name=_("ceremony"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Delegation.Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("precedence of a kind")
        verbose_name_plural = _("precedence of kinds")
        ordering = ["ceremony", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ceremony", "kind"], name="one_precedence_per_kind")
        ]

    def __str__(self):
        return f"{self.position}. {self.get_kind_display()}"


class Speaker(models.Model):
    """Someone who speaks at a ceremony, in the order and for the time given."""

    ceremony = models.ForeignKey(
        Ceremony, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("ceremony")
    )
    programme_item = models.ForeignKey(
        "events.ProgrammeItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
        verbose_name=_("during"),
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
        verbose_name=_("delegation"),
    )
    name = models.CharField(
        pgettext_lazy("person", "name"), max_length=200, validators=[validate_no_control_characters]
    )
    function = models.CharField(
        _("function"), max_length=200, blank=True, validators=[validate_no_control_characters]
    )
    language = models.CharField(_("language spoken"), max_length=50, blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["ceremony", "position", "pk"]

    def __str__(self):
        return self.name


def press_document_path(instance, filename):
    # A random name: the document is private and its name says nothing.
    return f"press/{uuid.uuid4().hex}"


class PressAccreditation(models.Model):
    """A journalist's application to report on a ceremony."""

    Status = Decision

    class Role(models.TextChoices):
        WRITER = "writer", _("writer")
        PHOTOGRAPHER = "photographer", _("photographer")
        CAMERA = "camera", _("camera")
        OTHER = "other", _("other")

    ceremony = models.ForeignKey(
        Ceremony,
        on_delete=models.PROTECT,
        related_name="press_accreditations",
        verbose_name=_("ceremony"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Decision.choices, default=Decision.WAITING
    )
    name = models.CharField(
        pgettext_lazy("person", "name"), max_length=200, validators=[validate_no_control_characters]
    )
    outlet = models.CharField(
        _("outlet"), max_length=200, validators=[validate_no_control_characters]
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    press_card_number = models.CharField(
        _("press card number"),
        max_length=100,
        blank=True,
        validators=[validate_no_control_characters],
    )
    # Never public: served to protocol staff only (see registrations.press).
    letter = models.FileField(
        _("letter from the outlet"),
        upload_to=press_document_path,
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    needs_note = models.TextField(
        _("assistance needed"),
        max_length=1000,
        blank=True,
        validators=[validate_no_control_characters],
        help_text=_("E.g. a step-free route for a camera trolley, a hearing loop, a seat."),
    )
    language = models.CharField(
        _("language for emails"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    decision_note = models.TextField(_("note on the decision"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    registration = models.OneToOneField(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="press_accreditation",
        verbose_name=_("seats and badge"),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("applied"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        verbose_name = _("press accreditation")
        verbose_name_plural = _("press accreditations")
        ordering = ["ceremony", "-created_at", "pk"]

    def __str__(self):
        return f"{self.name} ({self.outlet})"

    @property
    def manage_token(self):
        return sign_public_id(self.public_id, salt="press-manage")

    @classmethod
    def from_token(cls, token):
        public_id = unsign_public_id(token, salt="press-manage")
        if public_id is None:
            return None
        return cls.objects.select_related("ceremony").filter(public_id=public_id).first()
