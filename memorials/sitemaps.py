from elbeday.sitemaps import I18nSitemap

from .models import MemorialSite, Series, Trail


class MemorialSitemap(I18nSitemap):
    def items(self):
        return MemorialSite.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, site):
        return site.updated_at


class TrailSitemap(I18nSitemap):
    def items(self):
        return Trail.objects.published().order_by("pk").only("slug")


class SeriesSitemap(I18nSitemap):
    def items(self):
        # A series page lists its published sites: one without any is not worth a visit.
        return (
            Series.objects.filter(sites__is_published=True).distinct().order_by("pk").only("slug")
        )
