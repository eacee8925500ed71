"""The client portal's Learn pages: which pages exist, in what order, read from learn.yaml.

The text of each page is a template fragment, ``portal/learn/<slug>.html``; this module only knows
the index, so it stays pure Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapport.core.datafiles import Node, load_yaml

LEARN_INDEX = Path(__file__).parent / "learn.yaml"

# Slugs go into URLs and template names: lower-case words joined by single hyphens.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A full stop, question or exclamation mark followed by more text means a second sentence.
SECOND_SENTENCE = re.compile(r"[.!?]\s+\S")


class UnknownPage(KeyError):
    """No Learn page has this slug."""


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str
    order: int

    @property
    def template_name(self) -> str:
        return f"portal/learn/{self.slug}.html"


@dataclass(frozen=True)
class LearnIndex:
    version: str
    pages: tuple[Page, ...]  # in reading order


@cache
def index() -> LearnIndex:
    return load_index()


def pages() -> tuple[Page, ...]:
    return index().pages


def get(slug: str) -> Page:
    for page in pages():
        if page.slug == slug:
            return page
    raise UnknownPage(slug)


def load_index(path: Path = LEARN_INDEX) -> LearnIndex:
    root = load_yaml(path).mapping({"version", "pages"})
    pages_node = root.child("pages")
    loaded = [_page(node) for node in pages_node.elements(allow_empty=False)]
    _unique(pages_node, [page.slug for page in loaded], "slug")
    _unique(pages_node, [str(page.order) for page in loaded], "order")
    return LearnIndex(
        version=root.child("version").required_text(),
        pages=tuple(sorted(loaded, key=lambda page: page.order)),
    )


def _page(node: Node) -> Page:
    node.mapping({"slug", "title", "summary", "order"})
    slug_node = node.child("slug")
    slug = slug_node.required_text()
    if not SLUG.fullmatch(slug):
        slug_node.fail(f"{slug!r} is not a slug: use lower-case letters and digits joined by hyphens")
    summary_node = node.child("summary")
    summary = summary_node.required_text().strip()
    if SECOND_SENTENCE.search(summary):
        summary_node.fail("a summary is one sentence")
    order_node = node.child("order")
    order = order_node.required_integer()
    if order < 1:
        order_node.fail(f"expected a whole number from 1, got {order}")
    return Page(slug=slug, title=node.child("title").required_text().strip(), summary=summary, order=order)


def _unique(node: Node, values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            node.fail(f"duplicate {what} {value!r}")
        seen.add(value)
