import functools
import math

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.urls import reverse

from .cache import until_content_edit


def with_request(view):
    """Django's sitemap view `view` (the index or a sitemap's page), making each sitemap
    of SITEMAPS with the request: what the sitemaps keep is then read under the content
    version read once for the request, not once per sitemap."""

    @functools.wraps(view)
    def wrapped(request, sitemaps, **kwargs):
        made = {
            section: functools.partial(sitemap, request=request)
            for section, sitemap in sitemaps.items()
        }
        return view(request, made, **kwargs)

    return wrapped


class _ItemsInEachLanguage:
    """A sitemap's (item, language) pairs, as Django's i18n sitemap lists them, but read
    from the database a page at a time: the index needs only how many there are, and a
    sitemap page only its own items (Django's `Sitemap._items` reads every item).
    `make_items()` gives the items' queryset, made only for a page of them."""

    def __init__(self, make_items, languages, count):
        self.make_items = make_items
        self.languages = languages
        self._count = count  # of the items

    def count(self):
        return self._count * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, pairs):
        if not isinstance(pairs, slice) or pairs.step is not None:
            raise TypeError("Only a slice of a sitemap's items can be read.")
        start, stop, _step = pairs.indices(len(self))
        each = len(self.languages)
        first = start // each
        items = self.make_items()[first : math.ceil(stop / each)] if stop > start else []
        both = [(item, language) for item in items for language in self.languages]
        return both[start - first * each : stop - first * each]


class I18nSitemap(Sitemap):
    """Every page in each language, with its translations as alternates."""

    i18n = True
    alternates = True
    x_default = True
    # Items per sitemap page (each listed in every language); /sitemap.xml is the index.
    limit = 1000
    # Whether `items()` gives a queryset, whose totals are then kept (see _totals); False
    # for a sitemap that lists something else.
    lists_a_queryset = True

    def __init__(self, request=None):
        # Made for one request (see with_request): SITEMAPS (elbeday.urls) holds the
        # classes, and Django's views make one from each.
        self.request = request

    @property
    def _keeps_totals(self):
        """Whether the items' count and newest change are kept (see _totals): for a
        queryset, unless the sitemap says itself in which languages each item is."""
        return (
            self.lists_a_queryset
            and type(self).get_languages_for_item is Sitemap.get_languages_for_item
        )

    # The two below are worked out once per instance, and so once per request.

    @functools.cached_property
    def _queryset(self):
        items = self.items()
        if not isinstance(items, QuerySet):
            raise TypeError(
                f"{type(self).__name__}.items() gives no queryset: set lists_a_queryset = False"
            )
        return items

    @functools.cached_property
    def _totals(self):
        """(number of items, newest `updated_at` or None), asked of the database in one
        query and kept until the next content edit: the index rendered again asks
        nothing (what a sitemap lists changes only with an edit)."""

        def read():
            if not hasattr(self, "lastmod"):
                return self._queryset.count(), None
            found = self._queryset.aggregate(latest=Max("updated_at"), count=Count("pk"))
            return found["count"], found["latest"]

        section = f"{type(self).__module__}.{type(self).__qualname__}"
        return until_content_edit(self.request, "sitemap-totals", read, section)

    def get_latest_lastmod(self):
        """For the index: the newest `updated_at` of the items (Django's own reads every
        item, once per language, to take the latest, and once again to count them)."""
        if not (self._keeps_totals and hasattr(self, "lastmod")):
            return super().get_latest_lastmod()
        return self._totals[1]

    @property
    def paginator(self):
        if not self._keeps_totals:
            return super().paginator
        items = _ItemsInEachLanguage(lambda: self._queryset, self._languages(), self._totals[0])
        return Paginator(items, self.limit)


class StaticSitemap(I18nSitemap):
    lists_a_queryset = False

    def items(self):
        return ["home", "memorials:list", "memorials:map", "memorials:trails", "events:list"]

    def location(self, item):
        return reverse(item)
