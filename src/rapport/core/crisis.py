"""Crisis lines per country, read from safety/crisis_lines/<CC>.yaml (spec 3.4).

Numbers change, so every file carries the date it was verified, who verified it, where it came
from and how often it must be checked again. A client whose country has no file gets the generic
entry: no numbers at all, only an international directory, never an error and never another
country's numbers.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import quote

from rapport.core.datafiles import DefinitionError, Node, Provenance, load_yaml, provenance

CRISIS_LINES_DIR = Path(__file__).parent / "safety" / "crisis_lines"
GENERIC = "generic"
CHANNELS = ("phone", "text", "chat")

# Codes people commonly type that are not the ISO 3166 alpha-2 code of their country.
ALIASES = {"UK": "GB"}

_COUNTRY = re.compile(r"[A-Z]{2}")
_NUMBER = re.compile(r"\+?[0-9][0-9 -]*")
_KEYWORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class Line:
    id: str
    label: str
    number: str  # as people write it: "116 123", "13 11 14"
    channels: tuple[str, ...]  # phone | text | chat
    hours: str  # "" when the spec does not say
    cost: str  # "" when the spec does not say
    text_keyword: str = ""  # the word to text, e.g. HOME to 741741
    provenance: Provenance | None = None

    @property
    def tel_href(self) -> str:
        """`tel:` link with digits and a leading + only; "" for a line that does not take calls."""
        if "phone" not in self.channels:
            return ""
        return "tel:" + _dialable(self.number)

    @property
    def sms_href(self) -> str:
        """`sms:` link, with the keyword as the message body; "" for a line that does not take texts."""
        if "text" not in self.channels:
            return ""
        href = "sms:" + _dialable(self.number)
        if self.text_keyword:
            href += "?body=" + quote(self.text_keyword)
        return href


@dataclass(frozen=True)
class CrisisResources:
    country: str  # ISO 3166 alpha-2; "" for the generic entry
    name: str
    locale: str
    verified_on: date
    source_url: str
    review_months: int
    emergency: tuple[Line, ...]
    crisis_lines: tuple[Line, ...]
    text_lines: tuple[Line, ...]  # services reached by text only; a crisis line may take texts too
    fallback_directory_url: str
    notes: tuple[str, ...]
    generic: bool
    verified_by: str | None = None  # None until a human has checked every number
    source_file: str = ""

    @property
    def review_due_on(self) -> date:
        return add_months(self.verified_on, self.review_months)

    @property
    def lines(self) -> tuple[Line, ...]:
        """Every line, emergency numbers first."""
        return self.emergency + self.crisis_lines + self.text_lines

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(f"{self.source_file}: unknown line {line_id!r}")


def for_country(code: str | None) -> CrisisResources:
    """The resources for a client's country; the generic entry when the country has none.

    Never raises for a client's country: a missing, unknown or malformed code gets the generic
    entry, which sends the person to an international directory instead of a wrong number.
    """
    countries, generic = _load_all()
    if not isinstance(code, str):
        return generic
    key = code.strip().upper()
    return countries.get(ALIASES.get(key, key), generic)


def all_countries() -> list[CrisisResources]:
    """Every country with its own file, ordered by country code (the generic entry is not one)."""
    countries, _ = _load_all()
    return [countries[code] for code in sorted(countries)]


def due_for_review(today: date, within_days: int = 30) -> list[CrisisResources]:
    """Entries whose review falls on or before `today + within_days`, soonest first.

    The generic entry is included: its directory link needs checking like any number (spec 7.14).
    """
    countries, generic = _load_all()
    horizon = today + timedelta(days=within_days)
    entries = [*(countries[code] for code in sorted(countries)), generic]
    due = [entry for entry in entries if entry.review_due_on <= horizon]
    return sorted(due, key=lambda entry: entry.review_due_on)  # stable: ties stay in code order


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months; a day past the end of the month becomes its last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@cache
def _load_all() -> tuple[dict[str, CrisisResources], CrisisResources]:
    return load_directory(CRISIS_LINES_DIR)


def load_directory(directory: Path) -> tuple[dict[str, CrisisResources], CrisisResources]:
    """Every country file by code, and the generic entry (which must exist)."""
    countries: dict[str, CrisisResources] = {}
    generic = None
    for path in sorted(directory.glob("*.yaml")):
        resources = load_file(path)
        if resources.generic:
            generic = resources
        else:
            countries[resources.country] = resources
    if generic is None:
        raise DefinitionError(f"{directory}: {GENERIC}.yaml is missing; unknown countries need it")
    return countries, generic


def load_file(path: Path) -> CrisisResources:
    root = load_yaml(path).mapping(
        {
            "country",
            "generic",
            "name",
            "locale",
            "verified_on",
            "verified_by",
            "source_url",
            "review_months",
            "emergency",
            "crisis_lines",
            "text_lines",
            "fallback_directory_url",
            "notes",
        }
    )
    generic = root.child("generic", required=False).boolean(default=False)
    if path.stem == GENERIC:
        if not generic:
            root.fail(f"{GENERIC}.yaml must say 'generic: true'")
        if root.child("country", required=False).value is not None:
            root.child("country").fail("the generic entry has no country; leave it null")
        country = ""
    else:
        if generic:
            root.child("generic").fail(f"only {GENERIC}.yaml may be generic")
        country = root.child("country").required_text()
        if country != path.stem:
            root.child("country").fail(f"is {country!r} but the file is {path.name}; they must match")
        if not _COUNTRY.fullmatch(country):
            root.child("country").fail("expected an ISO 3166 alpha-2 code in capitals, such as GB")

    verified_by = root.child("verified_by").text(nullable=True)
    review_months = root.child("review_months").required_integer()
    if not 1 <= review_months <= 24:
        root.child("review_months").fail(f"expected 1 to 24 months, got {review_months}")

    emergency = _lines(root.child("emergency"), require="phone")
    crisis_lines = _lines(root.child("crisis_lines"))
    text_lines = _lines(root.child("text_lines"), require="text")
    everything = emergency + crisis_lines + text_lines
    seen: set[str] = set()
    for line in everything:
        if line.id in seen:
            root.fail(f"duplicate line id {line.id!r}")
        seen.add(line.id)
    if generic and everything:
        root.fail("the generic entry must list no numbers: a number is right for one country only")
    if not generic and not emergency:
        root.child("emergency").fail("a country needs its emergency number")

    return CrisisResources(
        country=country,
        name=root.child("name").required_text(),
        locale=root.child("locale").required_text(),
        verified_on=_date(root.child("verified_on")),
        source_url=_url(root.child("source_url")),
        review_months=review_months,
        emergency=emergency,
        crisis_lines=crisis_lines,
        text_lines=text_lines,
        fallback_directory_url=_url(root.child("fallback_directory_url")),
        notes=root.child("notes", required=False).text_list(),
        generic=generic,
        verified_by=verified_by,
        source_file=path.name,
    )


def _lines(node: Node, *, require: str | None = None) -> tuple[Line, ...]:
    return tuple(_line(element, require) for element in node.elements())


def _line(node: Node, require: str | None) -> Line:
    node.mapping(
        {
            "id",
            "label",
            "number",
            "channels",
            "hours",
            "cost",
            "text_keyword",
            "verified",
            "confidence",
            "source",
        }
    )
    number_node = node.child("number")
    # YAML reads an unquoted 999 as a whole number; numbers are text so "0800 ..." keeps its zero.
    number = number_node.required_text().strip()
    if not _NUMBER.fullmatch(number):
        number_node.fail(f"expected digits, spaces and hyphens with an optional leading +, got {number!r}")

    channels_node = node.child("channels")
    channels = tuple(element.choice(CHANNELS) for element in channels_node.elements(allow_empty=False))
    if len(set(channels)) != len(channels):
        channels_node.fail("lists a channel twice")
    if require is not None and require not in channels:
        channels_node.fail(f"a line in this list must include {require!r}")

    keyword_node = node.child("text_keyword", required=False)
    keyword = keyword_node.text(nullable=True) or ""
    if keyword and "text" not in channels:
        keyword_node.fail("a text keyword needs the 'text' channel")
    if keyword and not _KEYWORD.fullmatch(keyword):
        keyword_node.fail(f"expected one word of letters and digits, got {keyword!r}")

    return Line(
        id=node.child("id").required_text(),
        label=node.child("label").required_text(),
        number=number,
        channels=channels,
        hours=node.child("hours", required=False).text(nullable=True) or "",
        cost=node.child("cost", required=False).text(nullable=True) or "",
        text_keyword=keyword,
        provenance=provenance(node),
    )


def _date(node: Node) -> date:
    value = node.value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    node.fail(f"expected a date such as 2025-01-01, got {value!r}")


def _url(node: Node) -> str:
    url = node.required_text().strip()
    if not url.startswith("https://"):
        node.fail(f"expected an https:// address, got {url!r}")
    return url


def _dialable(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return ("+" + digits) if number.startswith("+") else digits
