"""What one confirmed registration POST costs the app: CPU milliseconds (user + system
time of this process, `time.process_time`) and SQL statements per POST.

    .venv/bin/python -m bench.post [--posts 300] [--party 1] [--profile]

It makes a database of its own (a SQLite file under bench/results/, or, when
DATABASE_URL names a PostgreSQL server, a fresh database `<name>_post` on it), migrates
it, creates one published ceremony open for registration with one seat category large
enough that every POST is confirmed, and sends the POSTs in this process through
Django's test client, with DEBUG off, the CSRF check on and the rate limits off, each
for another person, after a warm-up. Each POST goes through the whole middleware stack,
the form, the service, its SQL, its email queued and its cache work, and is answered
with the redirect to the booking page, which is not followed.

The test client costs a little of its own (building the request, copying the response,
its signals), which gunicorn does not; the figures are a little higher than a worker's.
The cache is the file cache a single machine uses (under bench/results/), or CACHE_URL.

`--profile` also profiles the POSTs with cProfile (by CPU time) and writes the top 30
functions by cumulative and by own time to bench/results/profile-post.txt.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

from bench.database import fresh_database_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "localhost"
SLUG = "bench-post"
TOP = 30


def _database_url():
    """A fresh database for this run: SQLite under bench/results/, or `<name>_post` on
    the PostgreSQL server of DATABASE_URL."""
    return fresh_database_url("post")


def _configure():
    # Static files are not served here; the folder only keeps WhiteNoise from warning.
    (RESULTS / "static").mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "elbeday.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": _database_url(),
            "REGISTRATION_RATE_PER_IP": "",
            "REGISTRATION_RATE_PER_EMAIL": "",
            "DJANGO_LOG_LEVEL": "WARNING",
            "STATIC_ROOT": str(RESULTS / "static"),
        }
    )
    os.environ.setdefault("CACHE_URL", f"filecache://{RESULTS / 'post-cache'}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _ceremony(capacity):
    """One published ceremony, open for registration, with one big seat category."""
    from django.utils import timezone

    from bench.generate import _rush_ceremony
    from events.models import Series

    series = Series.objects.create(name_en="Bench Day", slug="bench-day", commemorated_year=1945)
    ceremony = _rush_ceremony(series, None, capacity, timezone.now(), SLUG, max_party_size=5)
    return ceremony.categories.get()


class Poster:
    """Sends the registration form as a browser does: with the CSRF cookie and the token
    (the unmasked secret, which Django accepts as the form's token too)."""

    def __init__(self, category, party):
        from django.conf import settings
        from django.test import Client

        self.path = f"/en/ceremonies/{SLUG}/register/"
        self.client = Client(
            HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip, deflate, br", enforce_csrf_checks=True
        )
        self.token = secrets.token_hex(16)  # 32 characters: a CSRF secret
        self.client.cookies[settings.CSRF_COOKIE_NAME] = self.token
        self.category = category
        self.party = party
        self.number = 0

    def data(self):
        self.number += 1
        guests = [f"Guest {self.number}-{n}" for n in range(1, self.party)]
        return {
            "csrfmiddlewaretoken": self.token,
            "name": f"Bench guest {self.number}",
            "email": f"post-{self.number}-{uuid.uuid4().hex[:8]}@example.org",
            "phone": "+49 3421 123456",
            "country": "DE",
            "language": "en",
            "category": str(self.category.pk),
            "party_size": str(self.party),
            "guest_names": "\n".join(guests),
            "carers": "0",
            "consent_privacy": "on",
            "submission_key": str(uuid.uuid4()),
        }

    def send(self, data):
        # Encoded as a browser sends a form without files (the test client's default
        # would be multipart, which costs more to read).
        response = self.client.post(
            self.path,
            urllib.parse.urlencode(data),
            content_type="application/x-www-form-urlencoded",
            HTTP_REFERER=f"https://{HOST}{self.path}",
        )
        if response.status_code != 302:
            raise RuntimeError(f"POST {self.path}: {response.status_code}")
        return response


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=300, help="POSTs measured")
    parser.add_argument("--warm-up", type=int, default=30, help="POSTs sent before measuring")
    parser.add_argument("--party", type=int, default=1, help="people per registration (1-5)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds; the best counts")
    parser.add_argument("--profile", action="store_true", help="write profile-post.txt")
    args = parser.parse_args()
    _configure()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    total = args.warm_up + args.rounds * args.posts + (args.posts if args.profile else 0) + 1
    category = _ceremony(capacity=total * args.party)
    poster = Poster(category, args.party)
    for _number in range(args.warm_up):
        poster.send(poster.data())
    with CaptureQueriesContext(connection) as queries:
        poster.send(poster.data())
    statements = [query["sql"] for query in queries.captured_queries]
    rounds = []
    for _round in range(args.rounds):
        data = [poster.data() for _number in range(args.posts)]
        started = time.process_time()
        for item in data:
            poster.send(item)
        rounds.append(1000 * (time.process_time() - started) / args.posts)
    database = connection.vendor
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(
        f"{database}, {cache}, party of {args.party}: "
        f"{min(rounds):.2f} ms CPU per POST (best of {args.rounds} rounds of {args.posts}; "
        f"median {statistics.median(rounds):.2f}), {len(statements)} SQL statements per POST"
    )
    for sql in statements:
        print(f"  {sql[:150]}")
    if args.profile:
        _profile(poster, args.posts, database, cache)


def _profile(poster, posts, database, cache):
    data = [poster.data() for _number in range(posts)]
    # Timed by CPU time, as the figures above: waiting on the database is not counted.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for item in data:
        poster.send(item)
    profiler.disable()
    out = io.StringIO()
    out.write(
        f"{posts} confirmed registration POSTs, party of {poster.party}, under cProfile "
        f"(CPU time, its overhead included); {database}, {cache}; Django's test client\n"
    )
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(TOP)
    stats.sort_stats("tottime").print_stats(TOP)
    path = RESULTS / "profile-post.txt"
    path.write_text(out.getvalue().replace(str(ROOT) + "/", ""))
    print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
