import datetime

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from memorials.models import HistoryNote, MemorialSite, Photo, SiteDate, Source
from tests.images import image_bytes


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Source {n}")
    author = "Stiftung Sächsische Gedenkstätten"
    url = factory.Sequence(lambda n: f"https://example.org/source/{n}")


class MemorialSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemorialSite

    name_en = factory.Sequence(lambda n: f"Memorial {n}")
    name_de = factory.LazyAttribute(lambda o: f"Denkmal {o.name_en.split()[-1]}")
    name_ru = factory.LazyAttribute(lambda o: f"Памятник {o.name_en.split()[-1]}")
    slug = factory.Sequence(lambda n: f"memorial-{n}")
    kind = MemorialSite.Kind.MONUMENT
    summary_en = "Marks the meeting on the Elbe."
    summary_de = "Erinnert an die Begegnung an der Elbe."
    summary_ru = "Напоминает о встрече на Эльбе."
    history_en = "Built after the war."
    town_en = "Torgau"
    town_ru = "Торгау"
    country = "DE"
    latitude = "51.560000"
    longitude = "13.010000"
    location_precision = MemorialSite.Precision.TOWN
    is_published = True


class SiteDateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteDate

    site = factory.SubFactory(MemorialSiteFactory)
    kind = SiteDate.Kind.DEDICATED
    year = 1995


class PhotoFactory(factory.django.DjangoModelFactory):
    """Goes through PhotoField like an upload: checked, re-encoded, renditions made."""

    class Meta:
        model = Photo

    site = factory.SubFactory(MemorialSiteFactory)
    image = factory.LazyFunction(lambda: ContentFile(image_bytes(size=(700, 500)), name="p.jpg"))
    alt_text_en = "The monument seen from the river"
    alt_text_de = "Das Denkmal vom Fluss aus gesehen"
    caption_en = "The monument"
    licence = "CC BY-SA 4.0"
    credit = "A. Photographer"


class HistoryNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HistoryNote

    text_en = "US and Soviet troops met on the Elbe on 25 April 1945."
    is_published = True


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Series"
        django_get_or_create = ("slug",)

    name_en = "Elbe Day"
    name_de = "Elbe Day"
    name_ru = "День встречи на Эльбе"
    slug = "elbe-day"
    commemorated_year = 1945


class CeremonyFactory(factory.django.DjangoModelFactory):
    """A published ceremony a month ahead, open for registration."""

    class Meta:
        model = "events.Ceremony"

    series = factory.SubFactory(SeriesFactory)
    title_en = factory.Sequence(lambda n: f"Wreath-laying {n}")
    title_de = factory.Sequence(lambda n: f"Kranzniederlegung {n}")
    title_ru = factory.Sequence(lambda n: f"Возложение венков {n}")
    slug = factory.Sequence(lambda n: f"ceremony-{n}")
    summary_en = "Speeches and wreaths at the monument."
    summary_de = "Reden und Kränze am Denkmal."
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    status = "published"
    registration_opens = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    registration_closes = factory.LazyAttribute(lambda o: o.start - datetime.timedelta(hours=12))


class SeatCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.SeatCategory"

    ceremony = factory.SubFactory(CeremonyFactory)
    name_en = "Public"
    name_de = "Öffentlichkeit"
    name_ru = "Все желающие"
    capacity = 10
    max_party_size = 4


class ProgrammeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.ProgrammeItem"

    ceremony = factory.SubFactory(CeremonyFactory)
    starts_at = factory.LazyAttribute(lambda o: o.ceremony.start)
    title_en = factory.Sequence(lambda n: f"Speech {n}")
    title_de = factory.Sequence(lambda n: f"Rede {n}")
    title_ru = factory.Sequence(lambda n: f"Речь {n}")


def register(*, category, invitation_code="", now=None, **fields):
    """Registers through `registrations.services.registration_create`, as the form does:
    the seat counter stays right, the party is confirmed or waits, its email is queued."""
    from registrations import services
    from registrations.models import Registration

    return services.registration_create(
        registration=Registration(category=category, **fields),
        invitation_code=invitation_code,
        now=now,
    )


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration made through the service (see `register`)."""

    class Meta:
        model = "registrations.Registration"

    category = factory.SubFactory(SeatCategoryFactory)
    name = factory.Sequence(lambda n: f"Guest {n}")
    email = factory.Sequence(lambda n: f"guest{n}@example.org")
    party_size = 1
    language = "en"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return register(**kwargs).registration


class UserFactory(factory.django.DjangoModelFactory):
    """A user with the password "password"; `groups` takes role names, e.g.
    `UserFactory(is_staff=True, groups=["Organisers"])`."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("password")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        if create and extracted:
            self.groups.set([Group.objects.get(name=name) for name in extracted])
