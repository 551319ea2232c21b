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
        if create and extracted:
            self.groups.set([role_group(name) for name in extracted])


def role_group(name):
    """A role's group, made again from `elbeday.roles` if missing: the groups come from
    data migrations, which the flush after a transactional (browser) test empties."""
    from django.contrib.auth.models import Group, Permission

    from elbeday.roles import ROLES

    group, created = Group.objects.get_or_create(name=name)
    if created:
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in ROLES[name]
            ]
        )
    return group


class DelegationInvitationFactory(factory.django.DjangoModelFactory):
    """An invitation sent through `registrations.delegations.invitation_create` (its
    email is queued)."""

    class Meta:
        model = "registrations.DelegationInvitation"

    ceremony = factory.SubFactory(CeremonyFactory)
    organisation = factory.Sequence(lambda n: f"Example Association {n}")
    email = factory.Sequence(lambda n: f"office{n}@example.org")
    language = "en"

    @classmethod
    def _create(cls, model_class, *args, by=None, **kwargs):
        from registrations import delegations

        return delegations.invitation_create(by=by, **kwargs)


class DelegationFactory(factory.django.DjangoModelFactory):
    """A request sent through `registrations.delegations.delegation_request` (waiting for
    a decision; its email is queued). The ceremony takes open requests unless an
    `invitation` is given."""

    class Meta:
        model = "registrations.Delegation"

    ceremony = factory.SubFactory(CeremonyFactory, delegation_requests="open")
    invitation = None
    organisation = factory.Sequence(lambda n: f"Example Town Council {n}")
    country = "DE"
    kind = "municipal"
    head_name = factory.Sequence(lambda n: f"Head {n}")
    head_title = "Dr."
    head_function = "Mayor"
    members = ""
    brings_wreath = False
    contact_name = factory.Sequence(lambda n: f"Contact {n}")
    contact_email = factory.Sequence(lambda n: f"protocol{n}@example.org")
    contact_phone = "+49 3421 123456"
    language = "en"

    @classmethod
    def _create(cls, model_class, *args, ceremony, invitation=None, **kwargs):
        from registrations import delegations

        return delegations.delegation_request(
            ceremony=ceremony, delegation=model_class(**kwargs), invitation=invitation
        )


class PressAccreditationFactory(factory.django.DjangoModelFactory):
    """An application sent through `registrations.press.accreditation_apply` (waiting for
    a decision; its email is queued), for a ceremony that accredits the press."""

    class Meta:
        model = "registrations.PressAccreditation"

    ceremony = factory.SubFactory(CeremonyFactory, press_accreditation=True)
    name = factory.Sequence(lambda n: f"Reporter {n}")
    outlet = factory.Sequence(lambda n: f"Example Gazette {n}")
    role = "writer"
    press_card_number = factory.Sequence(lambda n: f"DJV-{n:05d}")
    email = factory.Sequence(lambda n: f"reporter{n}@example.org")
    language = "en"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from registrations import press

        return press.accreditation_apply(accreditation=model_class(**kwargs))


class MemorialSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "memorials.Series"

    name_en = factory.Sequence(lambda n: f"Series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")


class TrailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "memorials.Trail"

    name_en = factory.Sequence(lambda n: f"Trail {n}")
    slug = factory.Sequence(lambda n: f"trail-{n}")
    kind = "walking"
    is_published = True


class TrailStopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "memorials.TrailStop"

    trail = factory.SubFactory(TrailFactory)
    site = factory.SubFactory(MemorialSiteFactory)
    position = factory.Sequence(lambda n: n)
