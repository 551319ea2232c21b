from django.apps import AppConfig, apps


class ElbedayConfig(AppConfig):
    name = "elbeday"
    verbose_name = "Elbe Day"

    def ready(self):
        from .cache import connect_invalidation

        connect_invalidation(
            apps.get_model(label)
            for label in (
                "memorials.MemorialSite",
                "memorials.Photo",
                "memorials.SiteDate",
                "memorials.Source",
                "memorials.HistoryNote",
                "events.Series",
                "events.Ceremony",
                "events.ProgrammeItem",
                "events.SeatCategory",
                "elbeday.Page",
            )
        )
