from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemorialsConfig(AppConfig):
    name = "memorials"
    verbose_name = _("Memorial sites")

    def ready(self):
        from elbeday.cache import connect_invalidation

        from .models import HistoryNote, MemorialSite, Photo, SiteDate, Source

        # Every public page may show them: a change clears the page cache.
        connect_invalidation([MemorialSite, Photo, SiteDate, Source, HistoryNote])
