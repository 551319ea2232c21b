"""The catalogue as open data: GeoJSON (RFC 7946) and GPX 1.1, of published sites only.

Both are built from plain rows (`site_rows`), one query for any number of sites, with
only the columns the files show: the whole catalogue at 100,000 sites is read without a
model instance, photo or source. Names and towns are in the active language (the files'
addresses carry it, as the pages' do); links are absolute, at the configured address
(SITE_URL), since the files are read outside the site and cached for every visitor.
"""

import json
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from .models import MemorialSite

GEOJSON_TYPE = "application/geo+json"
GPX_TYPE = "application/gpx+xml"
# Rows are read from the database in chunks of this many: a server-side cursor on
# PostgreSQL, so the whole catalogue is never in memory as rows at once.
CHUNK = 2000
_FIELDS = ("name", "slug", "kind", "town", "status", "latitude", "longitude", "location_precision")
# Stands in for the slug when the site address is reversed once for all rows.
_SLUG = "-slug-"


def site_rows(sites):
    """The published, located sites of `sites` as dicts of the columns the files show,
    in the order of `sites`."""
    return (
        sites.filter(is_published=True, latitude__isnull=False)
        .values(*_FIELDS)
        .iterator(chunk_size=CHUNK)
    )


def _site_url():
    base = settings.SITE_URL.rstrip("/") + reverse("memorials:detail", kwargs={"slug": _SLUG})
    return lambda slug: base.replace(_SLUG, slug, 1)


def _labels():
    return dict(MemorialSite.Kind.choices), dict(MemorialSite.Status.choices)


def geojson(rows, *, extra=None):
    """A GeoJSON FeatureCollection of Point features, as bytes.

    Coordinates are [longitude, latitude], as RFC 7946 orders them. Each feature has the
    properties name, url, kind, town and status (the codes of kind and status, with their
    labels in the active language beside them), and whether the location is approximate.
    `extra(index, row)` may give more properties per feature (a trail's stop numbers)."""
    url = _site_url()
    kinds, statuses = _labels()
    approximate = {MemorialSite.Precision.STREET, MemorialSite.Precision.TOWN}
    features = []
    for index, row in enumerate(rows):
        properties = {
            "name": row["name"],
            "url": url(row["slug"]),
            "kind": row["kind"],
            "kind_label": str(kinds.get(row["kind"], row["kind"])),
            "town": row["town"],
            "status": row["status"],
            "status_label": str(statuses.get(row["status"], row["status"])),
            "approximate": row["location_precision"] in approximate,
        }
        if extra:
            properties.update(extra(index, row))
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(row["longitude"]), float(row["latitude"])],
                },
                "properties": properties,
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


def _link(href, text):
    return f"<link href={quoteattr(href)}><text>{escape(text)}</text></link>"


def _point(tag, row, url, kinds):
    """A <wpt> or <rtept>: its children in the order the GPX 1.1 schema requires."""
    return (
        f"<{tag} lat={quoteattr(str(row['latitude']))} lon={quoteattr(str(row['longitude']))}>"
        f"<name>{escape(row['name'])}</name>"
        f"<desc>{escape(row['town'])}</desc>"
        f"{_link(url(row['slug']), row['name'])}"
        f"<type>{escape(str(kinds.get(row['kind'], row['kind'])))}</type>"
        f"</{tag}>"
    )


def gpx(rows, *, name, link, route=False):
    """A GPX 1.1 document, as bytes: a waypoint per site, and with `route` also a route
    through them in the order given (a trail's stops)."""
    url = _site_url()
    kinds, _statuses = _labels()
    rows = list(rows) if route else rows
    absolute_link = settings.SITE_URL.rstrip("/") + link
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<gpx version="1.1" creator="Elbe Day" xmlns="http://www.topografix.com/GPX/1/1">',
        f"<metadata><name>{escape(name)}</name>{_link(absolute_link, name)}</metadata>",
    ]
    parts.extend(_point("wpt", row, url, kinds) for row in rows)
    if route:
        parts.append(f"<rte><name>{escape(name)}</name>{_link(absolute_link, name)}")
        parts.extend(_point("rtept", row, url, kinds) for row in rows)
        parts.append("</rte>")
    parts.append("</gpx>\n")
    return "".join(parts).encode()


def filename(slug):
    """The name a GPX download is saved under: the site's or trail's slug, with the
    language, since the names inside are in it."""
    return f"{slug}-{get_language()}.gpx"
