"""How registrations answer changes made to ceremonies (`events.signals`): each receiver
hands over to the service that does the work, in the sender's transaction."""

from . import gate, services
from .models import OutgoingEmail


def notify_registrants(sender, *, ceremony, notice, **kwargs) -> int:
    return services.ceremony_notify_change(ceremony=ceremony, kind=OutgoingEmail.Kind(notice))


def fill_seats(sender, *, category, now, **kwargs) -> list:
    return services.waiting_list_fill(category=category, now=now)


def revoke_gate_devices(sender, *, request, **kwargs) -> int:
    """Signing out, by any door, takes back the credentials of the phones signed in with
    that session (their lists are wiped by the sign-out answer, see elbeday.views)."""
    return gate.gate_devices_signed_out(session_key=request.session.session_key or "")
