"""The public directory's matching: which providers meet a person's needs, how well each fits and
why, read from directory.yaml.

Pure Python: the directory app turns its profiles into `Provider` values and a search or the
"help me choose" answers into `Wishes`; this module filters, scores and explains. Outcome figures
are deliberately absent from `Provider`, so that no ranking can ever use them (issue 15).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapport.core import protocol
from rapport.core.datafiles import Provenance, load_yaml, provenance

DIRECTORY_RULES = Path(__file__).parent / "directory.yaml"

# The formats a profile may offer (issue 15, item 1), in the order pages list them.
FORMATS = ("individual", "group", "couple", "adolescents", "online", "in_person")
# The formats that describe who or how many, as opposed to where (online, in person).
KINDS = ("individual", "group", "couple")
MEETING = ("", "online", "in_person")  # "" means either

WEIGHTS = ("problem_area", "verified_training", "verified_licence", "fee_fits", "low_cost", "soon")


@dataclass(frozen=True)
class DirectoryRules:
    version: str
    minimum_courses: int
    problem_words: Mapping[str, tuple[str, ...]]  # area id -> words and phrases
    weights: Mapping[str, int]
    soon_days: int
    provenance: Mapping[str, Provenance]


@dataclass(frozen=True)
class Provider:
    """What matching may know of a published profile: no outcome, no client, nothing else."""

    id: int
    languages: tuple[str, ...] = ()
    formats: frozenset[str] = frozenset()
    place: str = ""  # city or area, never an address
    fee_from: int | None = None  # per session, in the organisation's currency; None: not stated
    sliding_scale: bool = False
    free_places: bool = False
    problem_areas: frozenset[str] = frozenset()
    verified_licence: bool = False
    verified_training: bool = False
    days_to_next: int | None = None  # to the next free appointment, or the waiting time


@dataclass(frozen=True)
class Wishes:
    """What a person asked for. Language, meeting, place, kind, adolescents and fee_max are needs
    (a provider who cannot meet one is not listed); the rest only weigh."""

    problem_areas: frozenset[str] = frozenset()
    language: str = ""
    meeting: str = ""  # online, in_person, or "" for either
    place: str = ""
    kind: str = ""  # individual, group or couple; "" for any
    adolescents: bool = False
    fee_max: int | None = None
    low_cost: bool = False


@dataclass(frozen=True)
class Reason:
    """Why a provider fits: a code the page words, and the value it is about."""

    code: str
    value: str = ""


@dataclass(frozen=True)
class Fit:
    provider: Provider
    score: int
    reasons: tuple[Reason, ...] = field(default=())


def _same_place(wanted: str, offered: str) -> bool:
    wanted, offered = wanted.strip().casefold(), offered.strip().casefold()
    return bool(wanted) and bool(offered) and (wanted in offered or offered in wanted)


def meets(provider: Provider, wishes: Wishes) -> bool:
    """Whether the provider can meet every need the person stated."""
    offers = provider.formats
    if wishes.language and wishes.language not in provider.languages:
        return False
    if wishes.kind and wishes.kind not in offers:
        return False
    if wishes.adolescents and "adolescents" not in offers:
        return False
    online = "online" in offers
    nearby = "in_person" in offers and (not wishes.place or _same_place(wishes.place, provider.place))
    if wishes.meeting == "online" and not online:
        return False
    if wishes.meeting == "in_person" and not nearby:
        return False
    if not wishes.meeting and wishes.place and not (online or nearby):
        return False
    return not (wishes.fee_max is not None and not _fee_fits(provider, wishes.fee_max))


def _fee_fits(provider: Provider, fee_max: int) -> bool:
    # A sliding scale or a free place may bring the fee within reach; the page says which.
    return (
        provider.free_places
        or provider.sliding_scale
        or (provider.fee_from is not None and provider.fee_from <= fee_max)
    )


def fit(provider: Provider, wishes: Wishes, rules: DirectoryRules | None = None) -> Fit:
    """How well a provider who meets the person's needs fits, and why, in the order pages show."""
    rules = rules or directory_rules()
    weight = rules.weights
    score = 0
    reasons: list[Reason] = []
    if wishes.language:
        reasons.append(Reason("language", wishes.language))
    if wishes.meeting == "online" or (not wishes.meeting and wishes.place and "online" in provider.formats):
        reasons.append(Reason("online"))
    if wishes.meeting == "in_person" or (
        not wishes.meeting and wishes.place and _same_place(wishes.place, provider.place)
    ):
        reasons.append(Reason("near", provider.place))
    if wishes.kind:
        reasons.append(Reason("kind", wishes.kind))
    if wishes.adolescents:
        reasons.append(Reason("adolescents"))
    for area in sorted(wishes.problem_areas & provider.problem_areas):
        score += weight["problem_area"]
        reasons.append(Reason("problem_area", area))
    if provider.verified_training:
        score += weight["verified_training"]
        reasons.append(Reason("verified_training"))
    if provider.verified_licence:
        score += weight["verified_licence"]
        reasons.append(Reason("verified_licence"))
    if wishes.fee_max is not None and provider.fee_from is not None and provider.fee_from <= wishes.fee_max:
        score += weight["fee_fits"]
        reasons.append(Reason("fee_fits", str(provider.fee_from)))
    if wishes.low_cost or wishes.fee_max is not None:
        if provider.free_places:
            score += weight["low_cost"]
            reasons.append(Reason("free_places"))
        if provider.sliding_scale:
            score += weight["low_cost"]
            reasons.append(Reason("sliding_scale"))
    if provider.days_to_next is not None and provider.days_to_next <= rules.soon_days:
        score += weight["soon"]
        reasons.append(Reason("soon", str(provider.days_to_next)))
    return Fit(provider, score, tuple(reasons))


def rank(providers: Iterable[Provider], wishes: Wishes, rules: DirectoryRules | None = None) -> list[Fit]:
    """The providers who meet the person's needs, best fit first; equal fits by the soonest
    appointment, then by id so that the order is stable. Never by outcome: `Provider` has none."""
    rules = rules or directory_rules()
    found = [fit(p, wishes, rules) for p in providers if meets(p, wishes)]
    return sorted(
        found,
        key=lambda f: (
            -f.score,
            f.provider.days_to_next if f.provider.days_to_next is not None else 10**6,
            f.provider.id,
        ),
    )


def areas_in(text: str, rules: DirectoryRules | None = None) -> dict[str, tuple[str, ...]]:
    """The problem areas a person's own words point at, each with the words that matched.
    Whole words only ("row" does not match "grow"); nothing is kept or stored."""
    rules = rules or directory_rules()
    words = " ".join(re.findall(r"[\w'-]+", text.casefold()))
    found: dict[str, tuple[str, ...]] = {}
    for area, phrases in rules.problem_words.items():
        hits = tuple(p for p in phrases if re.search(rf"(?<![\w'-]){re.escape(p)}(?![\w'-])", words))
        if hits:
            found[area] = hits
    return found


def shows_outcomes(finished: int, counted: int, rules: DirectoryRules | None = None) -> bool:
    """Whether an outcome rate over `counted` courses, of `finished` finished, may be shown."""
    rules = rules or directory_rules()
    return finished >= rules.minimum_courses and counted >= rules.minimum_courses


@cache
def directory_rules() -> DirectoryRules:
    return load_directory_rules(DIRECTORY_RULES)


def load_directory_rules(path: Path) -> DirectoryRules:
    root = load_yaml(path).mapping({"version", "outcomes", "problem_words", "ranking"})
    meta = {"verified", "confidence", "source"}
    outcomes = root.child("outcomes").mapping({"minimum_courses", *meta})
    minimum = outcomes.child("minimum_courses").required_integer()
    if minimum < 1:
        outcomes.child("minimum_courses").fail("must be 1 or more")
    words = root.child("problem_words").mapping({"areas", *meta})
    known = {area.id for area in protocol.get().problem_areas}
    areas = words.child("areas").mapping(known)
    problem_words = {}
    for area, node in areas.items():
        phrases = tuple(p.casefold() for p in node.text_list())
        if not phrases:
            node.fail("must list at least one word")
        problem_words[area] = phrases
    ranking = root.child("ranking").mapping({"weights", "soon_days", *meta})
    weights_node = ranking.child("weights").mapping(set(WEIGHTS))
    weights = {}
    for name in WEIGHTS:
        value = weights_node.child(name).required_integer()
        if value < 0:
            weights_node.child(name).fail("must be 0 or more")
        weights[name] = value
    return DirectoryRules(
        version=root.child("version").required_text(),
        minimum_courses=minimum,
        problem_words=problem_words,
        weights=weights,
        soon_days=ranking.child("soon_days").required_integer(),
        provenance={
            "outcomes": provenance(outcomes),
            "problem_words": provenance(words),
            "ranking": provenance(ranking),
        },
    )
