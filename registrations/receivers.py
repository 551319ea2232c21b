"""How registrations answer changes made to ceremonies (`events.signals`): each receiver
hands over to the service that does the work, in the sender's transaction."""

from . import services
from .models import OutgoingEmail


def notify_registrants(sender, *, ceremony, notice, **kwargs) -> int:
    return services.ceremony_notify_change(ceremony=ceremony, kind=OutgoingEmail.Kind(notice))


def fill_seats(sender, *, category, now, **kwargs) -> list:
    return services.waiting_list_fill(category=category, now=now)
