"""Screening free text for risk phrases, read from safety/risk_phrases.yaml (spec 3.2).

A match asks a therapist to review the text (tier T1). It is never an emergency response and
never the only safety net: it misses anything said in other words. Whether screening runs at all
is the `free_text_keywords` trigger in triage_rules.yaml (`enabled()`); `screen()` itself always
screens, so that it can be tested and previewed while the trigger is off.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapport.core.datafiles import Node, Provenance, load_yaml, provenance
from rapport.core.triage import triage_rules

RISK_PHRASES = Path(__file__).parent / "safety" / "risk_phrases.yaml"
TRIGGER = "free_text_keywords"

# Curly and other look-alike quotes are made straight before apostrophes are dropped.
_QUOTES = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark, the usual typed apostrophe
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",  # prime
        "\u02bc": "'",  # modifier letter apostrophe
        "`": "'",
        "\u00b4": "'",  # acute accent, typed as an apostrophe on some keyboards
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
    }
)
_DASHES = re.compile(r"[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")


@dataclass(frozen=True)
class Match:
    id: str  # the entry's id
    category: str
    phrase: str  # as written in the file


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class PhraseList:
    version: str
    categories: dict[str, str]  # id -> label, in file order
    entries: tuple[Entry, ...]
    provenance: Provenance
    notes: tuple[str, ...]
    # (normalised phrase padded with spaces, match) in file order, built once at load time.
    patterns: tuple[tuple[str, Match], ...]


def enabled() -> bool:
    """Whether free-text screening is switched on (triage_rules.yaml, free_text_keywords)."""
    return triage_rules().trigger(TRIGGER).enabled


def screen(text: str) -> tuple[Match, ...]:
    """Every phrase found in `text`, in the order of the file, each (entry, phrase) once.

    Whole words only, no negation handling (see the notes in risk_phrases.yaml).
    """
    padded = f" {normalise(text)} "
    if padded.isspace():
        return ()
    return tuple(match for pattern, match in phrase_list().patterns if pattern in padded)


def normalise(text: str) -> str:
    """Lower case, straight apostrophes dropped, dashes as spaces, word-edge punctuation stripped.

    The result is words separated by single spaces, so a phrase padded with spaces is found in a
    text padded with spaces only where it stands as whole words.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    text = _DASHES.sub(" ", text.replace("'", ""))
    words = (_strip_edges(word) for word in text.split())
    return " ".join(word for word in words if word)


def _strip_edges(word: str) -> str:
    start, end = 0, len(word)
    while start < end and not word[start].isalnum():
        start += 1
    while end > start and not word[end - 1].isalnum():
        end -= 1
    return word[start:end]


@cache
def phrase_list() -> PhraseList:
    return load_phrases(RISK_PHRASES)


def load_phrases(path: Path) -> PhraseList:
    root = load_yaml(path).mapping(
        {"version", "verified", "confidence", "source", "notes", "categories", "entries"}
    )
    categories: dict[str, str] = {}
    for node in root.child("categories").elements(allow_empty=False):
        node.mapping({"id", "label"})
        category = node.child("id").required_text()
        if category in categories:
            node.fail(f"duplicate category {category!r}")
        categories[category] = node.child("label").required_text()

    entries: list[Entry] = []
    patterns: list[tuple[str, Match]] = []
    first_seen: dict[str, str] = {}  # normalised phrase -> the entry that lists it
    for node in root.child("entries").elements(allow_empty=False):
        entry = _entry(node, categories)
        if any(entry.id == other.id for other in entries):
            node.fail(f"duplicate entry id {entry.id!r}")
        phrases_node = node.child("phrases")
        normalised_in_entry: list[str] = []
        for where, phrase in zip(phrases_node.elements(), entry.phrases, strict=True):
            normal = normalise(phrase)
            if not normal:
                where.fail("has no words left once punctuation is stripped")
            if normal in first_seen:
                where.fail(f"{phrase!r} is already listed under {first_seen[normal]!r}")
            first_seen[normal] = entry.id
            normalised_in_entry.append(normal)
            patterns.append((f" {normal} ", Match(entry.id, entry.category, phrase)))
        # Within one entry a phrase containing another adds nothing but a second match.
        for normal in normalised_in_entry:
            for other in normalised_in_entry:
                if other != normal and f" {other} " in f" {normal} ":
                    phrases_node.fail(f"{normal!r} contains {other!r}, which already matches it")
        entries.append(entry)

    return PhraseList(
        version=root.child("version").required_text(),
        categories=categories,
        entries=tuple(entries),
        provenance=provenance(root),
        notes=root.child("notes", required=False).text_list(),
        patterns=tuple(patterns),
    )


def _entry(node: Node, categories: dict[str, str]) -> Entry:
    node.mapping({"id", "category", "phrases"})
    phrases = node.child("phrases")
    return Entry(
        id=node.child("id").required_text(),
        category=node.child("category").choice(list(categories)),
        phrases=tuple(element.required_text() for element in phrases.elements(allow_empty=False)),
    )
