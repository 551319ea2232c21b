import pytest
from django.core.cache import cache
from django.utils import translation

from events.roles import EDITORS, ORGANISERS, VOLUNTEERS
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _english():
    """A request through the test client leaves its language active in the thread; every
    test starts in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def volunteer(db):
    return UserFactory(username="vera", groups=[VOLUNTEERS])


@pytest.fixture
def editor(db):
    return UserFactory(username="edith", is_staff=True, groups=[EDITORS])


@pytest.fixture
def organiser(db):
    return UserFactory(username="otto", is_staff=True, groups=[ORGANISERS])


@pytest.fixture
def superuser(db):
    return UserFactory(username="susanne", is_staff=True, is_superuser=True)
