import datetime
import math

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from elbeday import images
from elbeday.fields import PhotoField
from elbeday.images import rendition_name


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


class MemorialSiteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_cover(self):
        """Prefetch the photos so a list can show each site's first one without a query
        per site."""
        return self.prefetch_related(
            models.Prefetch("photos", queryset=Photo.objects.order_by("position", "pk"))
        )


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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MemorialSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("memorial site")
        verbose_name_plural = _("memorial sites")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["is_published", "country", "kind"])]
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
