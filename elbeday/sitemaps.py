from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse


class I18nSitemap(Sitemap):
    """Every page in each language, with its translations as alternates."""

    i18n = True
    alternates = True
    x_default = True
    # Items per sitemap page (each listed in every language); /sitemap.xml is the index.
    limit = 1000

    def get_latest_lastmod(self):
        """For the index: the newest `updated_at` of the items, asked of the database
        (Django's own reads every item, once per language, to take the latest)."""
        items = self.items()
        if not isinstance(items, QuerySet) or not hasattr(self, "lastmod"):
            return super().get_latest_lastmod()
        return items.aggregate(latest=Max("updated_at"))["latest"]


class StaticSitemap(I18nSitemap):
    def items(self):
        return ["home", "memorials:list", "memorials:map", "memorials:trails", "events:list"]

    def location(self, item):
        return reverse(item)
