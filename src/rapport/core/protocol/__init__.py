"""The IPT protocol as data (spec section 1): variants, phases and their tasks, the interpersonal
inventory and timeline, the problem areas, techniques, termination, and decision support.

Pure Python, no Django. `get()` returns the checked, cached `Protocol`; the functions below work
out a session's phase and point at candidate problem areas, never choosing one.
"""

from rapport.core.datafiles import DefinitionError
from rapport.core.protocol.course import (
    InvalidSession,
    Position,
    joint_sessions,
    phase_for,
    position,
    termination_due,
)
from rapport.core.protocol.loading import DATA_DIR, get, load
from rapport.core.protocol.model import Protocol, UnknownProtocolItem
from rapport.core.protocol.suggestions import (
    Evidence,
    Facts,
    InvalidFacts,
    InventoryEntry,
    LifeChange,
    Question,
    Review,
    SetAside,
    Suggestion,
    TimelineEvent,
    review,
    suggest_problem_areas,
)

__all__ = [
    "DATA_DIR",
    "DefinitionError",
    "Evidence",
    "Facts",
    "InvalidFacts",
    "InvalidSession",
    "InventoryEntry",
    "LifeChange",
    "Position",
    "Protocol",
    "Question",
    "Review",
    "SetAside",
    "Suggestion",
    "TimelineEvent",
    "UnknownProtocolItem",
    "get",
    "joint_sessions",
    "load",
    "phase_for",
    "position",
    "review",
    "suggest_problem_areas",
    "termination_due",
]
