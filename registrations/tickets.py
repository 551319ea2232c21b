"""What a registrant takes along: the QR code on the ticket, which holds the absolute
check-in URL with a signed, unguessable token (never the database id), so a phone camera
opens the gate page; and the ceremony for their calendar, in their language.

The check-in URL has no language in it (/checkin/<token>/): the gate page opens in the
volunteer's language, not in the one the guest booked in. Tickets printed before, with
/<lang>/checkin/<token>/, still open the gate page in that language."""

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from events.calendar import ceremony_ics


def checkin_url(registration):
    path = reverse("checkin_scanned", kwargs={"token": registration.ticket_token})
    return settings.SITE_URL.rstrip("/") + path


def qr_svg(registration):
    qr = segno.make(checkin_url(registration), error="m")
    return qr.svg_inline(scale=4, svgclass="ticket-qr", lineclass=None, border=2, omitsize=True)


def qr_png(registration):
    out = io.BytesIO()
    segno.make(checkin_url(registration), error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def registration_ics(registration):
    with translation.override(registration.language):
        return ceremony_ics(registration.ceremony)
