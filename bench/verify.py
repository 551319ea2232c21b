"""After the rush: what the database says, as JSON (run by bench/run.py)."""

import json

import django


def main():
    django.setup()
    from django.db.models import Count, F, Max, Min, Sum

    from bench.generate import RUSH_SLUG
    from events.models import SeatCategory
    from registrations.models import Registration

    rush = Registration.objects.filter(ceremony__slug=RUSH_SLUG)
    counts = dict(rush.values_list("status").annotate(n=Count("pk")))
    confirmed = rush.filter(status="confirmed").aggregate(
        seats=Sum("party_size"), first=Min("created_at"), last=Max("confirmed_at")
    )
    waiting = rush.filter(status="waiting").aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    category = SeatCategory.objects.get(ceremony__slug=RUSH_SLUG)
    over_quota = SeatCategory.objects.filter(seats_taken__gt=F("capacity")).count()
    confirmed_seats = confirmed["seats"] or 0

    def seconds(first, last):
        return (last - first).total_seconds() if first and last else 0.0

    print(
        json.dumps(
            {
                "confirmed": counts.get("confirmed", 0),
                "waiting": counts.get("waiting", 0),
                "capacity": category.capacity,
                "seats_taken": category.seats_taken,
                "confirmed_seats": confirmed_seats,
                "counter_matches": confirmed_seats == category.seats_taken,
                "categories_over_quota": over_quota,
                "confirmed_seconds": seconds(confirmed["first"], confirmed["last"]),
                "waiting_seconds": seconds(waiting["first"], waiting["last"]),
            }
        )
    )


if __name__ == "__main__":
    main()
