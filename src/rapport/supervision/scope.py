"""Who sees the supervisor's workspace, and of which teams: the one predicate (clinic.rules
.sees_workspace, re-exported here) and the one function every workspace page, review and figure
asks. A programme lead role (issue 12 item 4)
is added here, in these two places, and nowhere else."""

from rapport.accounts.models import Team
from rapport.clinic.rules import sees_workspace

__all__ = ["sees_workspace", "team_ids", "teams_in_view"]


def teams_in_view(user):
    """The teams whose workspace this person sees: a supervisor's own teams, in their
    organisation. Every query of the workspace is filtered by these ids, never by a parameter."""
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
