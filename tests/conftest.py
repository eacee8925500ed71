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


@pytest.fixture
def newcomer(clinic):
    """A client of the responsible clinician with no portal account yet."""
    from datetime import date

    from rapport.clinic.models import Client

    return Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Noor Newcomer",
        date_of_birth=date(1999, 3, 3),
        country="GB",
        time_zone="Europe/London",
        status="assessment",
    )


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
