"""Demo ceremonies for `manage.py load_demo`.

Past ceremonies state only what the project's fact sheet says, with its sources (dates
without times, as the sheet gives no times). The coming ceremonies are a sample programme,
marked as such on every page, dated on the next 25 April; a check-in rehearsal is dated
today. Their demo guests come from `registrations.demo`.
"""

import datetime
import zoneinfo

from django.utils import timezone

from memorials.demo import demo_sources
from memorials.models import MemorialSite

from .models import Ceremony, ProgrammeItem, SeatCategory, Series

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _t(en, de, ru, field):
    return {f"{field}_en": en, f"{field}_de": de, f"{field}_ru": ru}


def _local(year, month, day, hour=0, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def _site(slug):
    return MemorialSite.objects.filter(slug=slug).first()


def next_elbe_day(now=None):
    """The year of the next 25 April whose sample registration (closing at 18:00 the day
    before) is still open."""
    local = (now or timezone.now()).astimezone(BERLIN)
    return local.year if local < _local(local.year, 4, 24, 18, 0) else local.year + 1


PAST = [
    {
        "slug": "elbe-day-2025",
        "start": (2025, 4, 25),
        "end": (2025, 4, 27),
        "status": Ceremony.Status.PUBLISHED,
        "motto": ("Begegnung schaffen", "Begegnung schaffen", "Begegnung schaffen"),
        "title": ("Elbe Day 2025", "Elbe Day 2025", "День встречи на Эльбе 2025"),
        "summary": (
            "Torgau marked the 80th anniversary of the meeting on the Elbe over three days, "
            "25 to 27 April 2025, under the motto “Begegnung schaffen”.",
            "Torgau beging den 80. Jahrestag der Begegnung an der Elbe vom 25. bis "
            "27. April 2025 unter dem Motto „Begegnung schaffen“.",
            "Торгау отметил 80-ю годовщину встречи на Эльбе с 25 по 27 апреля 2025 года "
            "под девизом «Begegnung schaffen» («Создавать встречи»).",
        ),
        "sources": [55, 33],
    },
    {
        "slug": "elbe-day-2022",
        "start": (2022, 4, 25),
        "end": (2022, 4, 25),
        "status": Ceremony.Status.CANCELLED,
        "title": ("Elbe Day 2022", "Elbe Day 2022", "День встречи на Эльбе 2022"),
        "summary": (
            "The official ceremony was cancelled because of the war in Ukraine; the festival "
            "went ahead.",
            "Die offizielle Gedenkveranstaltung wurde wegen des Krieges in der Ukraine "
            "abgesagt; das Fest fand statt.",
            "Официальная церемония была отменена из-за войны в Украине; праздник состоялся.",
        ),
        "status_note": (
            "Cancelled because of the war in Ukraine.",
            "Abgesagt wegen des Krieges in der Ukraine.",
            "Отменена из-за войны в Украине.",
        ),
        "sources": [53],
    },
    {
        "slug": "elbe-day-2020",
        "start": (2020, 4, 25),
        "end": (2020, 4, 25),
        "status": Ceremony.Status.CANCELLED,
        "title": ("Elbe Day 2020", "Elbe Day 2020", "День встречи на Эльбе 2020"),
        "summary": (
            "The celebrations of the 75th anniversary were cancelled because of COVID-19; "
            "Torgau's mayor, Romina Barth, and the regional bishop, Johann Schneider, laid a "
            "wreath without guests.",
            "Die Feierlichkeiten zum 75. Jahrestag wurden wegen COVID-19 abgesagt; die "
            "Oberbürgermeisterin Romina Barth und Regionalbischof Johann Schneider legten ohne "
            "Gäste einen Kranz nieder.",
            "Празднование 75-й годовщины было отменено из-за COVID-19; мэр Торгау Ромина Барт "
            "и региональный епископ Иоганн Шнайдер возложили венок без гостей.",
        ),
        "status_note": (
            "The celebrations were cancelled because of COVID-19.",
            "Die Feierlichkeiten wurden wegen COVID-19 abgesagt.",
            "Празднование отменено из-за COVID-19.",
        ),
        "sources": [51],
    },
]

SAMPLE_NOTE = (
    "This is a sample programme for trying out the site, not an announcement.",
    "Dies ist ein Beispielprogramm zum Ausprobieren der Website, keine Ankündigung.",
    "Это пример программы для знакомства с сайтом, а не объявление.",
)


def load_ceremonies(now=None):
    """Create the demo series and ceremonies that are missing; return how many objects
    were created."""
    now = now or timezone.now()
    before = _count()
    series, _created = Series.objects.get_or_create(
        slug="elbe-day",
        defaults={
            "commemorated_year": 1945,
            **_t("Elbe Day", "Elbe Day", "День встречи на Эльбе", "name"),
            **_t(
                "The yearly commemoration of the meeting of American and Soviet troops on the "
                "Elbe at Strehla and Torgau on 25 April 1945.",
                "Das jährliche Gedenken an die Begegnung amerikanischer und sowjetischer "
                "Truppen an der Elbe bei Strehla und Torgau am 25. April 1945.",
                "Ежегодная память о встрече американских и советских войск на Эльбе у Штрелы "
                "и Торгау 25 апреля 1945 года.",
                "description",
            ),
        },
    )
    sources = demo_sources()
    for data in PAST:
        _past_ceremony(series, data, sources)
    _sample_ceremonies(series, next_elbe_day(now), now)
    _checkin_rehearsal(now)
    return _count() - before


def rehearsal_slug(now):
    return f"{REHEARSAL_SLUG_PREFIX}{now.astimezone(BERLIN).date().isoformat()}"


# Every rehearsal the demo ever made starts so: the older ones are replaced by today's.
REHEARSAL_SLUG_PREFIX = "check-in-rehearsal-"


def sample_slugs(year):
    """The sample ceremonies that get demo guests."""
    return {"wreath": f"wreath-laying-torgau-{year}", "strehla": f"commemoration-strehla-{year}"}


def _rehearsal_series(today):
    """The rehearsals' own series, so that they are not counted as Elbe Day ceremonies (in
    attendance by year) and have no anniversary: anniversaries count from the year
    commemorated, which for a rehearsal is the year it is held."""
    series, _created = Series.objects.update_or_create(
        slug="check-in-rehearsals",
        defaults={"commemorated_year": today.year},
        create_defaults={
            "commemorated_year": today.year,
            **_t("Check-in rehearsals", "Einlass-Proben", "Репетиции регистрации на входе", "name"),
            **_t(
                "Rehearsals of the check-in at the gate with demo guests; they commemorate "
                "nothing.",
                "Proben des Einlasses mit Demo-Gästen; sie erinnern an nichts.",
                "Репетиции регистрации на входе с демо-гостями; они ничему не посвящены.",
                "description",
            ),
        },
    )
    return series


def _checkin_rehearsal(now):
    """A ceremony dated today, so the gate can be tried at once; the rehearsal of an
    earlier day, with its demo guests and check-ins, makes way for it, so there is only
    ever one. Its title says nothing of "demo": the pages that list it add that."""
    today = now.astimezone(BERLIN).date()
    slug = rehearsal_slug(now)
    if Ceremony.objects.filter(slug=slug).exists():
        return
    _remove_old_rehearsals(slug)
    start = datetime.datetime.combine(today, datetime.time(0, 0), tzinfo=BERLIN)
    ceremony = Ceremony.objects.create(
        series=_rehearsal_series(today),
        slug=slug,
        start=start,
        end=start + datetime.timedelta(hours=23, minutes=59),
        dates_only=True,
        status=Ceremony.Status.PUBLISHED,
        is_sample=True,
        registration_opens=now - datetime.timedelta(days=1),
        registration_closes=start + datetime.timedelta(hours=23, minutes=59),
        **_t(
            "Check-in rehearsal",
            "Einlass-Probe",
            "Репетиция регистрации на входе",
            "title",
        ),
        **_t(
            "A rehearsal of the check-in at the gate with demo guests; not a real ceremony.",
            "Eine Probe des Einlasses mit Demo-Gästen; keine echte Gedenkfeier.",
            "Репетиция регистрации на входе с демо-гостями; не настоящая церемония.",
            "summary",
        ),
        **_t(*SAMPLE_NOTE, "description"),
    )
    SeatCategory.objects.create(
        ceremony=ceremony,
        capacity=12,
        max_party_size=4,
        **_t("Rehearsal guests", "Probegäste", "Гости репетиции", "name"),
    )


def _remove_old_rehearsals(keep_slug):
    """Delete the demo rehearsals of other days with everything of theirs. Their guests
    are made-up demo people (registrations.demo), so they go with them rather than
    through the registration services, which keep real people's history."""
    old = Ceremony.objects.filter(is_sample=True, slug__startswith=REHEARSAL_SLUG_PREFIX).exclude(
        slug=keep_slug
    )
    Registration = Ceremony.registrations.rel.related_model
    Registration.objects.filter(ceremony__in=old).delete()
    old.delete()


def _past_ceremony(series, data, sources):
    if Ceremony.objects.filter(slug=data["slug"]).exists():
        return
    ceremony = Ceremony.objects.create(
        series=series,
        slug=data["slug"],
        start=_local(*data["start"], 0, 0),
        end=_local(*data["end"], 23, 59),
        dates_only=True,
        status=data["status"],
        venue_name_en="Torgau",
        venue_name_ru="Торгау",
        **_t(*data["title"], "title"),
        **_t(*data["summary"], "summary"),
        **(_t(*data["motto"], "motto") if "motto" in data else {}),
        **(_t(*data["status_note"], "status_note") if "status_note" in data else {}),
    )
    ceremony.sources.set([sources[number] for number in data["sources"]])


def _sample_ceremonies(series, year, now):
    opens = now - datetime.timedelta(days=1)
    closes = _local(year, 4, 24, 18, 0)
    denkmal = _site("denkmal-der-begegnung-torgau")
    relief = _site("relief-denkmal-der-begegnung-strehla")

    slugs = sample_slugs(year)
    _sample(
        series,
        slug=slugs["wreath"],
        title=(
            "Wreath-laying at the Denkmal der Begegnung",
            "Kranzniederlegung am Denkmal der Begegnung",
            "Возложение венков к Памятнику встречи",
        ),
        summary=(
            "Speeches and the laying of wreaths at the monument on the Elbe in Torgau.",
            "Reden und Kranzniederlegung am Denkmal an der Elbe in Torgau.",
            "Речи и возложение венков у памятника на Эльбе в Торгау.",
        ),
        start=_local(year, 4, 25, 10, 0),
        end=_local(year, 4, 25, 11, 30),
        venue_site=denkmal,
        venue_address="Elbstraße, Torgau",
        opens=opens,
        closes=closes,
        programme=[
            ((10, 0), ("Welcome", "Begrüßung", "Приветствие"), "de,en,ru", True),
            ((10, 15), ("Speeches", "Reden", "Речи"), "de,en,ru", True),
            ((10, 50), ("Laying of wreaths", "Kranzniederlegung", "Возложение венков"), "", False),
        ],
        categories=[
            (("Public", "Öffentlichkeit", "Все желающие"), 120, 6, True, ""),
            (
                ("Veterans and families", "Veteranen und Familien", "Ветераны и их семьи"),
                30,
                4,
                True,
                "",
            ),
            (
                ("Official delegations", "Offizielle Delegationen", "Официальные делегации"),
                24,
                8,
                False,
                "DEMO-DELEGATION",
            ),
            (("Press", "Presse", "Пресса"), 15, 2, False, ""),
        ],
    )
    _sample(
        series,
        slug=f"peace-oath-torgau-{year}",
        title=(
            "The peace oath at the bridge",
            "Der Friedensschwur an der Brücke",
            "Клятва мира у моста",
        ),
        summary=(
            "The peace oath is read at the balustrade of the Elbe bridge in Torgau.",
            "Der Friedensschwur wird an der Brückenbalustrade in Torgau verlesen.",
            "Клятва мира зачитывается у балюстрады моста через Эльбу в Торгау.",
        ),
        start=_local(year, 4, 25, 17, 0),
        end=_local(year, 4, 25, 18, 0),
        venue_name=("Elbe bridge, Torgau", "Elbbrücke, Torgau", "Мост через Эльбу, Торгау"),
        opens=opens,
        closes=closes,
        programme=[
            ((17, 0), ("The peace oath", "Der Friedensschwur", "Клятва мира"), "de,en,ru", False),
        ],
        categories=[(("Public", "Öffentlichkeit", "Все желающие"), 200, 6, True, "")],
    )
    _sample(
        series,
        slug=slugs["strehla"],
        title=(
            "Commemoration at the relief in Strehla",
            "Gedenken am Relief in Strehla",
            "Памятная церемония у рельефа в Штреле",
        ),
        summary=(
            "A short commemoration at the old ferry in Strehla, where Lt Kotzebue's patrol "
            "crossed the Elbe on 25 April 1945.",
            "Ein kurzes Gedenken an der alten Fähre in Strehla, wo die Patrouille von "
            "Leutnant Kotzebue am 25. April 1945 die Elbe überquerte.",
            "Короткая памятная церемония у старой переправы в Штреле, где патруль лейтенанта "
            "Котцебу переправился через Эльбу 25 апреля 1945 года.",
        ),
        start=_local(year, 4, 25, 14, 0),
        end=_local(year, 4, 25, 15, 0),
        venue_site=relief,
        opens=opens,
        closes=closes,
        programme=[
            ((14, 0), ("Commemoration", "Gedenken", "Памятная церемония"), "de,en", False),
        ],
        categories=[(("Public", "Öffentlichkeit", "Все желающие"), 8, 4, True, "")],
    )


def _sample(
    series,
    *,
    slug,
    title,
    summary,
    start,
    end,
    opens,
    closes,
    programme,
    categories,
    venue_site=None,
    venue_name=("", "", ""),
    venue_address="",
):
    if Ceremony.objects.filter(slug=slug).exists():
        return None
    ceremony = Ceremony.objects.create(
        series=series,
        slug=slug,
        start=start,
        end=end,
        status=Ceremony.Status.PUBLISHED,
        is_sample=True,
        venue_site=venue_site,
        venue_address=venue_address,
        registration_opens=opens,
        registration_closes=closes,
        **_t(*title, "title"),
        **_t(*summary, "summary"),
        **_t(*SAMPLE_NOTE, "description"),
        **_t(*venue_name, "venue_name"),
    )
    for (hour, minute), item_title, languages, interpretation in programme:
        ProgrammeItem.objects.create(
            ceremony=ceremony,
            starts_at=start.replace(hour=hour, minute=minute),
            languages=languages,
            interpretation=interpretation,
            **_t(*item_title, "title"),
        )
    for position, (name, capacity, max_party, waiting, code) in enumerate(categories):
        SeatCategory.objects.create(
            ceremony=ceremony,
            capacity=capacity,
            max_party_size=max_party,
            has_waiting_list=waiting,
            invitation_code=code,
            position=position,
            **_t(*name, "name"),
        )
    return ceremony


def _count():
    return sum(model.objects.count() for model in (Series, Ceremony, ProgrammeItem, SeatCategory))
