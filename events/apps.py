from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Ceremonies")

    def ready(self):
        from elbeday.cache import connect_invalidation, connect_seat_invalidation

        from .models import Ceremony, ProgrammeItem, SeatCategory, Series

        # Every public page may show them: a change clears the page cache.
        connect_invalidation([Series, Ceremony, ProgrammeItem])
        # ...except seats taken or freed, which clear only the pages showing that
        # ceremony's seats; a name or capacity edited still clears them all.
        connect_seat_invalidation(SeatCategory, counters={"seats_taken"}, ceremony="ceremony_id")
