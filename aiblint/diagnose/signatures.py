"""The failure signatures (aiblint/data/signatures.json), compiled once.

A pattern is a regular expression, or a list of them that must match in that order along the
line: "A, later B" is found in one pass each instead of a backtracking `A.*B` (linear on any line).
Signatures marked `"documented": false` are known failures the troubleshooting guide does not
describe; `harmless` ones are warnings the guide says to ignore, never a root cause.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "signatures.json"
_LITERAL_SPLIT = re.compile(r"\\.|\{\d*,?\d*\}|\[[^\]]*\]|\(\?P?<\w+>|\(\?[:!=]|[()\[\]{}.*+?^$|]")
_OPTIONAL = re.compile(r"\((?:[^()\\]|\\.)*\)(?:\?|\*|\{0,\d*\})|(?:\\.|[^\\()])(?:\?|\*|\{0,\d*\})")
_LOOKAROUND = re.compile(r"\(\?<?[!=][^()]*\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_#/'-]{3,}")


@dataclass(frozen=True)
class Pattern:
    parts: tuple[re.Pattern[str], ...]
    source: str

    def search(self, line: str) -> dict[str, str] | None:
        """The named groups of a match of every part in order, or None."""
        position = 0
        groups: dict[str, str] = {}
        for part in self.parts:
            found = part.search(line, position)
            if found is None:
                return None
            groups.update({k: v for k, v in found.groupdict().items() if v is not None})
            position = found.end()
        return groups


@dataclass
class Signature:
    id: str
    title: str
    cause: str
    fix: str
    rules: list[str]
    patterns: list[Pattern]
    unless: re.Pattern[str] | None
    phase: str | None
    phase_certain: bool  # the matching line alone proves the phase (policy, quota, gallery...)
    last: bool  # a generic consequence: listed after the failures that caused it
    harmless: bool
    documented: bool
    guides: dict[str, str]  # guide revision -> section anchor
    implied_by: list[str]  # dropped when one of these is found (it is part of their text)
    exit_code: bool  # the pattern captures the step's exit code as (?P<code>)
    variants: list[dict[str, Any]]
    keywords: frozenset[str]
    defaults: dict[str, str]  # values for {name} in cause and fix when the line has no such group
    source: str | None  # where an undocumented signature's fix comes from

    def match(self, line: str) -> dict[str, str] | None:
        for pattern in self.patterns:
            found = pattern.search(line)
            if found is not None:
                return found
        return None


def _compile(spec: str | list[str]) -> Pattern:
    parts = [spec] if isinstance(spec, str) else list(spec)
    return Pattern(tuple(re.compile(p, re.I) for p in parts), " ... ".join(parts))


def _part_literals(part: str) -> list[str]:
    """Literals one of which every match of this regex contains (optional pieces dropped first)."""
    part = _OPTIONAL.sub("\x00", _LOOKAROUND.sub("", part))
    pieces = part.split("|") if "|" in part else [part]
    found = []
    for piece in pieces:
        runs = [r.strip() for r in _LITERAL_SPLIT.split(piece.replace("\x00", "("))]
        found.append(max(runs, key=len))
    return found


def literals(spec: str | list[str]) -> list[str]:
    """For a pattern (or an in-order list of them): the literals of its most selective part."""
    parts = [spec] if isinstance(spec, str) else list(spec)
    options = [_part_literals(p) for p in parts]
    return min(options, key=lambda found: (len(found), -min(len(x) for x in found)))


def _keywords(item: dict[str, Any]) -> frozenset[str]:
    words: set[str] = set()
    for spec in item["patterns"]:
        for literal in (lit for part in ([spec] if isinstance(spec, str) else spec) for lit in _part_literals(part)):
            words.update(w.lower() for w in _WORD.findall(literal))
    return frozenset(words)


def _signature(item: dict[str, Any]) -> Signature:
    variants = [dict(v, pattern=_compile(v["pattern"])) for v in item.get("variants", [])]
    return Signature(
        id=item["id"],
        title=item["title"],
        cause=item["cause"],
        fix=item["fix"],
        rules=item["rules"],
        patterns=[_compile(p) for p in item["patterns"]],
        unless=re.compile(item["unless"], re.I) if item.get("unless") else None,
        phase=item.get("phase"),
        phase_certain=bool(item.get("phase_certain")),
        last=bool(item.get("last")),
        harmless=bool(item.get("harmless")),
        documented=item.get("documented", True),
        guides=dict(item.get("guides", {})),
        implied_by=list(item.get("implied_by", [])),
        exit_code=bool(item.get("exit_code")),
        variants=variants,
        keywords=_keywords(item),
        defaults=dict(item.get("defaults", {})),
        source=item.get("source"),
    )


@lru_cache(maxsize=1)
def load() -> list[Signature]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return [_signature(item) for item in data["signatures"]]


@lru_cache(maxsize=1)
def prefilter() -> re.Pattern[str]:
    """Case-insensitive: one of the signatures' literals is on the line."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    keys = {re.escape(lit) for item in data["signatures"] for spec in item["patterns"] for lit in literals(spec)}
    return re.compile("|".join(sorted(keys, key=len, reverse=True)), re.I)


@lru_cache(maxsize=1)
def first_literals() -> frozenset[str]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return frozenset(lit for item in data["signatures"] for spec in item["patterns"] for lit in literals(spec))
