"""Per-clinician fidelity and outcome figures on the workspace, from the programme's figures.

The courses are `programme.scope.visible_courses(user)` narrowed to the workspace's teams, so a
figure never covers a client the viewer could not see (a programme lead's cover the organisation's
teams). Each figure links to the programme's list of the courses behind it with the same filter,
unless the viewer may not list courses (a lead who supervises no team): then it is plain text."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from rapport.core import fidelity as core_fidelity
from rapport.core.programme import Rate
from rapport.programme import figures as programme_figures
from rapport.programme.scope import Slice, lists_courses, totals_for, visible_courses

# The outcome figures a clinician's row shows, in order [U]: which of the programme's outcomes a
# supervisor needs per clinician is not in the clinical spec; all fidelity indicators are shown.
OUTCOME_FIGURES = (
    ("finished", "Finished"),
    ("recovery", "Recovery"),
    ("reliable_improvement", "Reliable improvement"),
    ("reliable_deterioration", "Reliable deterioration"),
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    n: int
    of: int | None  # None for a plain count
    rate: float | None
    href: str  # the courses behind it; empty when the viewer may not list them

    @property
    def percent(self) -> str:
        return "" if self.rate is None else f"{round(self.rate * 100)}%"


@dataclass(frozen=True)
class ClinicianFigures:
    courses: int
    outcomes: list[Figure]
    fidelity: list[Figure]


def _href(linked: bool, team_ids: list[int], clinician_id: int, figure: str) -> str:
    if not linked:
        return ""
    query: dict = {"clinician": clinician_id, "figure": figure}
    if len(team_ids) == 1:  # the programme's filter takes one team; more is the clinician's own view
        query = {"team": team_ids[0], **query}
    return reverse("programme_courses") + "?" + urlencode(query)


def _figure(key: str, label: str, value, href: str) -> Figure:
    if isinstance(value, Rate):
        return Figure(key, label, value.n, value.of, value.rate, href)
    return Figure(key, label, value, None, None, href)


def clinician_figures(user, team_ids: list[int], clinician_ids: list[int]) -> dict[int, ClinicianFigures]:
    """Fidelity and outcome figures per clinician id (only those with courses), over the courses
    of `team_ids` the user may see. Two aggregate queries plus names, however many clients."""
    # A programme lead's figures cover every course of the teams: the running totals hold them.
    totals = totals_for(user, Slice(), team_ids)
    courses = totals if totals is not None else visible_courses(user).filter(team_id__in=team_ids)
    courses = courses.filter(clinician_id__in=clinician_ids)
    linked = lists_courses(user)
    labels = core_fidelity.fidelity_rules().indicators
    fidelity = {cid: values for cid, _, values in programme_figures.fidelity_by_clinician(courses)}
    found = {}
    for cid, _, values in programme_figures.outcomes_by_clinician(courses):
        # Fidelity has no numerator list of its own: its link is all of the clinician's courses.
        all_href = _href(linked, team_ids, cid, "referrals")
        found[cid] = ClinicianFigures(
            courses=values.referrals,
            outcomes=[
                _figure(key, label, getattr(values, key), _href(linked, team_ids, cid, key))
                for key, label in OUTCOME_FIGURES
            ],
            fidelity=[
                _figure(key, labels[key].label, rate, all_href)
                for key, rate in fidelity[cid].indicators.items()
            ],
        )
    return found
