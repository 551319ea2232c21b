from elbeday.sitemaps import I18nSitemap

from .models import Ceremony


class CeremonySitemap(I18nSitemap):
    def items(self):
        return Ceremony.objects.public().order_by("pk").only("slug", "updated_at")

    def lastmod(self, ceremony):
        return ceremony.updated_at
