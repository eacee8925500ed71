"""The programme's figures: outcome rates and fidelity for a slice of the caller's courses.

Each answers only over what the caller may see (rapport.programme.scope): a clinician's own
caseload, a supervisor's teams, a programme lead's organisation. A client is answered 404, as for
any record that is not theirs; an administrator 403 (their role reads no clinical figures).
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from rapport.api.schemas import Problem
from rapport.clinic import rules
from rapport.programme import figures
from rapport.programme.scope import Slice, figure_rows, parse_slice

router = Router(tags=["programme"])


class RateOut(Schema):
    n: int = Field(description="Courses meeting the definition")
    of: int = Field(description="Courses the definition applies to")
    rate: float | None
    ci95: list[float] | None = Field(description="95% Wilson score interval, [low, high]")


class ShareOut(Schema):
    n: int
    of: int
    rate: float | None


class OutcomesOut(Schema):
    courses: int = Field(description="Courses referred (every course in the slice)")
    started: int
    finished: int = Field(description="Ended after 2 or more attended sessions (spec 2.9)")
    dropped_out: int
    paired: int = Field(description="Finished with a first and a last score on PHQ-9 and GAD-7")
    data_completeness: RateOut
    response: RateOut
    remission: RateOut
    reliable_improvement: RateOut
    reliable_deterioration: RateOut
    recovery: RateOut
    reliable_recovery: RateOut
    mean_sessions_attended: float | None
    mean_days_to_first_session: float | None


class FidelityOut(Schema):
    courses: int
    indicators: dict[str, ShareOut]


class SliceQuery(Schema):
    """The slice both programme routes take as query parameters."""

    team: int | None = None
    clinician: int | None = None
    variant: str | None = None
    format: str | None = None
    problem_area: str | None = None
    referred_from: date | None = None
    referred_to: date | None = None


def _chosen(request, **params) -> Slice:
    if rules.is_client_user(request.user):
        raise Http404("Not found")
    if not rules.sees_programme(request.user):
        raise PermissionDenied
    return parse_slice(
        {
            k: "" if v is None else (v.isoformat() if isinstance(v, date) else str(v))
            for k, v in params.items()
        }
    )


PARAMS = (
    "Query parameters, each optional, each narrowing the caller's own courses: team, clinician (ids), "
    "variant, format, problem_area (ids), referred_from, referred_to (YYYY-MM-DD, the course's start date)."
)


@router.get(
    "/programme/outcomes",
    response={200: OutcomesOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Outcome figures for a slice of the caller's courses",
    description=PARAMS,
)
def programme_outcomes(request: HttpRequest, filters: Query[SliceQuery]):
    chosen = _chosen(request, **filters.dict())
    found = figures.outcomes(figure_rows(request.user, chosen))
    return {
        "courses": found.referrals,
        "started": found.started,
        "finished": found.finished,
        "dropped_out": found.dropped_out,
        "paired": found.paired,
        **{key: value.as_dict() for key, value in found.rates().items()},
        "mean_sessions_attended": found.mean_sessions_attended,
        "mean_days_to_first_session": found.mean_days_to_first_session,
    }


@router.get(
    "/programme/fidelity",
    response={200: FidelityOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Fidelity indicators for a slice of the caller's courses",
    description=PARAMS + " Each indicator is unconfirmed [U] (core/fidelity_rules.yaml).",
)
def programme_fidelity(request: HttpRequest, filters: Query[SliceQuery]):
    chosen = _chosen(request, **filters.dict())
    found = figures.fidelity(figure_rows(request.user, chosen))
    return {
        "courses": found.courses,
        "indicators": {key: {"n": v.n, "of": v.of, "rate": v.rate} for key, v in found.indicators.items()},
    }
