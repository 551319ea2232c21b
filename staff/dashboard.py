"""The numbers on the organisers' dashboard, in a fixed number of queries however many
registrations there are."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from events.models import Ceremony, Series
from registrations import gate, services
from registrations.models import Decision, OutgoingEmail, Registration

from . import charts

CHART_DAYS = 30


def upcoming_overview(now=None, limit=10):
    now = now or timezone.now()
    ceremonies = list(
        Ceremony.objects.public()
        .upcoming(now)
        .not_cancelled()
        .select_related("venue_site")
        .prefetch_related("categories")
        # Counted with the ceremonies, not in a query of their own.
        .annotate(
            press_approved=Count(
                "press_accreditations",
                filter=Q(press_accreditations__status=Decision.APPROVED),
            ),
            press_waiting=Count(
                "press_accreditations", filter=Q(press_accreditations__status=Decision.WAITING)
            ),
        )[:limit]
    )
    active = Registration.objects.active().filter(ceremony__in=ceremonies)

    waiting = defaultdict(lambda: (0, 0))
    for row in (
        Registration.objects.waiting()
        .filter(ceremony__in=ceremonies)
        .order_by()
        .values("category")
        .annotate(parties=Count("pk"), people=Sum("party_size"))
    ):
        waiting[row["category"]] = (row["parties"], row["people"])

    needs = {
        row["ceremony"]: row
        for row in active.order_by()
        .values("ceremony")
        .annotate(
            **{name: Count("pk", filter=Q(**{name: True})) for name in Registration.NEEDS},
            needs_note=Count("pk", filter=~Q(needs_note="")),
            carers=Sum("carers"),
            needs_transport=Count("pk", filter=Q(needs_transport=True)),
        )
    }
    interpreters = defaultdict(list)
    for row in (
        active.exclude(interpreter_language="")
        .order_by()
        .values("ceremony", "interpreter_language")
        .annotate(parties=Count("pk"))
        .order_by("ceremony", "-parties", "interpreter_language")
    ):
        interpreters[row["ceremony"]].append((row["interpreter_language"], row["parties"]))
    need_labels = [
        *Registration.needs_choices(),
        ("needs_note", Registration._meta.get_field("needs_note").verbose_name),
    ]

    languages = defaultdict(list)
    for row in active.order_by().values("ceremony", "language").annotate(people=Sum("party_size")):
        languages[row["ceremony"]].append((row["language"], row["people"]))

    country_names = dict(countries)
    by_country = defaultdict(list)
    for row in active.order_by().values("ceremony", "country").annotate(people=Sum("party_size")):
        name = country_names.get(row["country"]) or _("not given")
        by_country[row["ceremony"]].append((str(name), row["people"]))

    # In the server's time zone, like TruncDate below (`now` is in UTC).
    since = timezone.localdate(now) - datetime.timedelta(days=CHART_DAYS - 1)
    per_day = defaultdict(dict)
    for row in (
        Registration.objects.filter(ceremony__in=ceremonies)
        .annotate(day=TruncDate("created_at"))
        .filter(day__gte=since)
        .order_by()
        .values("ceremony", "day")
        .annotate(count=Count("pk"))
    ):
        per_day[row["ceremony"]][row["day"]] = row["count"]

    today = gate.todays_ceremonies(now)  # once: it is a query
    arrivals = gate.arrival_counts([c for c in ceremonies if c in today])

    overview = []
    for ceremony in ceremonies:
        days = [since + datetime.timedelta(days=offset) for offset in range(CHART_DAYS)]
        counts = per_day[ceremony.pk]
        overview.append(
            {
                "ceremony": ceremony,
                "categories": [
                    {
                        "category": category,
                        "waiting_parties": waiting[category.pk][0],
                        "waiting_people": waiting[category.pk][1],
                    }
                    for category in ceremony.categories.all()
                ],
                "needs": [
                    (label, needs.get(ceremony.pk, {}).get(name, 0)) for name, label in need_labels
                ],
                # What to prepare: carers (people), transport and interpreters (parties).
                "assistance": {
                    "carers": needs.get(ceremony.pk, {}).get("carers") or 0,
                    "transport": needs.get(ceremony.pk, {}).get("needs_transport", 0),
                    "interpreters": interpreters[ceremony.pk],
                },
                # The press apart from the public (approved journalists hold a seat each).
                "press": {"approved": ceremony.press_approved, "waiting": ceremony.press_waiting}
                if ceremony.press_accreditation or ceremony.press_approved or ceremony.press_waiting
                else None,
                "languages": sorted(languages[ceremony.pk], key=lambda pair: -pair[1]),
                "countries": sorted(by_country[ceremony.pk], key=lambda pair: -pair[1])[:10],
                "per_day_chart": charts.bar_chart(
                    f"days-{ceremony.pk}",
                    _("Registrations per day, last %(days)s days") % {"days": CHART_DAYS},
                    [(day.strftime("%d.%m."), [counts.get(day, 0)]) for day in days],
                    series=[_("registrations")],
                ),
                "arrivals": arrivals.get(ceremony.pk),
            }
        )
    return overview


def ceremony_years():
    """The years that have ceremonies, newest first (drafts and cancelled ones too)."""
    return list(Ceremony.objects.order_by("-year").values_list("year", flat=True).distinct())


def default_year(years, now=None):
    """This year if it has ceremonies, else the nearest year before it that has, else the
    first year to come."""
    this_year = timezone.localdate(now or timezone.now()).year
    earlier = [year for year in years if year <= this_year]
    if earlier:
        return earlier[0]
    return years[-1] if years else this_year


def ceremonies_of_year(year, now=None):
    """Every ceremony of `year`, past or to come, in any state, with its numbers and
    whether its registrants' personal data is still kept. One query."""
    now = now or timezone.now()
    confirmed = Q(registrations__status=Registration.Status.CONFIRMED)
    waiting = Q(registrations__status=Registration.Status.WAITING)
    ceremonies = (
        Ceremony.objects.filter(year=year)
        .annotate(
            confirmed_people=Sum("registrations__party_size", filter=confirmed),
            waiting_people=Sum("registrations__party_size", filter=waiting),
            registration_count=Count("registrations"),
            anonymised_count=Count(
                "registrations", filter=Q(registrations__anonymised_at__isnull=False)
            ),
        )
        .order_by("start", "pk")
    )
    return [
        {
            "ceremony": ceremony,
            "confirmed_people": ceremony.confirmed_people or 0,
            "waiting_people": ceremony.waiting_people or 0,
            "is_past": ceremony.end < now,
            "personal_data_deleted": ceremony.registration_count > 0
            and ceremony.anonymised_count == ceremony.registration_count,
            "takes_registrations_by_hand": services.registration_by_hand_problem(ceremony, now)
            is None,
        }
        for ceremony in ceremonies
    ]


def attendance_by_year():
    """Per series: people registered (confirmed) and checked in, year by year."""
    rows = (
        Registration.objects.confirmed()
        .order_by()
        .values("ceremony__series", year=ExtractYear("ceremony__start"))
        .annotate(registered=Sum("party_size"), arrived=Sum("checked_in"))
        .order_by("ceremony__series", "year")
    )
    by_series = defaultdict(list)
    for row in rows:
        by_series[row["ceremony__series"]].append(
            (str(row["year"]), [row["registered"] or 0, row["arrived"] or 0])
        )
    return [
        charts.bar_chart(
            f"years-{series.pk}",
            _("%(series)s: attendance year by year") % {"series": series.name},
            by_series[series.pk],
            series=[_("registered"), _("checked in")],
        )
        for series in Series.objects.filter(pk__in=by_series)
    ]


def undelivered_emails(reasons=3):
    """The emails not delivered although tried (failed for good, or waiting for their
    next attempt after a failed one), counted at once from the first failed attempt, with
    the most frequent reasons: {"count": n, "reasons": [(reason, n), ...]}. One query."""
    rows = list(
        OutgoingEmail.objects.not_delivered()
        .order_by()
        .values("last_error")
        .annotate(count=Count("pk"))
    )
    shown = sorted((row for row in rows if row["last_error"]), key=lambda row: -row["count"])
    return {
        "count": sum(row["count"] for row in rows),
        "reasons": [(row["last_error"], row["count"]) for row in shown[:reasons]],
    }


# Conflicts at the gate stay on the dashboard for a week after their ceremony.
CONFLICT_DAYS = 7


def gate_conflicts(now=None):
    """Registrations let in at the gate beyond their ticket (two phones offline, or a
    ticket cancelled after the list was downloaded), of today's and the last week's
    ceremonies, with every check-in of each: which phone, who, when. Four queries."""
    now = now or timezone.now()
    ceremonies = Ceremony.objects.filter(
        start__lte=now + datetime.timedelta(days=1),
        end__gte=now - datetime.timedelta(days=CONFLICT_DAYS),
    )
    return gate.conflicts(ceremonies)
