"""Groups of a group variant (WHO group IPT): their size limits and composition setting from
groups.yaml, and where a group session sits in the protocol (its phase and agenda).

Pure Python, no Django. The protocol's own data (session count, phases, agendas) stays in
core/protocol; this module only reads it by a group session's number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from rapport.core import protocol
from rapport.core.protocol.model import SessionTemplate


class UnknownGroupVariant(ValueError):
    """A variant that is not a group variant of the protocol, or has no entry in groups.yaml."""


@dataclass(frozen=True)
class Composition:
    min_members: int
    max_members: int
    single_gender: bool
    confidence: str  # "U": every value is unconfirmed
    source: str


@cache
def _compositions() -> dict[str, Composition]:
    data = yaml.safe_load((Path(__file__).parent / "groups.yaml").read_text())
    found = {}
    for variant, entry in data["variants"].items():
        item = Composition(
            min_members=int(entry["min_members"]),
            max_members=int(entry["max_members"]),
            single_gender=bool(entry["single_gender"]),
            confidence=str(entry["confidence"]),
            source=str(entry["source"]),
        )
        if not 1 <= item.min_members <= item.max_members:
            raise ValueError(f"groups.yaml: {variant}: min_members must be from 1 up to max_members")
        if protocol.get().variant(variant).format != "group":
            raise ValueError(f"groups.yaml: {variant} is not a group variant of the protocol")
        found[variant] = item
    return found


def group_variants() -> tuple[str, ...]:
    """The protocol's group variants that groups.yaml describes, in the protocol's order."""
    known = _compositions()
    return tuple(v.id for v in protocol.get().variants if v.format == "group" and v.id in known)


def composition(variant: str) -> Composition:
    try:
        return _compositions()[variant]
    except KeyError:
        raise UnknownGroupVariant(variant) from None


def sessions(variant: str) -> int:
    """How many group sessions the variant has (its default; group_ipt_who: 8)."""
    composition(variant)
    allowed = protocol.get().variant(variant).sessions
    return allowed.default if allowed.default is not None else allowed.max


def pre_group_sessions(variant: str) -> int:
    composition(variant)
    return protocol.get().variant(variant).pre_group_sessions


def phase(number: int, variant: str) -> str:
    """The phase of group session `number` (1 initial, 2-7 middle, 8 termination for WHO group
    IPT); protocol.InvalidSession for a number outside 1..sessions."""
    total = sessions(variant)
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= total:
        raise protocol.InvalidSession(f"a group session number is from 1 to {total}, got {number!r}")
    return protocol.phase_for(number, total, variant)


def agenda(number: int, variant: str) -> SessionTemplate | None:
    """The agenda (protocol SessionTemplate) of group session `number`, or None."""
    return protocol.get().agenda(phase(number, variant), variant)


def pre_group_agenda(variant: str) -> SessionTemplate | None:
    """The agenda of the individual pre-group session."""
    composition(variant)
    return protocol.get().agenda("initial", variant, pre_group=True)
