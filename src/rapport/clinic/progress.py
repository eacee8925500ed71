"""What the client page shows of measurement: per instrument, the trajectory chart, a table
alternative, the latest band and the change badges (all computed by rapport.core). With bands
off, the same charts for the client's own eyes in the portal: scores only."""

from dataclasses import dataclass, field
from typing import cast

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rapport.clinic import rules
from rapport.clinic.measurement import current_course, summarise
from rapport.clinic.models import Response
from rapport.core import instruments
from rapport.drawings import trajectory


@dataclass
class InstrumentProgress:
    instrument: object
    responses: list
    latest: Response | None
    latest_band_label: str | None
    change: dict | None
    chart: str | None
    badges: list[tuple[str, str | Promise]] = field(default_factory=list)  # (css class, text)
    risk_level_label: str | Promise | None = None  # for a measure without a total (the C-SSRS screener)


# The clinician looks for depression first: PHQ-9, then the rest in a fixed order.
ORDER = ["phq9", "gad7", "cssrs_screen", "phq2", "epds", "wsas", "hamd17"]

# The C-SSRS screener has no total: its result is the highest risk level reached (spec 2.6).
RISK_LEVELS = {
    "none": _("No risk indicated"),
    "low": _("Low risk"),
    "moderate": _("Moderate risk"),
    "high": _("High risk"),
}


BADGES = [
    ("response", "good", _("Response (≥50% fall)")),
    ("remission", "good", _("Remission")),
    ("reliable_improvement", "good", _("Reliable improvement")),
    ("reliable_deterioration", "bad", _("Reliable deterioration")),
]
# "Not on track" is judged once for the course (clinic.standing), not per measure, so that a
# measure that barely moved cannot contradict a course whose depression score fell reliably.


def _day(response: Response) -> str:
    return formats.date_format(timezone.localtime(response.answered_at), "j M")


def _point_label(response: Response) -> str:
    if response.session_number is not None:
        return f"S{response.session_number}"
    return _day(response)


def _for_the_client(definition) -> bool:
    # What a client sees of their own: the questionnaires they answer, scored as a sum.
    return definition.respondent != "clinician" and definition.scoring.method == "sum"


def _chart(definition, scored: list[Response], *, bands: bool) -> str | None:
    """The trajectory of one questionnaire's scores. With bands off (the client's own chart) no
    band is shaded or named, not even in a dot's tooltip (spec 5)."""
    if not scored or not definition.scoring.max:
        return None
    named = {b.id: b.label for b in definition.bands}

    def title(r: Response) -> str:
        if not bands:
            return f"{_day(r)}: {r.total}"
        return f"{_point_label(r)}: {r.total} ({named.get(r.band, '')})"

    return trajectory.trajectory(
        # A scored instrument's response has a total.
        [
            trajectory.Point(_point_label(r), cast(int, r.total), title(r), at=r.session_number)
            for r in scored
        ],
        [trajectory.Band(b.label, b.min, b.max) for b in definition.bands] if bands else [],
        maximum=definition.scoring.max,
        label=f"{definition.short_title} scores over the course"
        if bands
        else _("Your %(name)s scores over the course") % {"name": definition.short_title},
    )


def for_client(client, viewer) -> list[InstrumentProgress]:
    """The measures of the client's current course as `viewer` may see them. Someone the rules
    do not let see severity bands (the client, for their own record) gets their questionnaires'
    scores only, with no band, change or badge."""
    return for_course(current_course(client), viewer)


def for_course(course, viewer) -> list[InstrumentProgress]:
    """The same as for_client, for a caller that holds the current course already."""
    bands = rules.sees_severity_bands(viewer)
    if course is None:
        return []
    responses = list(
        Response.objects.filter(course=course, entered_in_error_at__isnull=True).order_by("answered_at", "id")
    )
    summary = summarise(course, responses) if bands else {}
    shown = []
    ordered = sorted(
        instruments.all_instruments(),
        key=lambda d: (ORDER.index(d.id) if d.id in ORDER else len(ORDER), d.id),
    )
    for definition in ordered:
        mine = [r for r in responses if r.instrument == definition.id]
        if not mine or not (bands or _for_the_client(definition)):
            continue
        scored = [r for r in mine if r.total is not None]
        chart = _chart(definition, scored, bands=bands)
        if not bands:
            if chart is not None:
                shown.append(
                    InstrumentProgress(
                        instrument=definition,
                        responses=scored,
                        latest=scored[-1],
                        latest_band_label=None,
                        change=None,
                        chart=chart,
                    )
                )
            continue
        bands_by_id = {b.id: b for b in definition.bands}
        latest = mine[-1]
        change = summary.get(definition.id)
        badges: list[tuple[str, str | Promise]] = [
            (kind, text) for key, kind, text in BADGES if change and change.get(key)
        ]
        shown.append(
            InstrumentProgress(
                instrument=definition,
                responses=mine,
                latest=latest,
                latest_band_label=bands_by_id[latest.band].label if latest.band in bands_by_id else None,
                change=change,
                chart=chart,
                badges=badges,
                risk_level_label=RISK_LEVELS.get(latest.risk_level) if not definition.scoring.max else None,
            )
        )
    return shown
