"""iCalendar (.ics) files for ceremonies, for calendar apps and subscriptions.

Times are written in the venue's time zone (`DTSTART;TZID=Europe/Berlin:...`) with its
VTIMEZONE, so a calendar shows the local time of the ceremony wherever the reader is,
and moves it correctly if the venue's rules change; the place carries its address and,
where the memorial site has them, its coordinates (`GEO`)."""

import datetime

from django.conf import settings
from icalendar import Calendar, Event

from .models import Ceremony


def _absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def venue_address(ceremony):
    """The venue's address in one line: the ceremony's own, else its memorial site's
    street and town."""
    if ceremony.venue_address:
        return ceremony.venue_address
    site = ceremony.venue_site
    if site is None:
        return ""
    return ", ".join(part for part in (site.address, site.town) if part)


def venue_coordinates(ceremony):
    """(latitude, longitude) of the venue's memorial site as floats, or None."""
    site = ceremony.venue_site
    if site is None or not site.has_location:
        return None
    return float(site.latitude), float(site.longitude)


def ceremonies_ics(ceremonies, *, name):
    calendar = Calendar()
    calendar.add("prodid", "-//Elbe Day//Ceremonies//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("method", "PUBLISH")
    ceremonies = list(ceremonies)
    for ceremony in ceremonies:
        calendar.add_component(_event(ceremony))
    if ceremonies:
        # One VTIMEZONE for each zone the events' TZIDs name, with the changes between
        # summer and winter time of the years around them (not of 1970-2038, icalendar's
        # default, which would weigh kilobytes and miss a ceremony after 2038).
        year = datetime.timedelta(days=366)
        calendar.add_missing_timezones(
            first_date=min(ceremony.start for ceremony in ceremonies).date() - year,
            last_date=max(ceremony.end for ceremony in ceremonies).date() + year,
        )
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
        event.add("dtstart", ceremony.start.astimezone(ceremony.tz))
        event.add("dtend", ceremony.end.astimezone(ceremony.tz))
    event.add("summary", ceremony.title)
    event.add("description", ceremony.summary)
    location = ", ".join(part for part in (ceremony.venue_label, venue_address(ceremony)) if part)
    if location:
        event.add("location", location)
    if coordinates := venue_coordinates(ceremony):
        event.add("geo", coordinates)
    event.add("url", _absolute(ceremony.get_absolute_url()))
    status = {
        Ceremony.Status.CANCELLED: "CANCELLED",
        Ceremony.Status.POSTPONED: "TENTATIVE",
    }.get(ceremony.status, "CONFIRMED")
    event.add("status", status)
    return event


def ceremony_ics(ceremony):
    return ceremonies_ics([ceremony], name=ceremony.title)
