from django.apps import AppConfig


class ElbedayConfig(AppConfig):
    name = "elbeday"
    verbose_name = "Elbe Day"

    def ready(self):
        from .cache import connect_invalidation
        from .models import Page

        connect_invalidation([Page])
