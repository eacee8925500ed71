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


BADGES = [
    ("response", "good", _("Response (≥50% fall)")),
    ("remission", "good", _("Remission")),
    ("reliable_improvement", "good", _("Reliable improvement")),
    ("reliable_deterioration", "bad", _("Reliable deterioration")),
    ("not_on_track", "bad", _("Not on track")),
]


def _point_label(response: Response) -> str:
    if response.session_number is not None:
        return f"S{response.session_number}"
    return formats.date_format(timezone.localtime(response.answered_at), "j M")


def for_client(client, viewer) -> list[InstrumentProgress]:
    """The measures of the client's current course as `viewer` may see them: severity bands
    (named and shaded) only for those the rules let see them."""
    show_bands = rules.sees_severity_bands(viewer)
    course = current_course(client)
    if course is None:
        return []
    responses = list(
        Response.objects.filter(course=course, entered_in_error_at__isnull=True).order_by("answered_at", "id")
    )
    summary = summarise(course, responses)
    shown = []
    for definition in instruments.all_instruments():
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
            )
        )
    return shown
