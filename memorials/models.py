import datetime
import decimal
import math
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from elbeday import images
from elbeday.fields import PhotoField
from elbeday.images import rendition_name
from elbeday.storage import private_storage


class PartialDate(models.Model):
    """A date of which only the year may be known, as historical dates often are."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    day = models.PositiveSmallIntegerField(
        _("day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Leave month and day empty when only the year is known."),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.day and not self.month:
            raise ValidationError({"day": _("A day needs a month.")})
        if self.year and self.month and self.day:
            try:
                datetime.date(self.year, self.month, self.day)
            except ValueError:
                raise ValidationError(
                    {"day": _("This day does not exist in that month.")}
                ) from None

    @property
    def date_display(self):
        if not self.year:
            return ""
        if self.month and self.day:
            return date_format(datetime.date(self.year, self.month, self.day), "DATE_FORMAT")
        if self.month:
            return date_format(datetime.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")
        return str(self.year)


class Source(models.Model):
    class Caution(models.TextChoices):
        NONE = "", _("none")
        STATE_MEDIA = "state_media", _("state media")
        OTHER = "other", _("read with care")

    title = models.CharField(_("title"), max_length=300)
    author = models.CharField(_("author or publisher"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    note = models.TextField(_("note"), blank=True)
    caution = models.CharField(
        _("read with care"),
        max_length=20,
        choices=Caution.choices,
        blank=True,
        default=Caution.NONE,
        help_text=_("Mark state media and other sources that readers should treat with care."),
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title", "pk"]

    def __str__(self):
        return f"{self.author}: {self.title}" if self.author else self.title

    @property
    def date_display(self):
        return PartialDate.date_display.fget(self) if self.year else ""


class JSONArrayAgg(models.Aggregate):
    """The rows' values as one JSON array: jsonb_agg on PostgreSQL, json_group_array on
    SQLite (Django 5.2 has no aggregate for both)."""

    function = "JSONB_AGG"
    output_field = models.JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


class MemorialSiteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_cover(self):
        """Prefetch the photos so a list can show each site's first one without a query
        per site (their captions and alt texts in the visitor's language only)."""
        from elbeday.translation import in_visitor_language

        photos = in_visitor_language(Photo.objects.order_by("position", "pk"))
        return self.prefetch_related(models.Prefetch("photos", queryset=photos))

    def with_series_and_trails(self):
        """Each site with its series and published trails read in the same query, as JSON
        arrays (`series_data`, `trails_data`; see `MemorialSite.listed_series`): a public
        page may make six queries (tests/test_budget.py), and two more prefetches would
        pass that on the site page."""
        names = {f"name_{code}": f"name_{code}" for code, _name in settings.LANGUAGES}

        def rows(queryset, **fields):
            return models.Subquery(
                queryset.filter(sites=models.OuterRef("pk"))
                .order_by()
                .values("sites")
                .annotate(data=JSONArrayAgg(JSONObject(pk="pk", slug="slug", **names, **fields)))
                .values("data")
            )

        return self.annotate(
            series_data=rows(Series.objects.all()),
            trails_data=rows(Trail.objects.published(), kind="kind"),
        )

    def near(self, latitude, longitude, *, limit=10):
        """The `limit` located sites of this queryset nearest to the point, nearest first,
        as (site, kilometres) pairs; see memorials.search.nearest."""
        from .search import nearest

        return nearest(self, latitude, longitude, limit=limit)

    def search(self, text, *, language):
        """The sites whose text in `language` matches `text`, best first; see
        memorials.search.matching."""
        from .search import matching

        return matching(self, text, language=language)


class MemorialSite(models.Model):
    class Kind(models.TextChoices):
        MONUMENT = "monument", _("monument")
        PLAQUE = "plaque", _("plaque")
        MEMORIAL_STONE = "memorial_stone", _("memorial stone")
        RELIEF = "relief", _("relief")
        SCULPTURE = "sculpture", _("sculpture")
        GRAVE = "grave", _("grave")
        MARKER = "marker", _("marker")
        FLAGPOLES = "flagpoles", _("flagpoles")
        MUSEUM = "museum", _("museum")
        OTHER = "other", _("other")

    class Precision(models.TextChoices):
        EXACT = "exact", _("exact")
        STREET = "street", _("street level")
        TOWN = "town", _("town level")
        UNKNOWN = "unknown", _("unknown")

    class Access(models.TextChoices):
        UNKNOWN = "", _("not known")
        YES = "yes", _("yes")
        PARTIAL = "partial", _("partly")
        NO = "no", _("no")

    class Status(models.TextChoices):
        STANDING = "standing", _("standing")
        MOVED = "moved", _("moved")
        DAMAGED = "damaged", _("damaged")
        MISSING = "missing", _("missing")
        REMOVED = "removed", _("removed")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=200, help_text=_("One line."))
    history = models.TextField(_("history"), blank=True)
    inscription = models.TextField(
        _("inscription"), blank=True, help_text=_("In the original language, as written.")
    )
    inscription_language = models.CharField(
        _("language of the inscription"), max_length=100, blank=True
    )
    inscription_translation = models.TextField(
        _("translation of the inscription"),
        blank=True,
        help_text=_("Our own translation; the page labels it as such."),
    )
    inscription_note = models.CharField(
        _("note on the inscription"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the text shown leaves out, e.g. that the site also gives it in a language "
            "not recorded here."
        ),
    )
    town = models.CharField(_("town"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    location_precision = models.CharField(
        _("location precision"),
        max_length=10,
        choices=Precision.choices,
        default=Precision.UNKNOWN,
    )
    creator = models.CharField(_("made by"), max_length=300, blank=True)
    dedicated_by = models.CharField(_("dedicated by"), max_length=300, blank=True)
    visiting_info = models.TextField(_("visiting information"), blank=True)
    step_free_access = models.CharField(
        _("step-free access"), max_length=10, choices=Access.choices, blank=True
    )
    seating = models.CharField(_("seating"), max_length=10, choices=Access.choices, blank=True)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="sites", blank=True
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Drafts are invisible to the public.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.STANDING
    )
    moved_to = models.CharField(
        _("moved to"),
        max_length=300,
        blank=True,
        help_text=_("Where the site stands now; required when its status is 'moved'."),
    )
    status_confirmed_on = models.DateField(
        _("status last confirmed"),
        null=True,
        blank=True,
        help_text=_("The day someone last saw the site in this state."),
    )
    series = models.ManyToManyField(
        "Series", verbose_name=_("memorial series"), related_name="sites", blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MemorialSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("memorial site")
        verbose_name_plural = _("memorial sites")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["is_published", "country", "kind"]),
            # Near me: the bounding box's latitude range, then the longitude and published
            # flag read from the index itself (see memorials.search.nearest). Latitude
            # first: SQLite cannot seek on a bare boolean ("WHERE is_published").
            models.Index(
                fields=["latitude", "longitude", "is_published"], name="memorial_location"
            ),
            # Near me, a place typed in: towns and names compared in every language
            # (memorials.search.place_position).
            *(
                models.Index(fields=[f"{field}_{language}"], name=f"memorial_{field}_{language}")
                for field in ("town", "name")
                for language in ("en", "de", "ru")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="memorial_lat_lon_together",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="memorial_lat_lon_range",
                violation_error_message=_(
                    "Latitude must lie between -90 and 90, longitude between -180 and 180."
                ),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, location_precision="unknown")
                | Q(latitude__isnull=False) & ~Q(location_precision="unknown"),
                name="memorial_precision_matches_location",
                violation_error_message=_(
                    "Choose a precision when coordinates are given, and 'unknown' when not."
                ),
            ),
            # On the default language's column: the one every site has (see translation.py).
            models.CheckConstraint(
                condition=~Q(status="moved") | Q(moved_to_en__isnull=False) & ~Q(moved_to_en=""),
                name="memorial_moved_says_where",
                violation_error_message=_("Say where the site was moved to."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("memorials:detail", kwargs={"slug": self.slug})

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def coordinates(self):
        """'51.56, 13.01': latitude and longitude without trailing zeros."""
        if not self.has_location:
            return ""
        return ", ".join(
            format(value.normalize(), "f") for value in (self.latitude, self.longitude)
        )

    @property
    def is_approximate(self):
        return self.location_precision in (self.Precision.STREET, self.Precision.TOWN)

    def osm_url(self):
        if not self.has_location:
            return ""
        zoom = {"exact": 18, "street": 17, "town": 14}.get(self.location_precision, 14)
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
            f"#map={zoom}/{self.latitude}/{self.longitude}"
        )

    def cover_photo(self):
        """The first photo; uses the prefetched photos when there are any."""
        photos = list(self.photos.all())
        return photos[0] if photos else None

    def distance_km(self, other):
        """Great-circle distance to another site in kilometres (haversine)."""
        lat1, lon1, lat2, lon2 = map(
            math.radians,
            (
                float(self.latitude),
                float(self.longitude),
                float(other.latitude),
                float(other.longitude),
            ),
        )
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * 6371.0088 * math.asin(math.sqrt(a))

    def listed_series(self):
        """The series, by name in the active language: read by `with_series_and_trails`
        (or queried, for a site read without it)."""
        if not hasattr(self, "series_data"):
            return sorted(self.series.all(), key=str)
        return sorted((Series(**row) for row in self.series_data or ()), key=str)

    def listed_trails(self):
        """The published trails, by name; as `listed_series`."""
        if not hasattr(self, "trails_data"):
            return sorted(self.trails.published().distinct(), key=str)
        return sorted((Trail(**row) for row in self.trails_data or ()), key=str)

    def nearby(self, *, limit=5, radius_km=100):
        """Other published sites within `radius_km`, nearest first, as (site, km) pairs.

        A bounding box narrows the candidates in SQL; the exact distance is computed here.
        """
        if not self.has_location:
            return []
        lat = float(self.latitude)
        dlat = radius_km / 111.0
        dlon = radius_km / max(1.0, 111.0 * math.cos(math.radians(lat)))
        candidates = (
            MemorialSite.objects.published()
            .exclude(pk=self.pk)
            .filter(
                latitude__range=(lat - dlat, lat + dlat),
                longitude__range=(float(self.longitude) - dlon, float(self.longitude) + dlon),
            )
            .only("name", "slug", "kind", "town", "latitude", "longitude", "location_precision")
        )
        pairs = [(site, self.distance_km(site)) for site in candidates]
        pairs = [pair for pair in pairs if pair[1] <= radius_km]
        return sorted(pairs, key=lambda pair: pair[1])[:limit]


class Series(models.Model):
    """A group of sites that belong together, such as the memorials of one event; not
    to be confused with a series of ceremonies (events.Series)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("memorial series")
        verbose_name_plural = _("memorial series")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("memorials:series", kwargs={"slug": self.slug})


class TrailQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Trail(models.Model):
    """Sites to visit one after another, on foot or by car, in the order of its stops."""

    class Kind(models.TextChoices):
        WALKING = "walking", _("walking trail")
        DRIVING = "driving", _("driving trail")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Drafts are invisible to the public.")
    )
    sites = models.ManyToManyField(
        MemorialSite, through="TrailStop", related_name="trails", verbose_name=_("sites")
    )

    objects = TrailQuerySet.as_manager()

    class Meta:
        verbose_name = _("trail")
        verbose_name_plural = _("trails")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("memorials:trail", kwargs={"slug": self.slug})

    def public_stops(self):
        """The stops at published sites, in order; each has `km_from_previous`, the
        great-circle distance from the stop before (None for the first stop, or when
        either site has no coordinates). A stop at a draft site is left out, and the
        distance runs from the stop before it to the stop after."""
        stops = list(
            self.stops.filter(site__is_published=True)
            .select_related("site")
            .order_by("position", "pk")
        )
        for previous, stop in zip([None, *stops], stops, strict=False):
            located = previous and previous.site.has_location and stop.site.has_location
            stop.km_from_previous = previous.site.distance_km(stop.site) if located else None
        return stops


class TrailStop(models.Model):
    trail = models.ForeignKey(
        Trail, on_delete=models.CASCADE, related_name="stops", verbose_name=_("trail")
    )
    site = models.ForeignKey(
        MemorialSite,
        on_delete=models.CASCADE,
        related_name="trail_stops",
        verbose_name=_("site"),
    )
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        ordering = ["trail", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trail", "position"],
                name="trailstop_unique_position",
                violation_error_message=_("Two stops of a trail cannot share a position."),
            ),
            models.UniqueConstraint(
                fields=["trail", "site"],
                name="trailstop_unique_site",
                violation_error_message=_("A site can be a stop of a trail only once."),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.site}"


class SiteDate(PartialDate):
    class Kind(models.TextChoices):
        ERECTED = "erected", _("erected")
        COMPLETED = "completed", _("completed")
        DEDICATED = "dedicated", _("dedicated")
        UNVEILED = "unveiled", _("unveiled")
        RESTORED = "restored", _("restored")
        BURIED = "buried", _("burial")

    site = models.ForeignKey(
        MemorialSite, on_delete=models.CASCADE, related_name="dates", verbose_name=_("site")
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("date")
        verbose_name_plural = _("dates")
        ordering = ["year", "month", "day", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day__isnull=True) | Q(month__isnull=False),
                name="sitedate_day_needs_month",
                violation_error_message=_("A day needs a month."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date_display}"


class Photo(models.Model):
    site = models.ForeignKey(
        MemorialSite, on_delete=models.CASCADE, related_name="photos", verbose_name=_("site")
    )
    image = PhotoField(
        _("image"),
        upload_to="memorials/photos/%Y/",
        width_field="width",
        height_field="height",
        renditions_field="renditions",
        help_text=_("A JPEG, PNG or WebP photo. Location data is removed before publishing."),
    )
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    renditions = models.JSONField(editable=False, default=list)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    licence = models.CharField(_("licence"), max_length=200)
    is_placeholder = models.BooleanField(
        _("placeholder"),
        default=False,
        help_text=_("A drawn placeholder, not a photograph: the page says so."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.caption or self.alt_text

    def rendition_url(self, width):
        return self.image.storage.url(rendition_name(self.image.name, width))

    @property
    def srcset(self):
        return images.srcset(self.image, self.renditions)

    @property
    def src(self):
        """A mid-sized version for browsers without `srcset`."""
        if not self.renditions:
            return self.image.url
        fitting = [w for w in self.renditions if w <= 640] or self.renditions
        return self.rendition_url(fitting[-1])

    def rendition_height(self, width):
        if not (self.width and self.height):
            return None
        return round(self.height * width / self.width)


class HistoryNote(models.Model):
    """A short, sourced paragraph about the events the sites commemorate, shown on the
    home page in order."""

    text = models.TextField(_("text"))
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), related_name="notes")
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("history note")
        verbose_name_plural = _("history notes")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text[:60]


# Public submissions


def parse_coordinates(text):
    """(latitude, longitude) as Decimals from "51.5601, 13.0061" (a comma, a space or a
    semicolon between them), or None when the text is not two numbers in range."""
    parts = re.split(r"[\s,;]+", text.strip())
    if len(parts) != 2:
        return None
    try:
        latitude, longitude = (
            decimal.Decimal(part).quantize(decimal.Decimal("0.000001")) for part in parts
        )
    except decimal.InvalidOperation:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


class SubmissionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Submission.Status.PENDING)

    def to_anonymise(self, *, decided_before):
        """Decided submissions whose submitter's data is still there after the retention
        time; pending ones wait for their decision."""
        return self.filter(anonymised_at__isnull=True, decided_at__lt=decided_before).exclude(
            status=Submission.Status.PENDING
        )


class Submission(models.Model):
    """What a visitor sent about a site, kept out of sight until an editor decides on it
    (memorials.services: submission_accept, submission_decline)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    site = models.ForeignKey(
        MemorialSite,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        verbose_name=_("site"),
    )
    email = models.EmailField(
        _("your email address"),
        help_text=_("We write to you once, when the editors have decided."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, editable=False
    )
    decline_reason = models.TextField(
        _("reason for declining"),
        blank=True,
        help_text=_("Sent to the visitor in the email about the decision."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    # The form's own key: the same form sent twice (a double click, a reload) is saved once.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="%(class)s_declined_with_reason",
                violation_error_message=_("Give the reason for declining."),
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | ~Q(status="pending") & Q(decided_at__isnull=False),
                name="%(class)s_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=~Q(email="") | Q(anonymised_at__isnull=False),
                name="%(class)s_email_until_anonymised",
            ),
        ]

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


class Correction(Submission):
    """A visitor's proposal to change one of a site's public texts, with its source."""

    class Field(models.TextChoices):
        NAME = "name", _("name")
        SUMMARY = "summary", _("summary")
        HISTORY = "history", _("history")
        INSCRIPTION = "inscription", _("inscription")
        INSCRIPTION_TRANSLATION = "inscription_translation", _("translation of the inscription")
        TOWN = "town", _("town")
        ADDRESS = "address", _("address")
        COORDINATES = "coordinates", _("coordinates")
        CREATOR = "creator", _("made by")
        DEDICATED_BY = "dedicated_by", _("dedicated by")
        VISITING_INFO = "visiting_info", _("visiting information")
        ACCESSIBILITY_NOTES = "accessibility_notes", _("accessibility notes")

    field = models.CharField(_("what to correct"), max_length=30, choices=Field.choices)
    proposed_text = models.TextField(
        _("what it should say"),
        max_length=10_000,
        help_text=_("The whole corrected text. For coordinates: latitude, longitude."),
    )
    source = models.TextField(
        _("source"),
        max_length=1000,
        help_text=_("Where this comes from: a book or article with its author, or a web address."),
    )
    submitter_name = models.CharField(
        _("your name"),
        max_length=200,
        blank=True,
        help_text=_(
            "Named with the source if the correction is accepted; leave empty to stay anonymous."
        ),
    )
    # The Source that accepting the correction added to the site.
    applied_source = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("source added"),
    )

    class Meta(Submission.Meta):
        verbose_name = _("correction from the public")
        verbose_name_plural = _("corrections from the public")
        constraints = [
            *Submission.Meta.constraints,
            models.CheckConstraint(condition=~Q(source=""), name="correction_has_source"),
            models.CheckConstraint(condition=~Q(proposed_text=""), name="correction_has_text"),
        ]

    def __str__(self):
        return _("Correction %(number)s: %(field)s of %(site)s") % {
            "number": self.pk,
            "field": self.get_field_display(),
            "site": self.site,
        }

    def clean(self):
        super().clean()
        if self.field == self.Field.COORDINATES:
            if self.proposed_text and parse_coordinates(self.proposed_text) is None:
                raise ValidationError(
                    {
                        "proposed_text": _(
                            "Give latitude and longitude as two numbers, e.g. 51.5601, 13.0061."
                        )
                    }
                )
        elif self.field:
            limit = MemorialSite._meta.get_field(self.field).max_length
            if limit and len(self.proposed_text or "") > limit:
                raise ValidationError(
                    {
                        "proposed_text": _(
                            "This field holds at most %(limit)d characters; yours has %(count)d."
                        )
                        % {"limit": limit, "count": len(self.proposed_text)}
                    }
                )


class PhotoSubmission(Submission):
    """A photo of a site sent by a visitor, with its credit and licence. The image goes
    through the same checks as the editors' uploads and is stored without its metadata
    (EXIF, GPS position); the file is deleted once decided (an accepted photo is copied to
    the site's photos)."""

    class Licence(models.TextChoices):
        CC_BY = "CC BY 4.0", "CC BY 4.0"
        CC_BY_SA = "CC BY-SA 4.0", "CC BY-SA 4.0"
        CC0 = "CC0 1.0", "CC0 1.0"
        PUBLIC_DOMAIN = "public domain", _("public domain (no copyright)")

    image = PhotoField(
        _("photo"),
        # Named at random by services.submission_create; private until an editor accepts
        # it (a copy then becomes a Photo), read by the admin's review page alone.
        upload_to="memorials/submissions/",
        storage=private_storage,
        width_field="width",
        height_field="height",
        blank=True,
        help_text=_("A JPEG, PNG or WebP photo. Location data is removed before storing."),
    )
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    alt_text = models.CharField(
        _("what the photo shows"),
        max_length=300,
        help_text=_("For people who cannot see it, e.g. 'The memorial stone seen from the river'."),
    )
    credit = models.CharField(
        _("credit"), max_length=200, help_text=_("Who took the photo, as it should be named.")
    )
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices)
    photo = models.ForeignKey(
        Photo,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("published photo"),
    )

    class Meta(Submission.Meta):
        verbose_name = _("photo from the public")
        verbose_name_plural = _("photos from the public")
        constraints = [
            *Submission.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(credit="") | Q(anonymised_at__isnull=False),
                name="photosubmission_has_credit",
            ),
            models.CheckConstraint(
                condition=~Q(image="") | ~Q(status="pending"),
                name="photosubmission_pending_has_image",
            ),
            models.CheckConstraint(
                condition=Q(licence__in=["CC BY 4.0", "CC BY-SA 4.0", "CC0 1.0", "public domain"]),
                name="photosubmission_known_licence",
            ),
        ]

    def __str__(self):
        return _("Photo %(number)s of %(site)s") % {"number": self.pk, "site": self.site}
