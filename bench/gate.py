"""The offline gate's downloads, at the size of a large ceremony, on a fresh database of its
own (PostgreSQL when DATABASE_URL points there, SQLite otherwise).

A ceremony today with `--parties` confirmed parties (1 to 3 people, some with needs and
guests' names), one phone signed in. Through Django's test client (the whole middleware
stack, gzip included), it measures:

1. the full guest list a phone downloads: bytes as sent (gzip) and uncompressed, the
   queries, and the server's time to build it (median of `--repeat`);
2. the changes-only answer a phone polls every few seconds, with 20 parties let in
   elsewhere since the last one;
3. sending the whole ceremony's check-ins from the phone's queue, 500 per request, and
   sending the same queue again (nothing is recorded twice).

    .venv/bin/python -m bench.gate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elbeday .venv/bin/python -m bench.gate

Results: a summary on screen, JSON in bench/results/gate.json.
"""

import argparse
import datetime
import json
import os
import statistics
import time
import uuid

from bench.run import RESULTS, _bench_database_url, _database_kind, _environment


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--parties", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    database = _database_kind()
    os.environ.update(_environment(_bench_database_url(database, "gate")))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elbeday.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = {"database": database, "parties": args.parties, **measure(args)}
    (RESULTS / "gate.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


def _median_ms(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), value


def measure(args):
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.generate import _code
    from events.models import Ceremony, SeatCategory, Series
    from registrations import gate, services
    from registrations.models import CheckIn, Registration

    now = timezone.now()
    series = Series.objects.create(name_en="Gate", slug="gate", commemorated_year=1945)
    ceremony = Ceremony.objects.create(
        series=series,
        title_en="Wreath-laying at the monument",
        slug="gate-today",
        summary_en="The ceremony at the gate.",
        start=now - datetime.timedelta(hours=1),
        end=now + datetime.timedelta(hours=2),
        status="published",
    )
    category = SeatCategory.objects.create(
        ceremony=ceremony, name_en="Public", capacity=args.parties * 3, max_party_size=3
    )
    parties = [
        Registration(
            ceremony=ceremony,
            category=category,
            status="confirmed",
            name=f"Guest number {number} Schmidt",
            email=f"guest{number}@example.org",
            party_size=1 + number % 3,
            guest_names="Anna Schmidt\nKarl Schmidt" if number % 3 == 2 else "",
            needs_wheelchair_space=number % 17 == 0,
            needs_hearing_loop=number % 23 == 0,
            carers=1 if number % 29 == 0 else 0,
            consent_privacy_at=now,
            booking_code=_code(number),
        )
        for number in range(args.parties)
    ]
    Registration.objects.bulk_create(parties)
    # Registered well before the day: a poll for changes finds only today's.
    Registration.objects.update(updated_at=now - datetime.timedelta(days=1))
    SeatCategory.objects.filter(pk=category.pk).update(
        seats_taken=sum(party.party_size for party in parties)
    )
    volunteer = User.objects.create_user("gate-volunteer")
    volunteer.groups.add(Group.objects.get(name="Check-in volunteers"))
    device, token = gate.gate_device_create(user=volunteer, label="North gate")
    client = Client(
        HTTP_HOST="127.0.0.1",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_ENCODING="gzip",
    )
    url = "/en/checkin/offline/list.json"

    def download(**query):
        return client.get(url, query)

    list_ms, response = _median_ms(download, args.repeat)
    full = json.loads(_content(response))
    with CaptureQueriesContext(connection) as queries:
        download()
    result = {
        "list": {
            "entries": len(full["entries"]),
            "bytes_gzip": len(response.content),
            "bytes": len(_content(response)),
            "build_ms_median": list_ms,
            "queries": len(queries),
        }
    }

    elsewhere = list(Registration.objects.order_by("pk")[:20])
    for registration in elsewhere:
        services.checkin_record(registration=registration, people=registration.party_size)
    changes_ms, response = _median_ms(lambda: download(since=full["cursor"]), args.repeat)
    result["changes"] = {
        "entries": len(json.loads(_content(response))["entries"]),
        "bytes_gzip": len(response.content),
        "build_ms_median": changes_ms,
    }

    at = timezone.now().isoformat()
    queue = [
        {
            "id": str(uuid.uuid4()),
            "registration": entry["id"],
            "people": entry["party"],
            "at": at,
            "offline": True,
        }
        for entry in full["entries"]
    ]
    sent = {}
    for label in ("first", "again"):
        started = time.perf_counter()
        for start in range(0, len(queue), gate.MAX_SYNC):
            answer = client.post(
                "/en/checkin/offline/sync.json",
                json.dumps({"checkins": queue[start : start + gate.MAX_SYNC]}),
                content_type="application/json",
            )
            assert answer.status_code == 200, answer.status_code
        elapsed = (time.perf_counter() - started) * 1000
        sent[label] = {
            "ms": round(elapsed),
            "ms_per_checkin": round(elapsed / len(queue), 2),
            "checkins_recorded": CheckIn.objects.filter(device=device).count(),
        }
    conflicts = CheckIn.objects.exclude(conflict="").count()
    result["sync"] = {**sent, "conflicts": conflicts}
    return result


def _content(response):
    import gzip

    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content)
    return response.content


if __name__ == "__main__":
    main()
