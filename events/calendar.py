"""iCalendar (.ics) files for ceremonies, for calendar apps and subscriptions."""

import datetime

from django.conf import settings
from icalendar import Calendar, Event

from .models import Ceremony


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def ceremonies_ics(ceremonies, *, name):
    calendar = Calendar()
    calendar.add("prodid", "-//Elbe Day//Ceremonies//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("method", "PUBLISH")
    for ceremony in ceremonies:
        calendar.add_component(_event(ceremony))
    return calendar.to_ical()


def _event(ceremony):
    event = Event()
    event.add("uid", f"ceremony-{ceremony.pk}@{settings.SITE_DOMAIN}")
    event.add("dtstamp", ceremony.updated_at)
    event.add("last-modified", ceremony.updated_at)
    if ceremony.dates_only:
        # All-day: DTEND is the day after the last day.
        event.add("dtstart", ceremony.start.astimezone(ceremony.tz).date())
        event.add("dtend", ceremony.end.astimezone(ceremony.tz).date() + datetime.timedelta(days=1))
    else:
        event.add("dtstart", ceremony.start)
        event.add("dtend", ceremony.end)
    event.add("summary", ceremony.title)
    event.add("description", ceremony.summary)
    location = ", ".join(part for part in (ceremony.venue_label, ceremony.venue_address) if part)
    if location:
        event.add("location", location)
    event.add("url", _absolute(ceremony.get_absolute_url()))
    status = {
        Ceremony.Status.CANCELLED: "CANCELLED",
        Ceremony.Status.POSTPONED: "TENTATIVE",
    }.get(ceremony.status, "CONFIRMED")
    event.add("status", status)
    return event


def ceremony_ics(ceremony):
    return ceremonies_ics([ceremony], name=ceremony.title)
