import math

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.urls import reverse


class _ItemsInEachLanguage:
    """A sitemap's (item, language) pairs, as Django's i18n sitemap lists them, but read
    from the database a page at a time: the index needs only how many there are, and a
    sitemap page only its own items (Django's `Sitemap._items` reads every item)."""

    def __init__(self, items, languages, count=None):
        self.items = items
        self.languages = languages
        self._count = count

    def count(self):
        if self._count is None:
            self._count = self.items.count()
        return self._count * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, pairs):
        if not isinstance(pairs, slice) or pairs.step is not None:
            raise TypeError("Only a slice of a sitemap's items can be read.")
        start, stop, _step = pairs.indices(len(self))
        each = len(self.languages)
        first = start // each
        items = self.items[first : math.ceil(stop / each)] if stop > start else []
        both = [(item, language) for item in items for language in self.languages]
        return both[start - first * each : stop - first * each]


class I18nSitemap(Sitemap):
    """Every page in each language, with its translations as alternates."""

    i18n = True
    alternates = True
    x_default = True
    # Items per sitemap page (each listed in every language); /sitemap.xml is the index.
    limit = 1000

    def get_latest_lastmod(self):
        """For the index: the newest `updated_at` of the items, asked of the database
        with their number (Django's own reads every item, once per language, to take the
        latest, and once again to count them)."""
        items = self.items()
        if not isinstance(items, QuerySet) or not hasattr(self, "lastmod"):
            return super().get_latest_lastmod()
        found = items.aggregate(latest=Max("updated_at"), count=Count("pk"))
        self._count = found["count"]
        return found["latest"]

    @property
    def paginator(self):
        items = self.items()
        if (
            not isinstance(items, QuerySet)
            or type(self).get_languages_for_item is not Sitemap.get_languages_for_item
        ):
            return super().paginator
        return Paginator(
            _ItemsInEachLanguage(items, self._languages(), getattr(self, "_count", None)),
            self.limit,
        )


class StaticSitemap(I18nSitemap):
    def items(self):
        return ["home", "memorials:list", "memorials:map", "memorials:trails", "events:list"]

    def location(self, item):
        return reverse(item)
