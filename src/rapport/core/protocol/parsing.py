"""Small helpers shared by the protocol's loaders: ids, labels, id lists and numbers, strictly."""

from __future__ import annotations

from rapport.core.datafiles import PROVENANCE_KEYS, Node
from rapport.core.protocol.model import Label


def unique_ids(list_node: Node, nodes: list[Node], what: str) -> list[str]:
    ids: list[str] = []
    for node in nodes:
        value = node.child("id").required_text()
        if value in ids:
            node.child("id").fail(f"duplicate {what} id {value!r}")
        ids.append(value)
    return ids


def labels(node: Node, text_key: str, what: str) -> tuple[Label, ...]:
    elements = node.elements(allow_empty=False)
    for element in elements:
        element.mapping({"id", text_key})
    ids = unique_ids(node, elements, what)
    return tuple(
        Label(id=id_, text=element.child(text_key).required_text())
        for id_, element in zip(ids, elements, strict=True)
    )


def id_list(node: Node, known: list[str] | tuple[str, ...], *, allow_empty: bool = True) -> tuple[str, ...]:
    values = tuple(element.choice(known) for element in node.elements(allow_empty=allow_empty))
    if len(set(values)) != len(values):
        node.fail("lists the same id twice")
    return values


def positive(node: Node, *, zero: bool = False) -> int:
    value = node.required_integer()
    if value < (0 if zero else 1):
        node.fail(f"must be {'zero or more' if zero else 'at least 1'}, got {value}")
    return value


def with_provenance(*keys: str) -> set[str]:
    return {*keys, *PROVENANCE_KEYS}
