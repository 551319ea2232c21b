import functools
import zoneinfo

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation import settings as mt_settings
from modeltranslation.utils import build_localized_fieldname

from elbeday import images
from elbeday.fields import PhotoField
from memorials.models import MemorialSite

from .validators import validate_language_codes


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def default_time_zone():
    return settings.TIME_ZONE


def anniversary_label(number):
    """'82nd anniversary' in the active language."""
    return _anniversary_label(number, get_language())


# Kept per number and language: humanize's ordinal looks up ten translations each time,
# and a list of ceremonies asks for a label twice per ceremony.
@functools.lru_cache(maxsize=1024)
def _anniversary_label(number, language):
    if language == "ru":
        # The ordinal must agree with the feminine noun, which humanize cannot do.
        return f"{number}-я годовщина"
    with translation.override(language):
        return str(_("%(ordinal)s anniversary") % {"ordinal": ordinal(number)})


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

    def not_cancelled(self):
        return self.exclude(status=Ceremony.Status.CANCELLED)

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

    class RegistrationState(models.TextChoices):
        """Whether people can register now; the label is what visitors are told."""

        OPEN = "open", _("Registration is open.")
        NOT_YET = "not_yet", _("Registration has not opened yet.")
        CLOSED = "closed", _("Registration for this ceremony is closed.")
        NONE = "none", _("This ceremony takes no registrations.")
        CANCELLED = "cancelled", _("This ceremony has been cancelled; registration is closed.")

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="ceremonies", verbose_name=_("series")
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    motto = models.CharField(_("motto"), max_length=200, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # The one definition of a ceremony's year (the archive lists and pages use it): the
    # year of its start at the venue, so a New Year's Eve ceremony far from the server
    # is filed under the year its guests would name. Kept by `save()`.
    year = models.PositiveSmallIntegerField(_("year"), editable=False, blank=True, db_index=True)
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
    # Close to the day, a seat freed late is better handed out at the gate than offered to
    # someone on the waiting list who may no longer read their email in time.
    waiting_list_promotion_deadline = models.DateTimeField(
        _("waiting list moves up until"),
        null=True,
        blank=True,
        help_text=_(
            "After this time, seats that become free are no longer given to the waiting "
            "list automatically (they can be handed out at the gate); organisers can "
            "still move people up by hand. Leave empty for no deadline."
        ),
    )

    # The protocol (registrations.models.Delegation, PressAccreditation): who may ask to
    # take part officially, and from which seat categories their seats come.
    class DelegationRequests(models.TextChoices):
        NONE = "none", _("no delegations")
        INVITATION = "invitation", _("by invitation only")
        OPEN = "open", _("open requests, each decided by the organisers")

    delegation_requests = models.CharField(
        _("delegation requests"),
        max_length=20,
        choices=DelegationRequests.choices,
        default=DelegationRequests.INVITATION,
    )
    delegation_category = models.ForeignKey(
        "SeatCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seats for delegations from"),
        help_text=_("Approved delegations take their seats from this category's quota."),
    )
    delegation_members_max = models.PositiveSmallIntegerField(
        _("largest delegation"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("People in a delegation, its head included (carers come on top)."),
    )
    delegation_changes_until = models.DateTimeField(
        _("delegations can amend their request until"),
        null=True,
        blank=True,
        help_text=_("Empty: until the ceremony begins."),
    )
    ribbon_text_max_length = models.PositiveSmallIntegerField(
        _("longest ribbon text"), default=80, validators=[MinValueValidator(10)]
    )
    wreath_order_published = models.BooleanField(
        _("show the order of wreaths on the ceremony page"), default=False
    )
    press_accreditation = models.BooleanField(_("accredits the press"), default=False)
    press_category = models.ForeignKey(
        "SeatCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seats for the press from"),
    )
    wreath_programme_item = models.ForeignKey(
        "ProgrammeItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wreaths are laid during"),
        help_text=_("Empty: the item after the speeches."),
    )
    pickup_point = models.CharField(
        _("transport from"),
        max_length=300,
        blank=True,
        help_text=_("If the organisers offer transport, where it leaves from."),
    )
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
    photo_renditions = models.JSONField(editable=False, default=list, blank=True)
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

    def save(self, *args, **kwargs):
        self.year = self.local_year
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"start", "time_zone"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "year"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def local_year(self):
        return self.start.astimezone(self.tz).year

    def clean(self):
        super().clean()
        # The text in the language every other one falls back to, and named as the field
        # forms have: with modeltranslation they hold one per language (photo_alt_text_en,
        # ...), none called photo_alt_text, and an error for a field a form does not have
        # is a server error, not a message.
        alt_text = build_localized_fieldname("photo_alt_text", mt_settings.DEFAULT_LANGUAGE)
        if self.photo and not getattr(self, alt_text):
            raise ValidationError({alt_text: _("A photo needs an alternative text.")})
        # The protocol's categories and programme item are this ceremony's own.
        foreign = {
            name: _("Choose one of this ceremony's own.")
            for name in ("delegation_category", "press_category", "wreath_programme_item")
            if getattr(self, f"{name}_id") is not None
            and getattr(self, name).ceremony_id != self.pk
        }
        if foreign:
            raise ValidationError(foreign)

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def anniversary(self):
        number = self.local_year - self.series.commemorated_year
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

    def promotes_waiting_list(self, now=None):
        """Whether seats freed now go to the waiting list automatically."""
        deadline = self.waiting_list_promotion_deadline
        return deadline is None or (now or timezone.now()) < deadline

    def registration_state(self, now=None):
        now = now or timezone.now()
        state = self.RegistrationState
        if self.status in (self.Status.CANCELLED, self.Status.DRAFT):
            return state.CANCELLED if self.is_cancelled else state.CLOSED
        if self.registration_opens is None:
            return state.NONE
        if now < self.registration_opens:
            return state.NOT_YET
        if (self.registration_closes and now >= self.registration_closes) or now >= self.end:
            return state.CLOSED
        return state.OPEN

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


# The two statements of a registration rush, written once as SQL: the ceremony page reads
# the seats after every seat taken, and every registration takes its seats. Built by the
# ORM, each cost the web worker about 0.9 ms of CPU, against 0.2 ms to send it as it is.
def _seat_sql(sql):
    quote = connection.ops.quote_name
    meta = SeatCategory._meta
    return sql.format(
        table=quote(meta.db_table),
        id=quote(meta.pk.column),
        taken=quote(meta.get_field("seats_taken").column),
        capacity=quote(meta.get_field("capacity").column),
    )


def read_seats(categories):
    """Set the seats taken of `categories`, read earlier (kept until the next content edit,
    see elbeday.cache.until_content_edit), to what they are now: one query for the seats
    alone. Returns `categories`."""
    if categories:
        pks = [category.pk for category in categories]
        placeholders = ", ".join(["%s"] * len(pks))
        with connection.cursor() as cursor:
            cursor.execute(
                _seat_sql(
                    f"SELECT {{id}}, {{taken}} FROM {{table}} WHERE {{id}} IN ({placeholders})"
                ),
                pks,
            )
            seats = dict(cursor.fetchall())
        for category in categories:
            category.seats_taken = seats.get(category.pk, category.seats_taken)
    return categories


def take_seats_sql():
    """The statement that takes seats of a category if they are free, with its parameters'
    order: [party size, category id, party size]. For `take_seats`, and for
    `registrations.statement`, which makes it the first part of a larger statement."""
    return _seat_sql(
        "UPDATE {table} SET {taken} = {taken} + %s WHERE {id} = %s AND {taken} <= {capacity} - %s"
    )


def take_seats(category_pk, party_size):
    """Take `party_size` seats of the category if they are free: one statement, which
    locks the category's row until the transaction ends (PostgreSQL checks the condition
    again after waiting for a concurrent holder; SQLite's IMMEDIATE transaction holds the
    lock already). True if the seats were taken. Only for `registrations.services`, in
    its transaction: as SQL, it sends no signal, and the service clears the cached pages."""
    with connection.cursor() as cursor:
        cursor.execute(take_seats_sql(), [party_size, category_pk, party_size])
        return cursor.rowcount == 1
