from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemorialsConfig(AppConfig):
    name = "memorials"
    verbose_name = _("Memorial sites")

    def ready(self):
        from elbeday.cache import connect_invalidation

        from .models import (
            HistoryNote,
            MemorialSite,
            Photo,
            Series,
            SiteDate,
            Source,
            Trail,
            TrailStop,
        )

        # Every public page may show them: a change clears the page cache.
        connect_invalidation([MemorialSite, Photo, SiteDate, Source, HistoryNote])
        connect_invalidation([Series, Trail, TrailStop])
        # SQLite's search index, made again after any migration that dropped its
        # triggers (see memorials.search).
        from django.db.models.signals import post_migrate

        from .search import sqlite_search_index_ensure

        post_migrate.connect(sqlite_search_index_ensure, sender=self)
