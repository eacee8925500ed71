"""What the client page shows of measurement: per instrument, the trajectory chart, a table
alternative, the latest band and the change badges (all computed by rapport.core)."""

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


def _point_label(response: Response) -> str:
    if response.session_number is not None:
        return f"S{response.session_number}"
    return formats.date_format(timezone.localtime(response.answered_at), "j M")


def for_client(client, viewer) -> list[InstrumentProgress]:
    """The measures of the client's current course as `viewer` may see them: severity bands
    (named and shaded) only for those the rules let see them."""
    return for_course(current_course(client), viewer)


def for_course(course, viewer) -> list[InstrumentProgress]:
    """The same as for_client, for a caller that holds the current course already."""
    show_bands = rules.sees_severity_bands(viewer)
    if course is None:
        return []
    responses = list(
        Response.objects.filter(course=course, entered_in_error_at__isnull=True).order_by("answered_at", "id")
    )
    summary = summarise(course, responses)
    shown = []
    ordered = sorted(
        instruments.all_instruments(),
        key=lambda d: (ORDER.index(d.id) if d.id in ORDER else len(ORDER), d.id),
    )
    for definition in ordered:
        mine = [r for r in responses if r.instrument == definition.id]
        if not mine:
            continue
        scored = [r for r in mine if r.total is not None]
        bands = {b.id: b for b in definition.bands} if show_bands else {}
        latest = mine[-1]
        change = summary.get(definition.id)
        chart = None
        if scored and definition.scoring.max:
            chart = trajectory.trajectory(
                [
                    trajectory.Point(
                        _point_label(r),
                        cast(int, r.total),  # a scored instrument's response has a total
                        f"{_point_label(r)}: {r.total} ({bands[r.band].label if r.band in bands else ''})",
                        at=r.session_number,
                    )
                    for r in scored
                ],
                [trajectory.Band(b.label, b.min, b.max) for b in definition.bands if show_bands],
                maximum=definition.scoring.max,
                label=f"{definition.short_title} scores over the course",
            )
        badges: list[tuple[str, str | Promise]] = [
            (kind, text) for key, kind, text in BADGES if change and change.get(key)
        ]
        shown.append(
            InstrumentProgress(
                instrument=definition,
                responses=mine,
                latest=latest,
                latest_band_label=bands[latest.band].label if latest.band in bands else None,
                change=change,
                chart=chart,
                badges=badges,
                risk_level_label=RISK_LEVELS.get(latest.risk_level) if not definition.scoring.max else None,
            )
        )
    return shown
