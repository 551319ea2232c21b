"""Near me and search at scale: how many queries and how long each takes, at each number
of published sites.

    .venv/bin/python -m bench.catalogue --sites 300,100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elbeday .venv/bin/python -m bench.catalogue

It makes a database of its own: a SQLite file in bench/results/, or with DATABASE_URL a
fresh PostgreSQL database `<name>_catalogue` on that server. For each size it empties
the catalogue and writes that many published sites in bulk: scattered across Europe,
with clusters around Torgau, named "Generated site 123" and the like in English, German
and Russian, with words to search for in a few of them (nothing in them is history).
Then it sends each request in this process through Django's test client (the whole
middleware stack, debug off, no server), several times, and prints the sites found,
the queries of one request and the median and 95th percentile of the times. Near me: a
town typed in, a position from the browser at Torgau (where sites are dense) and one in
the Atlantic (where the boxes grow to 2,000 km). Search: a word in 1 % of the sites,
in each language, and a word in all of them (every site matches and is ranked).
"""

import argparse
import math
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

from bench.database import fresh_database_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TORGAU = (51.56, 13.01)
# What a searched word is found in: every site with n % RARE == 0.
RARE = 100
REQUESTS = [
    # (operation, method, path, data)
    ("near: town typed", "get", "/en/memorials/near/", {"place": "Generated town 7"}),
    (
        "near: position, Torgau",
        "post",
        "/en/memorials/near/",
        {"latitude": "51.56001", "longitude": "13.01002"},
    ),
    (
        "near: position, Atlantic",
        "post",
        "/en/memorials/near/",
        {"latitude": "45.0", "longitude": "-25.0"},
    ),
    ("search en: 1 % match", "get", "/en/memorials/search/", {"q": "meetings"}),
    ("search de: 1 % match", "get", "/de/memorials/search/", {"q": "Begegnungen"}),
    ("search ru: 1 % match", "get", "/ru/memorials/search/", {"q": "встречи"}),
    ("search en: all match", "get", "/en/memorials/search/", {"q": "generated"}),
    (
        "search en: all match, p. 50",
        "get",
        "/en/memorials/search/",
        {"q": "generated", "page": "50"},
    ),
]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", default="300,100000", help="numbers of sites, comma-separated")
    parser.add_argument("--repeat", type=int, default=15, help="requests timed per operation")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sites.split(",")]
    _configure()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})", flush=True)
    call_command("migrate", verbosity=0)
    rows = []
    # Static files by their plain names: nothing was collected for this run.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
        for size in sizes:
            started = time.perf_counter()
            _fill(size)
            print(f"{size:,} sites written in {time.perf_counter() - started:.0f} s", flush=True)
            rows += _measure(size, args.repeat)
    print()
    header = ("sites", "operation", "found", "queries", "median ms", "p95 ms")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))


def _configure():
    """Point Django at the benchmark's own database, with debug off, before it starts."""
    os.environ["DATABASE_URL"] = fresh_database_url("catalogue")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elbeday.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-catalogue-not-secret")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    # A cache of its own, so no page of another run is served (the pages measured are
    # not page-cached anyway).
    os.environ["CACHE_URL"] = "locmemcache://"


def _position(rng):
    """Seven sites in ten anywhere in Europe, two near Torgau, one in the town itself."""
    draw = rng.random()
    if draw < 0.1:
        spread = 0.03
    elif draw < 0.3:
        spread = 0.5
    else:
        return rng.uniform(36, 70), rng.uniform(-10, 40)
    latitude = max(-90, min(90, rng.gauss(TORGAU[0], spread)))
    longitude = rng.gauss(TORGAU[1], spread / math.cos(math.radians(TORGAU[0])))
    return latitude, longitude


def _fill(size):
    from django.db import connection, transaction

    from memorials.models import MemorialSite

    rng = random.Random(1945)
    kinds = MemorialSite.Kind.values
    with transaction.atomic():
        MemorialSite.objects.all().delete()
        batch = []
        for n in range(size):
            latitude, longitude = _position(rng)
            rare = n % RARE == 0
            batch.append(
                MemorialSite(
                    name_en=f"Generated site {n}",
                    name_de=f"Erzeugte Stätte {n}",
                    name_ru=f"Сгенерированное место {n}",
                    slug=f"generated-{n}",
                    kind=kinds[n % len(kinds)],
                    summary_en=f"Generated site {n} for the benchmark"
                    + (", where meetings are held." if rare else "."),
                    summary_de=f"Erzeugte Stätte {n} für den Benchmark"
                    + (", ein Ort der Begegnung." if rare else "."),
                    summary_ru=f"Сгенерированное место {n} для теста"
                    + (", место встречи." if rare else "."),
                    history_en=f"Generated text {n}. " * 40,
                    history_de=f"Erzeugter Text {n}. " * 40,
                    history_ru=f"Сгенерированный текст {n}. " * 40,
                    town_en=f"Generated town {n % 1000}",
                    town_de=f"Erzeugter Ort {n % 1000}",
                    town_ru=f"Сгенерированный город {n % 1000}",
                    country="DE",
                    latitude=round(latitude, 6),
                    longitude=round(longitude, 6),
                    location_precision="town",
                    is_published=True,
                )
            )
            if len(batch) == 2000:
                MemorialSite.objects.bulk_create(batch)
                batch = []
        MemorialSite.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        # Fresh statistics for the planner, and on PostgreSQL a visibility map, so that
        # index-only scans can be chosen as they would be on a database in use.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _measure(size, repeat):
    from django.db import connection
    from django.test import Client

    client = Client()
    rows = []
    for operation, method, path, data in REQUESTS:
        send = getattr(client, method)
        # Counted as they are sent: Django empties its own log of queries at the start of
        # every request.
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            response = send(path, data)
        if response.status_code != 200:
            sys.exit(f"{operation}: {path} answered {response.status_code}")
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            send(path, data)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
        rows.append(
            (
                f"{size:,}",
                operation,
                _found(response.content.decode()),
                queries.count,
                f"{statistics.median(times):.1f}",
                f"{p95:.1f}",
            )
        )
        print(f"  {operation}: {rows[-1][4]} ms", flush=True)
    return rows


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _found(html):
    """The sites the page found: the number in its status line (search, in any language,
    the quoted query left out), or its rows (near me)."""
    if status := re.search(r'<p role="status">([^<]*)', html):
        unquoted = re.sub(r"[«“„][^»”“]*[»”“]", "", status.group(1))
        if number := re.search(r"\d[\d,.\s\u00a0]*", unquoted):
            return re.sub(r"\D", "", number.group())
    return str(html.count("<tr>") - 1)


if __name__ == "__main__":
    main()
