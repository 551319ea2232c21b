from elbeday.sitemaps import I18nSitemap

from .models import MemorialSite


class MemorialSitemap(I18nSitemap):
    def items(self):
        return MemorialSite.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, site):
        return site.updated_at
