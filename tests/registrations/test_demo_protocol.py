"""The demo's sample protocol: three or four fictional delegations on the sample
wreath-laying, every one marked as a sample (no real organisation is shown as having
asked for anything), one approved with a wreath, one waiting, one wishing to speak, two
sample speakers, and the order of wreaths on the public page; loading again adds none."""

import pytest
from django.utils import timezone

from events.demo import next_elbe_day, sample_slugs
from events.models import Ceremony
from registrations.models import Delegation, OutgoingEmail, Speaker
from tests.demo import load_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture
def wreath_laying():
    return Ceremony.objects.get(slug=sample_slugs(next_elbe_day(timezone.now()))["wreath"])


def test_demo_delegations_are_all_marked_as_samples(wreath_laying):
    delegations = list(Delegation.objects.all())
    assert 3 <= len(delegations) <= 4
    assert {d.ceremony for d in delegations} == {wreath_laying}
    for delegation in delegations:
        assert delegation.organisation.startswith("Example ")
        assert delegation.organisation.endswith("(sample)")
        assert delegation.contact_email.endswith(".example.org")
        assert "sample" in delegation.head_name.lower()


def test_demo_delegations_show_each_state(wreath_laying):
    delegations = Delegation.objects.filter(ceremony=wreath_laying)
    approved_with_wreath = delegations.filter(status="approved", brings_wreath=True)
    assert approved_with_wreath.exists()
    assert delegations.filter(status="waiting").exists()
    assert delegations.filter(wishes_to_speak=True).exists()
    # Approved delegations hold their seats as confirmed registrations, with tickets.
    for delegation in delegations.filter(status="approved"):
        assert delegation.registration.status == "confirmed"
        assert delegation.registration.category == wreath_laying.delegation_category
    assert not OutgoingEmail.objects.filter(delegation__isnull=False).exists()


def test_demo_speakers_are_samples_that_fit(wreath_laying):
    speakers = list(Speaker.objects.filter(ceremony=wreath_laying))
    assert [s.name for s in speakers] == ["Sample speaker A", "Sample speaker B"]
    assert {s.programme_item.title_en for s in speakers} == {"Speeches"}


def test_demo_wreath_order_is_published_on_the_ceremony_page(client, wreath_laying):
    in_order = list(
        Delegation.objects.filter(wreath_position__isnull=False).order_by("wreath_position")
    )
    assert [d.organisation for d in in_order] == [
        "Example Town Council (sample)",
        "Example Veterans' Association (sample)",
    ]
    html = client.get(wreath_laying.get_absolute_url()).content.decode()
    section = html.split('id="wreath-order"')[1].split("</ol>")[0]
    assert "Example Town Council (sample) (Germany)" in section
    assert "Example School Class" not in section


def test_demo_protocol_loads_once():
    before = (Delegation.objects.count(), Speaker.objects.count())
    assert "up to date" in load_demo()
    assert (Delegation.objects.count(), Speaker.objects.count()) == before
