"""Where a request's time goes: requests of each kind profiled with cProfile, in this
process, through Django's test client against the benchmark's database (the full
middleware stack, no server). For each kind it writes the 25 functions with the most
cumulative time per request (and the 25 with the most time of their own) to
bench/results/profile-<kind>.txt.

`bench.run --profile` runs it after measuring each size. The benchmark's database stays
until the next run, so it can be run again on its own with that database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elbeday_bench DJANGO_DEBUG=false \\
        DJANGO_SECRET_KEY=profile DJANGO_ALLOWED_HOSTS=localhost .venv/bin/python -m bench.profile

Public pages are profiled twice: rendered afresh (the page cache off, in a second process
started with PAGE_CACHE_SECONDS=0) and served from the page cache of CACHE_URL. Times
under the profiler are longer than without it (every Python call is counted); the
shares are what to read.
"""

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

from bench.run import PAGES, PYTHON, RESULTS, ROOT, RUSH_SLUGS, STAFF_PAGES, STAFF_USER

TOP = 25
HOST = "localhost"


def _slug(name):
    return name.lower().replace(" ", "-")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--ceremony", help="the ceremony whose pages are profiled")
    parser.add_argument("--repeat", type=int, default=20, help="requests profiled per kind")
    parser.add_argument("--uncached", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elbeday.settings")
    if not args.uncached:
        # The pages rendered afresh, in a process of its own without a cache; first, so
        # that its lines come first.
        subprocess.run(
            [PYTHON, "-m", "bench.profile", "--uncached", "--repeat", str(args.repeat)]
            + (["--ceremony", args.ceremony] if args.ceremony else []),
            cwd=ROOT,
            env={**os.environ, "PAGE_CACHE_SECONDS": "0"},
            check=True,
        )
    import django

    django.setup()
    from django.conf import settings

    ceremony = args.ceremony or _upcoming_ceremony()
    if args.uncached:
        kinds = [
            (f"{_slug(name)}-uncached", Get(path.format(ceremony=ceremony)))
            for name, path in PAGES[1:]
        ]
    else:
        staff = _staff_client()
        kinds = [
            ("health-check", Get("/health/")),
            *(
                (f"{_slug(name)}-cached", Get(path.format(ceremony=ceremony)))
                for name, path in PAGES[1:]
            ),
            ("registration-post", Register(RUSH_SLUGS[1])),
            *(
                (_slug(name), Get(path.format(ceremony=ceremony), staff))
                for name, path in STAFF_PAGES
            ),
        ]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    RESULTS.mkdir(parents=True, exist_ok=True)
    for kind, request in kinds:
        path = RESULTS / f"profile-{kind}.txt"
        path.write_text(_profile(kind, request, args.repeat, cache))
        print(f"wrote {path.relative_to(ROOT)}", flush=True)


def _client(**options):
    from django.test import Client

    return Client(HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip, deflate, br", **options)


def _upcoming_ceremony():
    """The first upcoming generated ceremony (bench.run finds it on the ceremony list)."""
    from django.utils import timezone

    from events.models import Ceremony

    ceremony = (
        Ceremony.objects.filter(slug__startswith="ceremony-", start__gt=timezone.now())
        .order_by("start", "pk")
        .first()
    )
    if ceremony is None:
        sys.exit("No generated ceremony: run bench.run first, and point DATABASE_URL at it.")
    return ceremony.slug


def _staff_client():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=STAFF_USER).first()
    if user is None:
        sys.exit(f"No user {STAFF_USER}: bench.run makes one (--seed-staff).")
    client = _client()
    client.force_login(user)
    return client


class Get:
    """A GET of `path`, by `client` (a staff member's) or anonymous."""

    def __init__(self, path, client=None):
        self.path = path
        self.client = client or _client()
        signed_in = " (signed in as an organiser)" if client else ""
        self.description = f"GET {path}{signed_in}"

    def prepare(self):
        pass

    def send(self):
        response = self.client.get(self.path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {self.path}: {response.status_code}")
        # Streamed answers (exports) are made while they are read.
        return b"".join(response) if response.streaming else response.content


class Register:
    """A registration POST, confirmed (the ceremony has seats to spare), with the CSRF
    check on as in production; each one for another person. `prepare` gets the form."""

    def __init__(self, slug):
        self.path = f"/en/ceremonies/{slug}/register/"
        self.description = f"POST {self.path} (confirmed, answered with a redirect)"

    def prepare(self):
        self.client = _client(enforce_csrf_checks=True)
        html = self.client.get(self.path, HTTP_ACCEPT_ENCODING="identity").content.decode()
        self.data = registration_form(html, "profile")

    def send(self):
        # Encoded as a browser sends a form without files (the test client's own default,
        # multipart, costs the parser several times more).
        response = self.client.post(
            self.path,
            urllib.parse.urlencode(self.data),
            content_type="application/x-www-form-urlencoded",
            HTTP_REFERER=f"http://{HOST}{self.path}",
        )
        if response.status_code != 302:
            raise RuntimeError(f"POST {self.path}: {response.status_code}")
        return response


def registration_form(html, who):
    """What a browser sends from the registration form in `html`: the first category,
    one person, another address and another submission key each time."""
    return {
        "csrfmiddlewaretoken": _field(html, "csrfmiddlewaretoken", r"[^\"]+"),
        "name": f"{who.capitalize()} guest",
        "email": f"{who}-{uuid.uuid4().hex}@example.org",
        "category": _field(html, "category", r"\d+"),
        "party_size": "1",
        "language": "en",
        "consent_privacy": "on",
        "submission_key": str(uuid.uuid4()),
    }


def _field(html, name, value):
    return re.search(rf'name="{name}" value="({value})"', html).group(1)


def _profile(kind, request, repeat, cache):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _warm_up in range(2):  # templates, connections, caches
        request.prepare()
        request.send()
    request.prepare()
    with CaptureQueriesContext(connection) as queries:
        request.send()
    statements = len(queries.captured_queries)
    sql = sum(len(query["sql"]) for query in queries.captured_queries)
    profiler = cProfile.Profile()
    elapsed = 0.0
    for _number in range(repeat):
        request.prepare()
        started = time.perf_counter()
        profiler.enable()
        request.send()
        profiler.disable()
        elapsed += time.perf_counter() - started
    stats = pstats.Stats(profiler).stats
    lines = [
        f"{kind}: {request.description}",
        f"{repeat} requests profiled, after 3 that were not (2 to warm up, 1 to count its "
        f"SQL); Django's test client in-process; cache: {cache}; cProfile",
        f"{1000 * elapsed / repeat:.2f} ms per request under the profiler; "
        f"{statements} SQL statements ({sql / 1024:.1f} KB of SQL) per request",
    ]
    for title, column in (("cumulative time", 3), ("own time", 2)):
        rows = sorted(stats.items(), key=lambda item: item[1][column], reverse=True)[:TOP]
        lines += [
            "",
            f"Top {TOP} functions by {title}, per request:",
            f"{'calls':>8}{'cum ms':>10}{'own ms':>10}  function",
        ]
        for (file, line, function), (_primitive, calls, own, cumulative, _callers) in rows:
            lines.append(
                f"{calls / repeat:>8.1f}{1000 * cumulative / repeat:>10.3f}"
                f"{1000 * own / repeat:>10.3f}  {_where(file, line, function)}"
            )
    return "\n".join(lines) + "\n"


def _where(file, line, function):
    if file == "~":  # a built-in
        return function
    path = Path(file)
    for prefix in (ROOT / ".venv", ROOT):
        if path.is_relative_to(prefix):
            path = path.relative_to(prefix)
            break
    text = str(path)
    if "site-packages/" in text:
        text = text.split("site-packages/", 1)[1]
    return f"{text}:{line} {function}"


if __name__ == "__main__":
    main()
