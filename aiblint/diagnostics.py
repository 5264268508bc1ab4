"""The one finding type every stage shares, and its severities."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True)
class Span:
    """A half-open range of character offsets in one file's text (BOM excluded)."""

    start: int
    end: int


@dataclass(frozen=True)
class Fix:
    """Edits that remove a finding: (start, end, replacement) offsets in the file's text (BOM
    excluded), never overlapping. ``\\n`` in a replacement stands for the file's own line
    ending. ``safe``: nothing changes but what the finding asks for (``--fix``); an unsafe
    fix also decides something for the author (``--unsafe-fixes``)."""

    edits: tuple[tuple[int, int, str], ...]
    safe: bool = True
    # Why no edit is offered where the JSON twin would have one (a Bicep or HCL file whose
    # text to change is computed, or written in another file); ``edits`` is then empty.
    withheld: str = ""

    @classmethod
    def withheld_because(cls, reason: str) -> Fix:
        return cls((), True, reason)

    @classmethod
    def of(cls, fix: Fix | tuple[int, str] | None) -> Fix | None:
        """A rule's fix; ``(offset, text)`` is the short form of one insertion."""
        if fix is None or isinstance(fix, Fix):
            return fix
        return cls(((fix[0], fix[0], fix[1]),))


@dataclass(frozen=True)
class Finding:
    """What a rule reports: positions are offsets; the pipeline turns them into lines."""

    code: str
    message: str
    span: Span
    pointer: str
    severity: Severity | None = None  # None: the rule's default
    # The script line (normalised) or value the finding is about: keys baselines and
    # SARIF fingerprints so they survive edits elsewhere in the file.
    anchor: str = ""
    # Another file the finding belongs to (a local script mapped from a scriptUri).
    file: str | None = None
    # An unambiguous fix (the LSP quick fix, --fix): a Fix, or (offset, text) to insert.
    fix: Fix | tuple[int, str] | None = None
    # Second locations: (file or None for the linted file, start, end, what it is), e.g. the
    # ``loadTextContent`` call that loaded the script a finding is in.
    related: tuple[tuple[str | None, int, int, str], ...] = ()


class RelatedLocation(NamedTuple):
    """A second location of a diagnostic, 1-based, the end exclusive (as the diagnostic's own)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    pointer: str
    start: int = 0
    end: int = 0
    anchor: str = ""
    help: str | None = None
    fix: Fix | None = None
    related: tuple[tuple[str, int, int, str], ...] = ()  # (file, line, column, what it is)
    related_ends: tuple[tuple[int, int], ...] = ()  # (end_line, end_column) of each ``related`` entry

    def related_locations(self) -> list[RelatedLocation]:
        """``related`` with the end of each location (one character when none was given)."""
        ends = self.related_ends
        return [
            RelatedLocation(file, line, column, *(ends[i] if i < len(ends) else (line, column + 1)), what)
            for i, (file, line, column, what) in enumerate(self.related)
        ]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)
