"""Who sees the supervisor's workspace, and of which teams: the one predicate (clinic.rules
.sees_workspace, re-exported here) and the functions every workspace page, review and figure
asks. A programme lead sees the aggregate views of every team of their organisation
(`teams_in_view`), but names clients, opens records and records or reads case reviews only for the
teams they are also named supervisor of (`supervised_teams`), as a supervisor does."""

from rapport.accounts.models import Role, Team
from rapport.clinic.rules import sees_workspace

__all__ = ["sees_workspace", "supervised_teams", "team_ids", "teams_in_view"]


def teams_in_view(user):
    """The teams whose workspace figures this person sees: a supervisor's own teams, a programme
    lead's whole organisation. Every query of the workspace is filtered by these ids, never by a
    parameter."""
    if not sees_workspace(user):
        return Team.objects.none()
    mine = Team.objects.filter(organisation_id=user.organisation_id)
    if user.role == Role.PROGRAMME_LEAD:
        return mine
    return mine.filter(supervisors=user)


def supervised_teams(user):
    """The teams whose clients this person may name and whose case reviews they keep: those they
    are named supervisor of, whatever their role (the same rule as Client.objects.visible_to)."""
    if not sees_workspace(user):
        return Team.objects.none()
    return Team.objects.filter(organisation_id=user.organisation_id, supervisors=user)


def team_ids(user, chosen: str | None = None) -> list[int]:
    """The ids in view, narrowed to `chosen` (a ?team= parameter) when it is one of them; a team
    outside the view gives the empty list, never another team's data."""
    ids = list(teams_in_view(user).values_list("pk", flat=True))
    if chosen:
        try:
            wanted = int(chosen)
        except ValueError:
            return []
        return [wanted] if wanted in ids else []
    return ids
