"""Reading the clinical YAML files strictly: every mistake names the file and the field."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml

CONFIDENCE_TAGS = ("C", "S", "U")
PROVENANCE_KEYS = ("verified", "confidence", "source")
# libyaml's loader, where PyYAML was built with it: the pure-Python one took about a second per
# process for the instruments alone (several on a loaded machine), in every test worker and server.
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DefinitionError(ValueError):
    """A clinical data file is malformed. The message names the file and the field."""


@dataclass(frozen=True)
class Provenance:
    """The spec's confidence tag for a value: verified only when the spec confirms it ([C])."""

    verified: bool
    confidence: str
    source: str | None


def load_yaml(path: Path) -> Node:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: is not valid YAML ({exc})") from exc
    return Node(path.name, "", data)


class Node:
    """A value read from a data file, with where it came from, for loud and precise errors."""

    def __init__(self, file: str, path: str, value: Any) -> None:
        self.file = file
        self.path = path
        self.value = value

    def fail(self, message: str) -> NoReturn:
        raise DefinitionError(f"{self.file}: {self.path or '(top level)'}: {message}")

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    # Shapes

    def mapping(self, allowed: Collection[str] | None = None) -> Node:
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping, got {_kind(self.value)}")
        if allowed is not None:
            unknown = sorted(str(key) for key in self.value if key not in allowed)
            if unknown:
                self.fail(f"unknown field(s) {', '.join(unknown)}; expected some of {', '.join(allowed)}")
        return self

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def child(self, key: str, *, required: bool = True) -> Node:
        self.mapping()
        if key not in self.value:
            if required:
                self.fail(f"missing required field '{key}'")
            return Node(self.file, self._child_path(key), None)
        return Node(self.file, self._child_path(key), self.value[key])

    def items(self) -> Iterator[tuple[str, Node]]:
        self.mapping()
        for key, value in self.value.items():
            if not isinstance(key, str):
                self.fail(f"field names must be text, got {key!r}")
            yield key, Node(self.file, self._child_path(key), value)

    def elements(self, *, allow_empty: bool = True) -> list[Node]:
        if not isinstance(self.value, list):
            self.fail(f"expected a list, got {_kind(self.value)}")
        if not allow_empty and not self.value:
            self.fail("must not be empty")
        return [Node(self.file, self._child_path(index), value) for index, value in enumerate(self.value)]

    # Scalars

    def text(self, *, nullable: bool = False) -> str | None:
        if self.value is None and nullable:
            return None
        return self.required_text()

    def required_text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail(f"expected non-empty text, got {_kind(self.value)}")
        return self.value

    def integer(self, *, nullable: bool = False) -> int | None:
        if self.value is None and nullable:
            return None
        return self.required_integer()

    def required_integer(self) -> int:
        # bool is an int in Python; "true" where a number belongs is a mistake.
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.fail(f"expected a whole number, got {_kind(self.value)}")
        value: int = self.value
        return value

    def number(self) -> int | float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            self.fail(f"expected a number, got {_kind(self.value)}")
        value: int | float = self.value
        return value

    def boolean(self, *, default: bool | None = None) -> bool:
        if self.value is None and default is not None:
            return default
        if not isinstance(self.value, bool):
            self.fail(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def choice(self, choices: Collection[str]) -> str:
        if self.value not in choices:
            self.fail(f"expected one of {', '.join(choices)}, got {self.value!r}")
        return str(self.value)

    def text_list(self) -> tuple[str, ...]:
        if self.value is None:
            return ()
        return tuple(element.required_text() for element in self.elements())


def provenance(node: Node) -> Provenance:
    """Read `verified`, `confidence` and `source` from a mapping; a value short of [C] needs a source."""
    verified = node.child("verified").boolean()
    confidence = node.child("confidence").choice(CONFIDENCE_TAGS)
    source = node.child("source", required=False).text(nullable=True)
    if verified != (confidence == "C"):
        node.fail(f"verified is {str(verified).lower()} but confidence is {confidence}: only C is verified")
    if not verified and source is None:
        node.fail("an unverified value needs a 'source' saying where it came from")
    return Provenance(verified=verified, confidence=confidence, source=source)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool | int | float):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, str):
        return f"text {value!r}"
    return type(value).__name__
