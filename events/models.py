import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from memorials import images
from memorials.fields import PhotoField
from memorials.models import MemorialSite

from .validators import validate_language_codes, validate_no_control_characters


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def default_time_zone():
    return settings.TIME_ZONE


def anniversary_label(number):
    """'82nd anniversary' in the active language."""
    if get_language() == "ru":
        # The ordinal must agree with the feminine noun, which humanize cannot do.
        return f"{number}-я годовщина"
    return _("%(ordinal)s anniversary") % {"ordinal": ordinal(number)}


class Series(models.Model):
    """A commemoration held every year, such as Elbe Day."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    commemorated_year = models.PositiveSmallIntegerField(
        _("year commemorated"),
        help_text=_("The year of the event remembered; anniversaries count from it."),
    )

    class Meta:
        verbose_name = _("commemoration series")
        verbose_name_plural = _("commemoration series")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CeremonyQuerySet(models.QuerySet):
    def public(self):
        """Everything but drafts: postponed and cancelled ceremonies stay visible."""
        return self.exclude(status=Ceremony.Status.DRAFT)

    def upcoming(self, now=None):
        return self.filter(end__gte=now or timezone.now()).order_by("start", "pk")

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now()).order_by("-start", "pk")


class Ceremony(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        POSTPONED = "postponed", _("postponed")
        CANCELLED = "cancelled", _("cancelled")

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="ceremonies", verbose_name=_("series")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    motto = models.CharField(_("motto"), max_length=200, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    dates_only = models.BooleanField(
        _("dates only"),
        default=False,
        help_text=_("The times are not known or not set: pages show only the dates."),
    )
    time_zone = models.CharField(
        _("time zone of the venue"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Times are shown in the venue's local time, e.g. Europe/Berlin."),
    )
    venue_site = models.ForeignKey(
        MemorialSite,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ceremonies",
        verbose_name=_("memorial site"),
        help_text=_("The memorial site where it takes place, if it is one."),
    )
    venue_name = models.CharField(
        _("venue"), max_length=200, blank=True, help_text=_("Leave empty to use the site's name.")
    )
    venue_address = models.CharField(_("venue address"), max_length=300, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_note = models.CharField(
        _("status note"),
        max_length=300,
        blank=True,
        help_text=_("Why it was postponed or cancelled, shown on the page."),
    )
    is_sample = models.BooleanField(
        _("sample programme"),
        default=False,
        help_text=_("Marks the programme as an example, not an announcement."),
    )
    registration_opens = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes = models.DateTimeField(_("registration closes"), null=True, blank=True)
    photo = PhotoField(
        _("photo"),
        upload_to="events/photos/%Y/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        renditions_field="photo_renditions",
    )
    photo_width = models.PositiveIntegerField(editable=False, null=True)
    photo_height = models.PositiveIntegerField(editable=False, null=True)
    photo_renditions = models.JSONField(editable=False, default=list)
    photo_alt_text = models.CharField(_("photo alternative text"), max_length=300, blank=True)
    accessibility_info = models.TextField(_("accessibility"), blank=True)
    sources = models.ManyToManyField(
        "memorials.Source", verbose_name=_("sources"), related_name="ceremonies", blank=True
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CeremonyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ceremony")
        verbose_name_plural = _("ceremonies")
        ordering = ["-start"]
        indexes = [models.Index(fields=["status", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="ceremony_ends_after_start",
                violation_error_message=_("The end must not be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens__isnull=True)
                | Q(registration_closes__isnull=True)
                | Q(registration_closes__gt=F("registration_opens")),
                name="ceremony_registration_window",
                violation_error_message=_("Registration must close after it opens."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.start:%Y})"

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.photo and not self.photo_alt_text:
            raise ValidationError({"photo_alt_text": _("A photo needs an alternative text.")})

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def anniversary(self):
        number = self.start.astimezone(self.tz).year - self.series.commemorated_year
        return number if number > 0 else None

    @property
    def anniversary_label(self):
        return anniversary_label(self.anniversary) if self.anniversary else ""

    @property
    def venue_label(self):
        return self.venue_name or (self.venue_site.name if self.venue_site else "")

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    def registration_state(self, now=None):
        """One of 'open', 'not_yet', 'closed', 'none' (no registration), 'cancelled'."""
        now = now or timezone.now()
        if self.status in (self.Status.CANCELLED, self.Status.DRAFT):
            return "cancelled" if self.is_cancelled else "closed"
        if self.registration_opens is None:
            return "none"
        if now < self.registration_opens:
            return "not_yet"
        if (self.registration_closes and now >= self.registration_closes) or now >= self.end:
            return "closed"
        return "open"

    @property
    def photo_srcset(self):
        return images.srcset(self.photo, self.photo_renditions)


class ProgrammeItem(models.Model):
    ceremony = models.ForeignKey(
        Ceremony, on_delete=models.CASCADE, related_name="programme", verbose_name=_("ceremony")
    )
    starts_at = models.DateTimeField(_("time"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    languages = models.CharField(
        _("languages spoken"),
        max_length=50,
        blank=True,
        validators=[validate_language_codes],
        help_text=_("Language codes, separated by commas, e.g. de, en, ru."),
    )
    interpretation = models.BooleanField(_("interpretation offered"), default=False)

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme")
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return self.title

    @property
    def language_codes(self):
        return [code.strip() for code in self.languages.split(",") if code.strip()]


class SeatCategory(models.Model):
    """A quota of seats: confirmed parties never take more than `capacity` seats
    (a database constraint on the counter kept in the same transaction)."""

    ceremony = models.ForeignKey(
        Ceremony, on_delete=models.CASCADE, related_name="categories", verbose_name=_("ceremony")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("seats"))
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)
    max_party_size = models.PositiveSmallIntegerField(
        _("largest party"), default=4, validators=[MinValueValidator(1)]
    )
    has_waiting_list = models.BooleanField(_("keeps a waiting list"), default=True)
    invitation_code = models.CharField(
        _("invitation code"),
        max_length=50,
        blank=True,
        help_text=_("If set, only people with this code can register in this category."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("seat category")
        verbose_name_plural = _("seat categories")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")),
                name="seat_category_never_overbooked",
                violation_error_message=_(
                    "There are more confirmed seats than that; cancel registrations first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(max_party_size__gte=1), name="seat_category_party_at_least_one"
            ),
        ]

    def __str__(self):
        return f"{self.ceremony.title}: {self.name}"

    @property
    def seats_left(self):
        return max(0, self.capacity - self.seats_taken)

    @property
    def needs_invitation(self):
        return bool(self.invitation_code)


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=(Registration.Status.CONFIRMED, Registration.Status.WAITING))

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self):
        return self.filter(status=Registration.Status.WAITING).order_by("waiting_since", "pk")


BOOKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_booking_code():
    """8 characters without look-alikes (0/O, 1/I), shown as ABCD-EFGH."""
    return "".join(secrets.choice(BOOKING_CODE_ALPHABET) for _i in range(8))


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", pgettext_lazy("registration", "cancelled")

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
    email = models.EmailField(_("email"))
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
    needs_seating = models.BooleanField(_("a seat"), default=False)
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
        indexes = [models.Index(fields=["category", "status", "waiting_since"])]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "ceremony",
                condition=Q(status__in=["confirmed", "waiting"]),
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
        registrations = cls.objects.select_related("ceremony", "category")
        return registrations.filter(public_id=public_id).first()

    def get_manage_url(self):
        return reverse("events:manage", kwargs={"token": self.manage_token})

    def get_ticket_url(self):
        return reverse("events:ticket", kwargs={"token": self.manage_token})

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
        labels = [
            str(field.verbose_name)
            for field in self._meta.fields
            if field.name.startswith("needs_") and getattr(self, field.name) is True
        ]
        return labels


class OutgoingEmail(models.Model):
    """The outbox: an email is queued in the same transaction as the change it reports
    and sent by `manage.py send_outbox`, which retries until it goes through."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("registration"),
    )
    kind = models.CharField(_("kind"), max_length=40)
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

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

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
