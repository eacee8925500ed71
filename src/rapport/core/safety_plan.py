"""The safety plan's sections, read from safety/safety_plan_template.yaml, and checking a plan (spec 3.3).

A plan is a mapping of section id to an ordered list of items, each `{text, phone?,
available_hours?}`. `clean()` is the one place that decides what a valid plan is, so the pages,
the API and the tests all accept and reject the same plans.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rapport.core.datafiles import PROVENANCE_KEYS, Node, Provenance, load_yaml, provenance

SAFETY_PLAN_TEMPLATE = Path(__file__).parent / "safety" / "safety_plan_template.yaml"
FIELDS = ("text", "phone", "available_hours")

MAX_ITEMS = 20
MAX_TEXT = 500
MAX_PHONE = 30
MAX_HOURS = 100
_PHONE = re.compile(r"[0-9 +()-]*")

FIELD_NAMES = {"text": "text", "phone": "phone number", "available_hours": "hours"}


@dataclass(frozen=True)
class Section:
    id: str
    order: int  # 1 to 6, the order in which the plan is worked through
    title: str
    prompt: str  # a question to the client
    hint: str
    fields: tuple[str, ...]  # some of text, phone, available_hours; text always


@dataclass(frozen=True)
class Template:
    version: str
    sections: tuple[Section, ...]
    structure_provenance: Provenance | None = None
    wording_provenance: Provenance | None = None
    notes: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(section.id for section in self.sections)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(f"unknown safety plan section {section_id!r}; known: {', '.join(self.ids)}")


class InvalidPlan(ValueError):
    """A plan that cannot be saved. `problems` lists (section id, item index or None, message)."""

    def __init__(self, problems: list[tuple[str, int | None, str]]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(
                f"{section}: {message}" if index is None else f"{section}[{index}]: {message}"
                for section, index, message in problems
            )
        )


@cache
def template() -> Template:
    return load_template(SAFETY_PLAN_TEMPLATE)


def clean(data: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The plan with whitespace stripped and blank items dropped, every section in template order.

    Each item keeps exactly the fields its section takes, "" where one was left blank. Raises
    InvalidPlan listing every problem at once, with the index of the item as it was given.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"a safety plan is a mapping of section id to items, got {type(data).__name__}")
    plan_template = template()
    problems: list[tuple[str, int | None, str]] = []
    cleaned: dict[str, list[dict[str, str]]] = {}
    for section in plan_template.sections:
        cleaned[section.id] = _clean_section(section, data.get(section.id, []), problems)
    for key in data:
        if key not in plan_template.ids:
            problems.append((str(key), None, "This is not a section of the safety plan."))
    if problems:
        raise InvalidPlan(problems)
    return cleaned


def is_empty(plan: Mapping[str, Any]) -> bool:
    """True when no section has an item with anything written in it."""
    return not any(
        isinstance(item, Mapping) and any(isinstance(value, str) and value.strip() for value in item.values())
        for items in plan.values()
        if isinstance(items, list | tuple)
        for item in items
    )


def _clean_section(
    section: Section, items: Any, problems: list[tuple[str, int | None, str]]
) -> list[dict[str, str]]:
    if not isinstance(items, list | tuple):
        problems.append((section.id, None, "This section must be a list of items."))
        return []
    kept: list[dict[str, str]] = []
    for index, item in enumerate(items):
        found = len(problems)
        if not isinstance(item, Mapping):
            problems.append((section.id, index, "Each item must have a text field."))
            continue
        values: dict[str, str] = {}
        for key, value in item.items():
            if key not in section.fields:
                what = FIELD_NAMES.get(str(key), repr(key))
                problems.append((section.id, index, f"This section does not take a {what}."))
            elif value is None:
                values[key] = ""
            elif not isinstance(value, str):
                problems.append((section.id, index, f"The {FIELD_NAMES[key]} must be text."))
            else:
                values[key] = value.strip()
        if len(problems) > found:
            continue
        cleaned = {field: values.get(field, "") for field in section.fields}
        if not any(cleaned.values()):
            continue  # a row left blank is not an item
        problems.extend((section.id, index, message) for message in _item_problems(cleaned))
        kept.append(cleaned)
    if len(kept) > MAX_ITEMS:
        problems.append((section.id, None, f"A section can hold at most {MAX_ITEMS} items."))
    return kept


def _item_problems(item: dict[str, str]) -> list[str]:
    messages = []
    text, phone, hours = item["text"], item.get("phone", ""), item.get("available_hours", "")
    if not text and (phone or hours):
        messages.append("Add some text to say who or what this phone number or these hours are for.")
    if len(text) > MAX_TEXT:
        messages.append(f"The text is too long: at most {MAX_TEXT} characters.")
    if phone:
        if not _PHONE.fullmatch(phone):
            messages.append("A phone number may contain only digits, spaces, +, -, ( and ).")
        elif not any(character.isdigit() for character in phone):
            messages.append("The phone number has no digits.")
        if len(phone) > MAX_PHONE:
            messages.append(f"The phone number is too long: at most {MAX_PHONE} characters.")
    if len(hours) > MAX_HOURS:
        messages.append(f"The hours are too long: at most {MAX_HOURS} characters.")
    return messages


def load_template(path: Path) -> Template:
    root = load_yaml(path).mapping({"version", "structure", "wording", "notes", "sections"})
    sections_node = root.child("sections")
    sections: list[Section] = []
    for order, node in enumerate(sections_node.elements(allow_empty=False), start=1):
        section = _section(node, order)
        if any(section.id == other.id for other in sections):
            node.fail(f"duplicate section id {section.id!r}")
        sections.append(section)
    return Template(
        version=root.child("version").required_text(),
        sections=tuple(sections),
        structure_provenance=provenance(root.child("structure").mapping(PROVENANCE_KEYS)),
        wording_provenance=provenance(root.child("wording").mapping(PROVENANCE_KEYS)),
        notes=root.child("notes", required=False).text_list(),
    )


def _section(node: Node, order: int) -> Section:
    node.mapping({"id", "title", "prompt", "hint", "fields"})
    fields_node = node.child("fields")
    fields = tuple(element.choice(FIELDS) for element in fields_node.elements(allow_empty=False))
    if len(set(fields)) != len(fields):
        fields_node.fail("lists a field twice")
    if "text" not in fields:
        fields_node.fail("every section takes 'text'")
    # Stored items keep the same field order whatever order the file lists them in.
    fields = tuple(field for field in FIELDS if field in fields)
    return Section(
        id=node.child("id").required_text(),
        order=order,
        title=node.child("title").required_text().strip(),
        prompt=node.child("prompt").required_text().strip(),
        hint=node.child("hint").required_text().strip(),
        fields=fields,
    )
