from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """Organisers' and volunteers' pages; the models they show belong to other apps."""

    name = "staff"
    verbose_name = _("Organisers and the gate")
