from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class I18nSitemap(Sitemap):
    """Every page in each language, with its translations as alternates."""

    i18n = True
    alternates = True
    x_default = True
    # Items per sitemap page (each listed in every language); /sitemap.xml is the index.
    limit = 1000


class StaticSitemap(I18nSitemap):
    def items(self):
        return ["home", "memorials:list", "memorials:map", "events:list"]

    def location(self, item):
        return reverse(item)
