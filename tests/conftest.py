import pytest
from django.core.cache import cache

from tests.personas import make_clinic


@pytest.fixture
def clinic(db):
    return make_clinic()


@pytest.fixture
def as_user(client):
    """A Django test client signed in as the given user (None stays anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
