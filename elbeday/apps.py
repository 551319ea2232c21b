from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the project's site (see elbeday.admin_site)."""

    default = False
    default_site = "elbeday.admin_site.AdminSite"


class ElbedayConfig(AppConfig):
    default = True
    name = "elbeday"
    verbose_name = "Elbe Day"

    def ready(self):
        from .cache import connect_invalidation
        from .models import Page

        connect_invalidation([Page])
