"""What a registrant takes along: the QR code on the ticket, which holds the absolute
check-in URL with a signed, unguessable token (never the database id), so a phone camera
opens the gate page; and the ceremony for their calendar, in their language."""

import io

import segno
from django.conf import settings
from django.utils import translation

from events.calendar import ceremony_ics


def checkin_url(registration):
    with translation.override(registration.language):
        return settings.SITE_URL.rstrip("/") + registration.get_checkin_url()


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
