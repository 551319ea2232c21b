from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Ceremonies")

    def ready(self):
        from elbeday.cache import connect_invalidation

        from .models import Ceremony, ProgrammeItem, SeatCategory, Series

        # Every public page may show them: a change clears the page cache.
        connect_invalidation([Series, Ceremony, ProgrammeItem, SeatCategory])
