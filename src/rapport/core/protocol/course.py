"""Where a session sits in a course: its phase, the sessions left, and whether to raise the ending.

Everything comes from the variant's schedule in phases.yaml (spec 1.2, 1.9); nothing is a constant
here. The therapist may override a derived phase; that override lives with the session record.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapport.core.protocol.loading import get
from rapport.core.protocol.model import Protocol, Task


class InvalidSession(ValueError):
    """A session number or a planned number of sessions that the variant does not allow."""


@dataclass(frozen=True)
class Position:
    """Session N of M, as the course page shows it."""

    session_number: int
    planned_sessions: int
    phase: str
    sessions_remaining: int  # planned sessions after this one; 0 at the last and past the contract
    beyond_contract: bool  # a session after the last planned one
    termination_due: bool  # raise the ending at this session


def position(
    session_number: int, planned_sessions: int, variant: str, *, protocol: Protocol | None = None
) -> Position:
    protocol = protocol or get()
    schedule = protocol.schedule(variant)
    _check(session_number, planned_sessions, variant, protocol)
    return Position(
        session_number=session_number,
        planned_sessions=planned_sessions,
        phase=schedule.phase_at(session_number, planned_sessions),
        sessions_remaining=max(planned_sessions - session_number, 0),
        beyond_contract=session_number > planned_sessions,
        termination_due=session_number > planned_sessions - schedule.reminder_sessions_before_end,
    )


def phase_for(
    session_number: int, planned_sessions: int, variant: str, *, protocol: Protocol | None = None
) -> str:
    """The phase id ("initial", "middle", "termination" or "maintenance") of a session."""
    return position(session_number, planned_sessions, variant, protocol=protocol).phase


def termination_due(
    session_number: int, planned_sessions: int, variant: str, *, protocol: Protocol | None = None
) -> bool:
    """True from the session at which the therapist should start raising the ending, and after."""
    return position(session_number, planned_sessions, variant, protocol=protocol).termination_due


def joint_sessions(
    planned_sessions: int, variant: str, *, protocol: Protocol | None = None
) -> dict[int, Task]:
    """The sessions someone besides the client joins, by session number, with the task each carries
    out (IPT-A's caregiver sessions); empty for a variant without them."""
    protocol = protocol or get()
    _check(1, planned_sessions, variant, protocol)
    schedule = protocol.schedule(variant)
    found = {}
    for joint in schedule.joint_sessions:
        tasks = {task.id: task for task in protocol.tasks(joint.phase, variant)}
        found[schedule.session_at(joint.at, planned_sessions)] = tasks[joint.task]
    return found


def _check(session_number: int, planned_sessions: int, variant: str, protocol: Protocol) -> None:
    for name, value in (("session number", session_number), ("planned sessions", planned_sessions)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidSession(f"{name} must be a whole number from 1, got {value!r}")
    sessions = protocol.variant(variant).sessions
    if not sessions.allows(planned_sessions):
        planned = f"{sessions.min}" if sessions.min == sessions.max else f"{sessions.min} to {sessions.max}"
        raise InvalidSession(f"{variant} plans {planned} sessions, got {planned_sessions}")
