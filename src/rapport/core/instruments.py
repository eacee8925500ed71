"""Instrument definitions: the YAML files under instruments/, loaded, checked and typed.

Each definition is data (spec section 2). This module reads it strictly, so that a malformed file
fails loudly at load time, naming the file and the field, instead of scoring wrongly later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path

from rapport.core.datafiles import DefinitionError, Node, Provenance, load_yaml, provenance
from rapport.core.triage import triage_rules

INSTRUMENTS_DIR = Path(__file__).parent / "instruments"

RESPONDENTS = ("self", "clinician", "self_or_clinician")
WORDINGS = ("verbatim", "descriptor")
SCORING_METHODS = ("sum", "risk_category")
MISSING_RULES = ("no_total", "prorate")


class UnknownInstrument(KeyError):
    pass


# Conditions: a tiny declarative language for branching (ask_when), risk items (positive_when) and
# risk rules (when). Scores are resolved to option codes at load time, so evaluation only looks at
# the codes given.


@dataclass(frozen=True)
class AnswerIn:
    """The item's answer is one of `codes`; or, negated, anything else including no answer."""

    item: str
    codes: frozenset[str]
    negate: bool = False

    def holds(self, answers: Mapping[str, str]) -> bool:
        answered_in = answers.get(self.item) in self.codes
        return not answered_in if self.negate else answered_in

    def describe(self) -> str:
        codes = " or ".join(sorted(self.codes))
        return f"{self.item} is {'not ' if self.negate else ''}{codes}"


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, str]) -> bool:
        return all(condition.holds(answers) for condition in self.conditions)

    def describe(self) -> str:
        return "(" + " and ".join(condition.describe() for condition in self.conditions) + ")"


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def holds(self, answers: Mapping[str, str]) -> bool:
        return any(condition.holds(answers) for condition in self.conditions)

    def describe(self) -> str:
        return "(" + " or ".join(condition.describe() for condition in self.conditions) + ")"


Condition = AnswerIn | AllOf | AnyOf


def condition_items(condition: Condition) -> set[str]:
    if isinstance(condition, AnswerIn):
        return {condition.item}
    return set().union(*(condition_items(part) for part in condition.conditions))


# The definition


@dataclass(frozen=True)
class Coding:
    """A code in a code system (LOINC here). `code` is None where the spec found none."""

    code: str | None
    system: str | None
    provenance: Provenance


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    score: int | None
    not_applicable: bool = False
    loinc: Coding | None = None


@dataclass(frozen=True)
class Item:
    id: str
    number: str
    text: str
    scored: bool
    optional: bool
    options: tuple[Option, ...]  # in the order of the published form
    loinc: Coding | None = None
    recall: str | None = None
    ask_when: Condition | None = None  # None: always asked
    risk_positive_when: Condition | None = None  # set only on risk items
    options_by_code: Mapping[str, Option] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_risk_item(self) -> bool:
        return self.risk_positive_when is not None

    def option(self, code: str) -> Option:
        return self.options_by_code[code]


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    min: int
    max: int
    follow_up: tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskRule:
    id: str
    level: str
    when: Condition
    follow_up: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Scoring:
    method: str  # "sum" or "risk_category" (never a sum)
    min: int | None
    max: int | None
    missing_rule: str | None  # "no_total" or "prorate"
    max_missing: int  # for "prorate": how many scored items may be missing
    provenance: Provenance


@dataclass(frozen=True)
class Licence:
    holder: str
    terms: str
    wording: str  # "verbatim": the instrument's own wording; "descriptor": Rapport's neutral descriptors
    provenance: Provenance


@dataclass(frozen=True)
class Recall:
    period: str | None  # ISO 8601 duration, or None where the instrument fixes none
    text: str


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    short_title: str
    respondent: str
    recall: Recall
    stem: str | None
    licence: Licence
    loinc_panel: Coding | None
    loinc_total: Coding | None
    items: tuple[Item, ...]  # display order
    scoring: Scoring
    bands: tuple[Band, ...]
    bands_provenance: Provenance | None
    risk_rules: tuple[RiskRule, ...]
    risk_level_codes: Mapping[str, Coding]
    branching_provenance: Provenance | None
    notes: tuple[str, ...]
    source_file: str
    items_by_id: Mapping[str, Item] = field(default_factory=dict, repr=False, compare=False)

    def item(self, item_id: str) -> Item:
        return self.items_by_id[item_id]

    @cached_property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @cached_property
    def branching_items(self) -> tuple[Item, ...]:
        """Items asked only under a condition (C-SSRS Q3-Q5 and Q6b)."""
        return tuple(item for item in self.items if item.ask_when is not None)

    @cached_property
    def risk_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.is_risk_item)

    @property
    def asks_about_risk(self) -> bool:
        """False for the PHQ-2, GAD-7 and WSAS: their risk level 'none' means 'not asked'."""
        return bool(self.risk_items)

    def band_for(self, total: int) -> Band | None:
        for band in self.bands:
            if band.min <= total <= band.max:
                return band
        return None


def get(instrument_id: str) -> Instrument:
    instruments = _load_all()
    try:
        return instruments[instrument_id]
    except (KeyError, TypeError):
        known = ", ".join(sorted(instruments))
        raise UnknownInstrument(f"unknown instrument {instrument_id!r}; known: {known}") from None


def all_instruments() -> tuple[Instrument, ...]:
    """Every instrument, ordered by id."""
    instruments = _load_all()
    return tuple(instruments[key] for key in sorted(instruments))


@cache
def _load_all() -> dict[str, Instrument]:
    return load_directory(INSTRUMENTS_DIR)


def load_directory(directory: Path) -> dict[str, Instrument]:
    instruments = {}
    for path in sorted(directory.glob("*.yaml")):
        instrument = load_instrument(path)
        instruments[instrument.id] = instrument
    if not instruments:
        raise DefinitionError(f"{directory}: no instrument definitions found")
    # Follow-ups name other instruments, so they are checked once every file has been read.
    for instrument in instruments.values():
        follow_ups = [(f"bands ({band.id})", band.follow_up) for band in instrument.bands]
        follow_ups += [(f"risk_rules ({rule.id})", rule.follow_up) for rule in instrument.risk_rules]
        for where, targets in follow_ups:
            for target in targets:
                if target not in instruments:
                    raise DefinitionError(
                        f"{instrument.source_file}: {where}.follow_up: unknown instrument {target!r}"
                    )
    return instruments


def load_instrument(path: Path) -> Instrument:
    root = load_yaml(path)
    instrument = parse_instrument(root)
    if instrument.id != path.stem:
        root.child("id").fail(f"must match the file name ({path.stem!r}), got {instrument.id!r}")
    return instrument


TOP_LEVEL = (
    "id",
    "version",
    "title",
    "short_title",
    "respondent",
    "recall",
    "stem",
    "licence",
    "loinc",
    "answer_lists",
    "items",
    "branching",
    "scoring",
    "bands",
    "risk_rules",
    "risk_level_codes",
    "notes",
)


def parse_instrument(root: Node) -> Instrument:
    root.mapping(TOP_LEVEL)
    answer_lists = _answer_lists(root.child("answer_lists"))
    items = _items(root.child("items"), answer_lists)
    items_by_id = {item.id: item for item in items}
    scoring = _scoring(root.child("scoring"), items)
    bands, bands_provenance = _bands(root.child("bands", required=False), scoring)
    risk_rules = _risk_rules(root.child("risk_rules"), items_by_id)
    _check_risk_items_are_used(root, items, risk_rules)
    if scoring.method == "risk_category" and not risk_rules:
        root.child("risk_rules").fail("a risk-category instrument needs at least one risk rule")
    loinc = root.child("loinc", required=False)
    if loinc.value is not None:
        loinc.mapping({"panel", "total"})
    branching = root.child("branching", required=False)
    return Instrument(
        id=root.child("id").required_text(),
        version=root.child("version").required_text(),
        title=root.child("title").required_text(),
        short_title=root.child("short_title").required_text(),
        respondent=root.child("respondent").choice(RESPONDENTS),
        recall=_recall(root.child("recall")),
        stem=root.child("stem", required=False).text(nullable=True),
        licence=_licence(root.child("licence")),
        loinc_panel=_coding(loinc.child("panel")) if loinc.has("panel") else None,
        loinc_total=_coding(loinc.child("total")) if loinc.has("total") else None,
        items=items,
        scoring=scoring,
        bands=bands,
        bands_provenance=bands_provenance,
        risk_rules=risk_rules,
        risk_level_codes=_risk_level_codes(root.child("risk_level_codes", required=False)),
        branching_provenance=(
            provenance(branching.mapping({"verified", "confidence", "source"}))
            if branching.value is not None
            else None
        ),
        notes=root.child("notes", required=False).text_list(),
        source_file=root.file,
        items_by_id=items_by_id,
    )


def _recall(node: Node) -> Recall:
    node.mapping({"period", "text"})
    return Recall(
        period=node.child("period").text(nullable=True),
        text=node.child("text").required_text(),
    )


def _licence(node: Node) -> Licence:
    node.mapping({"holder", "terms", "wording", "verified", "confidence", "source"})
    return Licence(
        holder=node.child("holder").required_text(),
        terms=node.child("terms").required_text(),
        wording=node.child("wording").choice(WORDINGS),
        provenance=provenance(node),
    )


def _coding(node: Node) -> Coding:
    node.mapping({"code", "system", "verified", "confidence", "source"})
    code = node.child("code").text(nullable=True)
    system = node.child("system", required=False).text(nullable=True)
    coding = Coding(code=code, system=system, provenance=provenance(node))
    if code is not None and system is None:
        node.fail("a code needs its 'system'")
    if code is None and coding.provenance.verified:
        node.fail("a missing code cannot be verified")
    return coding


def _answer_lists(node: Node) -> dict[str, tuple[Node, list[Node]]]:
    lists = {}
    for name, list_node in node.items():
        lists[name] = (list_node, list_node.elements(allow_empty=False))
    return lists


def _options(list_node: Node, option_nodes: list[Node]) -> tuple[Option, ...]:
    options = []
    seen: set[str] = set()
    for node in option_nodes:
        node.mapping({"code", "label", "score", "not_applicable", "loinc"})
        code = node.child("code").required_text()
        if code in seen:
            node.child("code").fail(f"duplicate option code {code!r} in this list")
        seen.add(code)
        not_applicable = node.child("not_applicable", required=False).boolean(default=False)
        # `score` must always be written out, null included, so that a forgotten score is caught.
        score = node.child("score").integer(nullable=True)
        if not_applicable and score is not None:
            node.child("score").fail("a not-applicable option has no score (null)")
        loinc = node.child("loinc", required=False)
        options.append(
            Option(
                code=code,
                label=node.child("label").required_text(),
                score=score,
                not_applicable=not_applicable,
                loinc=_coding(loinc) if loinc.value is not None else None,
            )
        )
    return tuple(options)


ITEM_FIELDS = (
    "id",
    "number",
    "text",
    "scored",
    "optional",
    "options",
    "loinc",
    "recall",
    "ask_when",
    "risk",
)


def _items(node: Node, answer_lists: dict[str, tuple[Node, list[Node]]]) -> tuple[Item, ...]:
    items: list[Item] = []
    used_lists: set[str] = set()
    numbers: set[str] = set()
    for item_node in node.elements(allow_empty=False):
        item_node.mapping(ITEM_FIELDS)
        item_id = item_node.child("id").required_text()
        if any(item.id == item_id for item in items):
            item_node.child("id").fail(f"duplicate item id {item_id!r}")
        number = item_node.child("number").required_text()
        if number in numbers:
            item_node.child("number").fail(f"duplicate item number {number!r}")
        numbers.add(number)
        list_name = item_node.child("options").choice(sorted(answer_lists))
        used_lists.add(list_name)
        options = _options(*answer_lists[list_name])
        scored = item_node.child("scored").boolean()
        optional = item_node.child("optional", required=False).boolean(default=False)
        if scored and optional:
            item_node.child("optional").fail("a scored item cannot be optional")
        if scored:
            if all(option.score is None for option in options):
                item_node.child("options").fail("a scored item needs at least one option with a score")
            for option in options:
                if option.score is None and not option.not_applicable:
                    item_node.child("options").fail(
                        f"option {option.code!r} of a scored item needs a score (or not_applicable: true)"
                    )
        loinc = item_node.child("loinc", required=False)
        partial = Item(
            id=item_id,
            number=number,
            text=item_node.child("text").required_text(),
            scored=scored,
            optional=optional,
            options=options,
            loinc=_coding(loinc) if loinc.value is not None else None,
            recall=item_node.child("recall", required=False).text(nullable=True),
            options_by_code={option.code: option for option in options},
        )
        # Branching may only look back at items already asked, so a form can be shown in order.
        earlier = {item.id: item for item in items}
        ask_when = item_node.child("ask_when", required=False)
        risk = item_node.child("risk", required=False)
        risk_positive_when = None
        if risk.value is not None:
            risk.mapping({"positive_when"})
            risk_positive_when = _condition(risk.child("positive_when"), {item_id: partial}, implied=item_id)
        items.append(
            replace(
                partial,
                ask_when=_condition(ask_when, earlier) if ask_when.value is not None else None,
                risk_positive_when=risk_positive_when,
            )
        )
    unused = sorted(set(answer_lists) - used_lists)
    if unused:
        node.fail(f"answer list(s) {', '.join(unused)} are not used by any item")
    return tuple(items)


def _condition(node: Node, items: Mapping[str, Item], implied: str | None = None) -> Condition:
    """Parse a condition. `implied` is the item a condition on a single item refers to."""
    node.mapping({"item", "answer_in", "answer_not_in", "score_at_least", "all_of", "any_of"})
    for combinator, kind in (("all_of", AllOf), ("any_of", AnyOf)):
        if node.has(combinator):
            if len(node.value) != 1:
                node.fail(f"'{combinator}' stands alone in its condition")
            parts = node.child(combinator).elements(allow_empty=False)
            return kind(tuple(_condition(part, items, implied) for part in parts))
    tests = [key for key in ("answer_in", "answer_not_in", "score_at_least") if node.has(key)]
    if len(tests) != 1:
        node.fail("a condition needs exactly one of answer_in, answer_not_in, score_at_least, all_of, any_of")
    if implied is not None and not node.has("item"):
        item_id = implied
    else:
        item_id = node.child("item").choice(sorted(items))
    if implied is not None and item_id != implied:
        node.child("item").fail(f"an item's own condition can only refer to itself ({implied!r})")
    item = items[item_id]
    test = tests[0]
    if test == "score_at_least":
        threshold = node.child(test).required_integer()
        codes = frozenset(
            option.code for option in item.options if option.score is not None and option.score >= threshold
        )
        if not codes:
            node.child(test).fail(f"no option of {item_id!r} scores {threshold} or more")
        return AnswerIn(item_id, codes)
    code_nodes = node.child(test).elements(allow_empty=False)
    codes = frozenset(code_node.choice(list(item.options_by_code)) for code_node in code_nodes)
    return AnswerIn(item_id, codes, negate=test == "answer_not_in")


def _scoring(node: Node, items: tuple[Item, ...]) -> Scoring:
    node.mapping({"method", "min", "max", "missing", "verified", "confidence", "source"})
    method = node.child("method").choice(SCORING_METHODS)
    scored = [item for item in items if item.scored]
    if method == "risk_category":
        if scored:
            node.child("method").fail("a risk-category instrument has no scored items (it is never a sum)")
        for key in ("min", "max", "missing"):
            if node.has(key):
                node.child(key).fail("a risk-category instrument has no total")
        return Scoring(method, None, None, None, 0, provenance(node))

    if not scored:
        node.child("method").fail("a summed instrument needs at least one scored item")
    for item in scored:
        if item.ask_when is not None:
            node.child("method").fail(f"scored item {item.id!r} cannot be skipped by branching in a sum")
    low = node.child("min").required_integer()
    high = node.child("max").required_integer()
    expected_low = sum(min(o.score for o in item.options if o.score is not None) for item in scored)
    expected_high = sum(max(o.score for o in item.options if o.score is not None) for item in scored)
    if (low, high) != (expected_low, expected_high):
        node.fail(f"range {low}-{high} does not match the options, which give {expected_low}-{expected_high}")
    missing = node.child("missing").mapping({"rule", "max_missing"})
    rule = missing.child("rule").choice(MISSING_RULES)
    max_missing = 0
    if rule == "prorate":
        max_missing = missing.child("max_missing").required_integer()
        if not 1 <= max_missing < len(scored):
            missing.child("max_missing").fail(f"must be between 1 and {len(scored) - 1}")
    elif missing.has("max_missing"):
        missing.child("max_missing").fail("only the 'prorate' rule takes max_missing")
    return Scoring(method, low, high, rule, max_missing, provenance(node))


def _bands(node: Node, scoring: Scoring) -> tuple[tuple[Band, ...], Provenance | None]:
    if node.value is None:
        if scoring.method == "sum":
            node.fail("a summed instrument needs bands")
        return (), None
    if scoring.method != "sum" or scoring.min is None or scoring.max is None:
        node.fail("only a summed instrument has bands")
    node.mapping({"ranges", "verified", "confidence", "source"})
    bands = []
    ranges = node.child("ranges")
    for band_node in ranges.elements(allow_empty=False):
        band_node.mapping({"id", "label", "min", "max", "follow_up"})
        band = Band(
            id=band_node.child("id").required_text(),
            label=band_node.child("label").required_text(),
            min=band_node.child("min").required_integer(),
            max=band_node.child("max").required_integer(),
            follow_up=band_node.child("follow_up", required=False).text_list(),
        )
        if band.min > band.max:
            band_node.fail(f"min {band.min} is above max {band.max}")
        bands.append(band)
    # The bands must cover the whole range exactly once, in order: a gap would leave a total
    # without a band, an overlap would make the band depend on the order of the list.
    expected = scoring.min
    for band in bands:
        if band.min != expected:
            ranges.fail(f"band {band.id!r} starts at {band.min}; expected {expected} (no gaps or overlaps)")
        expected = band.max + 1
    if expected - 1 != scoring.max:
        ranges.fail(f"the bands end at {expected - 1}; the total goes up to {scoring.max}")
    ids = [band.id for band in bands]
    if len(set(ids)) != len(ids):
        ranges.fail("band ids must be unique")
    return tuple(bands), provenance(node)


def _risk_rules(node: Node, items: Mapping[str, Item]) -> tuple[RiskRule, ...]:
    levels = triage_rules().levels
    rules = []
    for rule_node in node.elements():
        rule_node.mapping({"id", "level", "when", "follow_up", "verified", "confidence", "source"})
        level = rule_node.child("level").choice(levels)
        if level == levels[0]:
            rule_node.child("level").fail(f"a rule that raises nothing ({level!r}) is not a risk rule")
        rules.append(
            RiskRule(
                id=rule_node.child("id").required_text(),
                level=level,
                when=_condition(rule_node.child("when"), items),
                follow_up=rule_node.child("follow_up", required=False).text_list(),
                provenance=provenance(rule_node),
            )
        )
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        node.fail("risk rule ids must be unique")
    return tuple(rules)


def _check_risk_items_are_used(root: Node, items: Sequence[Item], rules: Sequence[RiskRule]) -> None:
    """Risk rules look only at risk items, and every risk item feeds a rule.

    So an unanswered item that could change the risk level is always reported as an unanswered
    risk item, and an item flagged as positive always has a level behind it.
    """
    used = set().union(*(condition_items(rule.when) for rule in rules)) if rules else set()
    risk_item_ids = {item.id for item in items if item.is_risk_item}
    for item_id in sorted(used - risk_item_ids):
        root.child("risk_rules").fail(f"rules look at {item_id!r}, which is not marked as a risk item")
    for item_id in sorted(risk_item_ids - used):
        root.child("items").fail(f"risk item {item_id!r} is not used by any risk rule")


def _risk_level_codes(node: Node) -> dict[str, Coding]:
    if node.value is None:
        return {}
    levels = triage_rules().levels
    codes = {}
    for level, coding_node in node.items():
        if level not in levels:
            node.fail(f"unknown risk level {level!r}; known: {', '.join(levels)}")
        codes[level] = _coding(coding_node)
    return codes
