"""The gate on a phone that may lose the network: its own credential, the day's guest list
to take offline, and the check-ins it sends back, each recorded once.

A phone signs in (`gate_device_create`) and gets a secret token, of which only the hash
is kept. With it, the phone downloads what the gate needs to answer a scan by itself
(`offline_list`: names, parties, categories, needs, booking codes and a hash of each
ticket; no email addresses or phone numbers) and sends the check-ins made meanwhile
(`offline_sync`), each with an id of its own.
"""

import datetime
import hashlib
import secrets
from importlib import import_module

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Ceremony, SeatCategory

from . import services
from .models import CheckIn, GateDevice, Registration

PERMISSION = "registrations.checkin_registration"
# A phone polls every few seconds; its "last synced" time need not be written as often.
LAST_SEEN_EVERY = datetime.timedelta(seconds=60)
# Changes are asked for from a little before the last answer, so that a change saved
# just before that answer but committed just after it is not missed. Entries that come
# twice are harmless: the phone replaces them.
CURSOR_OVERLAP = datetime.timedelta(seconds=10)
MAX_SYNC = 500


class GateError(Exception):
    def __init__(self, message, *, code):
        super().__init__(str(message))
        self.message = message
        self.code = code


def todays_ceremonies(now=None):
    """Ceremonies taking place today in their own time zone (not cancelled)."""
    now = now or timezone.now()
    near = (
        Ceremony.objects.public()
        .not_cancelled()
        .filter(
            start__lte=now + datetime.timedelta(days=1), end__gte=now - datetime.timedelta(days=1)
        )
    )
    return [
        ceremony
        for ceremony in near.order_by("start")
        if ceremony.start.astimezone(ceremony.tz).date()
        <= now.astimezone(ceremony.tz).date()
        <= ceremony.end.astimezone(ceremony.tz).date()
    ]


def arrival_counts(ceremonies):
    """{ceremony id: (people checked in, people expected)} in one query."""
    rows = (
        Registration.objects.confirmed()
        .filter(ceremony__in=ceremonies)
        .values("ceremony")
        .annotate(expected=Sum("party_size"), arrived=Sum("checked_in"))
    )
    found = {row["ceremony"]: (row["arrived"] or 0, row["expected"] or 0) for row in rows}
    return {ceremony.pk: found.get(ceremony.pk, (0, 0)) for ceremony in ceremonies}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ticket_hash(registration: Registration) -> str:
    """What the offline list holds to recognise a scanned ticket: the first 128 bits of
    the SHA-256 of the token in its QR code. The list does not carry the tokens
    themselves, so a copy of it cannot make tickets."""
    return _hash(registration.ticket_token)[:32]


def _end_of_day(ceremony, now):
    local = now.astimezone(ceremony.tz)
    midnight = datetime.datetime.combine(
        local.date() + datetime.timedelta(days=1), datetime.time(), tzinfo=ceremony.tz
    )
    return max(midnight, ceremony.end)


def gate_device_create(*, user, label="", session_key="", now=None):
    """Sign a phone in at the gate for today's ceremonies; returns (device, token). The
    token is shown once: only its hash is kept."""
    now = now or timezone.now()
    ceremonies = todays_ceremonies(now)
    if not ceremonies:
        raise GateError(_("No ceremony takes place today."), code="no_ceremony")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = GateDevice.objects.create(
            label=label.strip(),
            user=user,
            token_hash=_hash(token),
            session_key=session_key or "",
            created_at=now,
            expires_at=max(_end_of_day(ceremony, now) for ceremony in ceremonies),
        )
        device.ceremonies.set(ceremonies)
    return device, token


def gate_device_authenticate(token: str, now=None):
    """The phone this token belongs to, if it may still be used: not revoked, not
    expired, and its volunteer still active and allowed to check in. Else None."""
    if not token:
        return None
    now = now or timezone.now()
    device = GateDevice.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if device is None or not device.is_usable(now):
        return None
    if not (device.user.is_active and device.user.has_perm(PERMISSION)):
        return None
    if device.last_seen_at is None or now - device.last_seen_at >= LAST_SEEN_EVERY:
        GateDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device


def _sign_out_session(session_key):
    if session_key:
        engine = import_module(settings.SESSION_ENGINE)
        engine.SessionStore(session_key=session_key).delete()


def gate_device_revoke(*, device: GateDevice, by=None, now=None) -> bool:
    """Take a phone's credential away (a lost phone) and sign its browser out. Returns
    False if it was already revoked."""
    now = now or timezone.now()
    updated = GateDevice.objects.filter(pk=device.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    )
    if updated:
        _sign_out_session(device.session_key)
    return bool(updated)


def gate_devices_signed_out(*, session_key: str, now=None) -> int:
    """The phones signed in with this browser session, when it signs out."""
    if not session_key:
        return 0
    return GateDevice.objects.filter(session_key=session_key, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def _assistance(registration):
    parts = []
    if registration.carers:
        parts.append(
            ngettext(
                "%(count)s carer or escort", "%(count)s carers or escorts", registration.carers
            )
            % {"count": registration.carers}
        )
    if registration.interpreter_language:
        parts.append(
            _("Interpreter: %(language)s") % {"language": registration.interpreter_language}
        )
    if registration.needs_transport:
        parts.append(_("Transport from the pick-up point"))
    return "; ".join(parts)


def _entry(registration, now, ceremonies, categories):
    # The few ceremonies and categories are fetched once, not joined to every row.
    registration.ceremony = ceremonies[registration.ceremony_id]
    registration.category = categories[registration.category_id]
    problem = services.checkin_problem(registration, now)
    return {
        "id": registration.pk,
        "ticket": ticket_hash(registration),
        "code": registration.booking_code,
        "code_display": registration.booking_code_display,
        "name": registration.name,
        "party": registration.party_size,
        "in": registration.checked_in,
        "category": registration.category.name,
        "ceremony": registration.ceremony_id,
        "refuse": str(problem.message) if problem else None,
        "needs": registration.needs,
        "needs_note": registration.needs_note,
        "assistance": _assistance(registration),
        "guests": registration.guest_names,
    }


def gate_counts(ceremonies, device=None):
    """People let in, in total, per phone and per volunteer (three queries)."""
    arrivals = arrival_counts(ceremonies)
    checkins = CheckIn.objects.filter(registration__ceremony__in=ceremonies).order_by()
    devices = [
        {
            "id": row["device"],
            "label": row["device__label"]
            or (
                _("Phone %(number)s") % {"number": row["device"]}
                if row["device"]
                else _("Gate page online")
            ),
            "people": row["people"],
            "this": device is not None and row["device"] == device.pk,
        }
        for row in checkins.values("device", "device__label")
        .annotate(people=Sum("people"))
        .order_by("device__label", "device")
    ]
    volunteers = [
        {"name": row["by__username"] or _("unknown"), "people": row["people"]}
        for row in checkins.values("by__username")
        .annotate(people=Sum("people"))
        .order_by("by__username")
    ]
    return {
        "total": {
            "arrived": sum(arrived for arrived, _expected in arrivals.values()),
            "expected": sum(expected for _arrived, expected in arrivals.values()),
        },
        "devices": devices,
        "volunteers": volunteers,
    }, arrivals


def offline_list(*, device: GateDevice, since=None, now=None) -> dict:
    """What the phone keeps to answer scans without the network, or (`since` a time)
    only what changed after it: check-ins from other phones, cancellations, late
    registrations."""
    now = now or timezone.now()
    ceremonies = list(device.ceremonies.order_by("start"))
    registrations = (
        Registration.objects.not_anonymised().filter(ceremony__in=ceremonies).order_by("pk")
    )
    categories = SeatCategory.objects.filter(ceremony__in=ceremonies).in_bulk()
    by_id = {ceremony.pk: ceremony for ceremony in ceremonies}
    if since is not None:
        registrations = registrations.filter(updated_at__gte=since)
    counts, arrivals = gate_counts(ceremonies, device)
    return {
        "generated": now.isoformat(),
        "cursor": (now - CURSOR_OVERLAP).isoformat(),
        "full": since is None,
        "expires": device.expires_at.isoformat(),
        "device": {"id": device.pk, "label": str(device)},
        "ceremonies": [
            {
                "id": ceremony.pk,
                "title": ceremony.title,
                "start": ceremony.start.isoformat(),
                "time": timezone.localtime(ceremony.start, ceremony.tz).strftime("%H:%M"),
                "arrived": arrivals[ceremony.pk][0],
                "expected": arrivals[ceremony.pk][1],
            }
            for ceremony in ceremonies
        ],
        "entries": [_entry(registration, now, by_id, categories) for registration in registrations],
        "counts": counts,
    }


def refused_result(item_id, message):
    """The answer for a check-in that was not recorded and never will be."""
    return _result(item_id, refused=message)


def _result(item_id, checkin=None, *, refused=None, registration=None):
    if refused is not None:
        result, message = "refused", str(refused)
    elif checkin.conflict:
        result = "conflict"
        message = _("Recorded and flagged for the organisers: %(conflict)s.") % {
            "conflict": checkin.get_conflict_display()
        }
    else:
        result, message = "recorded", ""
    registration = registration or (checkin.registration if checkin else None)
    return {
        "id": str(item_id),
        "result": result,
        "message": message,
        "registration": registration.pk if registration else None,
        "in": registration.checked_in if registration else None,
        "party": registration.party_size if registration else None,
    }


def offline_sync(*, device: GateDevice, items, now=None) -> list:
    """Record check-ins a phone sends: `items` are dicts with `id` (the phone's UUID),
    `registration`, `people`, `at` and `offline` (already cleaned). Each is recorded at
    most once however often it comes; one that was made with the network up (`offline`
    false) is refused like one at the gate page; one made offline is recorded, flagged
    if the ticket did not cover it. Returns one result per item, in order."""
    now = now or timezone.now()
    allowed = set(device.ceremonies.values_list("pk", flat=True))
    wanted = {item["registration"] for item in items}
    registrations = Registration.objects.not_anonymised().in_bulk(wanted)
    # Those already recorded (a queue sent again), in one query rather than one per item.
    recorded = {
        checkin.client_id: checkin
        for checkin in CheckIn.objects.select_related("registration").filter(
            client_id__in=[item["id"] for item in items]
        )
    }
    results = []
    for item in items:
        if checkin := recorded.get(item["id"]):
            results.append(_result(item["id"], checkin))
            continue
        registration = registrations.get(item["registration"])
        if registration is None or registration.ceremony_id not in allowed:
            results.append(
                _result(
                    item["id"],
                    refused=_("This ticket is not for a ceremony of this gate today."),
                )
            )
            continue
        try:
            checkin = services.checkin_record(
                registration=registration,
                people=item["people"],
                by=device.user,
                now=now,
                device=device,
                client_id=item["id"],
                offline=item["offline"],
                at=item["at"],
            )
        except IntegrityError:
            # The same id sent for another ticket: the first one stands.
            checkin = CheckIn.objects.select_related("registration").get(client_id=item["id"])
            results.append(_result(item["id"], checkin))
        except services.CheckInRefused as refusal:
            registration.refresh_from_db(fields=["checked_in", "status"])
            results.append(_result(item["id"], refused=refusal.message, registration=registration))
        else:
            results.append(_result(item["id"], checkin))
    return results


def conflicts(ceremonies):
    """Check-ins flagged at the gate for these ceremonies, each with every check-in of its
    registration (which phones, who, when), in a fixed number of queries."""
    flagged_registrations = (
        Registration.objects.filter(ceremony__in=ceremonies)
        .annotate(flags=Count("checkins", filter=~Q(checkins__conflict="")))
        .filter(flags__gt=0)
        .select_related("ceremony", "category")
        .prefetch_related("checkins__device", "checkins__by")
        .order_by("ceremony__start", "name", "pk")
    )
    return list(flagged_registrations)
