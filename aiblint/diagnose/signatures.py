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
_LITERAL_SPLIT = re.compile(r"\\.|\{\d*(?:,\d*)?\}|\[[^\]]*\]|\(\?P?<\w+>|\(\?[:!=]|[()\[\]{}.*+?^$|]")
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


ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def trie(words: list[str]) -> str:
    """One regex for many literals, factored by prefix: at each position only the branches that
    share the next character are tried (a plain alternation of 150 literals is 5-50x slower)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


def lowered_trie(words: set[str]) -> re.Pattern[str]:
    """A prefix-factored regex for ASCII-lowercased text; literals containing a shorter one are dropped
    (the shorter one already finds their lines)."""
    return re.compile(trie(_kept(words)))


def _kept(words: set[str]) -> list[str]:
    lowered = {w.translate(ASCII_LOWER) for w in words if w}
    return sorted(w for w in lowered if not any(o != w and o in w for o in lowered))


@lru_cache(maxsize=1)
def prefilter() -> re.Pattern[str]:
    """On ASCII-lowercased text: one of the signatures' literals is on the line."""
    return lowered_trie(set(first_literals()))


@lru_cache(maxsize=1)
def literal_index() -> dict[str, tuple[int, ...]]:
    """For each literal the prefilter finds: the signatures (by position in load()) that may match a
    line holding it. A line is then tried against those few, not all of them."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    kept = [k for k in _kept(set(first_literals()))]
    index: dict[str, set[int]] = {k: set() for k in kept}
    for number, item in enumerate(data["signatures"]):
        for spec in item["patterns"]:
            for literal in literals(spec):
                low = literal.translate(ASCII_LOWER)
                for k in kept:
                    if k in low:
                        index[k].add(number)
    return {k: tuple(sorted(v)) for k, v in index.items()}


def candidates(lowered: str) -> list[int]:
    """The signatures worth trying on one ASCII-lowercased line, in their order."""
    search = prefilter().search
    index = literal_index()
    found: set[int] = set()
    position = 0
    while True:
        hit = search(lowered, position)
        if hit is None:
            return sorted(found)
        found.update(index.get(hit.group(), ()))
        position = hit.start() + 1


@lru_cache(maxsize=1)
def first_literals() -> frozenset[str]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return frozenset(lit for item in data["signatures"] for spec in item["patterns"] for lit in literals(spec))
