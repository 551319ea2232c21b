from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from events.models import Ceremony
from memorials.models import MemorialSite


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


class MemorialSitemap(I18nSitemap):
    def items(self):
        return MemorialSite.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, site):
        return site.updated_at


class CeremonySitemap(I18nSitemap):
    def items(self):
        return Ceremony.objects.public().order_by("pk").only("slug", "updated_at")

    def lastmod(self, ceremony):
        return ceremony.updated_at


SITEMAPS = {"pages": StaticSitemap, "memorials": MemorialSitemap, "ceremonies": CeremonySitemap}
