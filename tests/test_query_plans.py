"""Query plans that the size of an organisation would otherwise find out (SQLite, which keeps no
statistics unless told to: its choice of index follows the schema alone, so it is the same here
as at 100,000 clients)."""

import pytest
from django.db import connection

from rapport.clinic.models import Client

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL plans by statistics")


def test_a_supervisors_clients_are_found_through_their_teams_not_the_whole_organisation(clinic):
    plan = Client.objects.visible_to(clinic.supervisor).explain()
    # Before the (team, organisation) index: "SEARCH ... USING INDEX clinic_client_organisation_id"
    # followed by a filter on the team, every client of the organisation read.
    assert "client_team_org" in plan, plan
