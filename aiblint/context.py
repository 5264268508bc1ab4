"""What every rule reports into, and what the pipeline hands the reporters.

Rules, the template context and the reporters import these types without importing the
pipeline (aiblint/lint.py), so the layers import one way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aiblint.config import Config
from aiblint.diagnostics import Diagnostic, Finding, Fix, Severity, Span
from aiblint.jsontree import AnyNode, Document, LineIndex
from aiblint.registry import RULES


class InternalError(Exception):
    """aiblint itself failed on a file: the CLI reports it as a bug (exit 2), other files still run."""


@dataclass
class FileResult:
    path: str  # as shown to the user
    diagnostics: list[Diagnostic]
    lines: LineIndex | None = None  # for the caret display
    templates: int = 0
    other_files: dict[str, LineIndex] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # "rule AIB401 failed on x.json (...): KeyError: 'y'": one per failing rule; the CLI exits 2
    internal_errors: list[str] = field(default_factory=list)


class FileContext:
    """What file-scope rules see, and where every rule reports."""

    def __init__(self, display: str, document: Document, config: Config, path: Path | None) -> None:
        self.display = display
        self.document = document
        self.config = config
        self.path = path
        self.findings: list[Finding] = []
        self.other_files: dict[str, LineIndex] = {}
        self.is_bare = False
        self.notes: list[str] = []  # one-line remarks for stderr (e.g. URLs that could not be checked)
        self.internal_errors: list[str] = []
        self._failed: set[str] = set()
        self._enabled: dict[str, bool] = {}  # code -> selected for this file (asked per rule and script)

    def rule_failed(self, code: str, error: BaseException, where: str = "") -> None:
        """A rule raised: its findings for this file are incomplete, every other rule still runs.
        Reported once per rule and file, naming both and the exception."""
        if code in self._failed:
            return
        self._failed.add(code)
        place = f" ({where})" if where else ""
        self.internal_errors.append(f"rule {code} failed on {self.display}{place}: {type(error).__name__}: {error}")

    def report(
        self,
        code: str,
        where: AnyNode | Span,
        message: str,
        *,
        pointer: str | None = None,
        severity: Severity | None = None,
        anchor: str = "",
        fix: Fix | tuple[int, str] | None = None,
        related: tuple[tuple[AnyNode | Span, str], ...] = (),
    ) -> None:
        """``related``: other places the finding involves, each (node or span, what it is), shown
        as related locations (text caret output, SARIF, LSP); a span is in the linted file."""
        span = where if isinstance(where, Span) else Span(where.start, where.end)
        if pointer is None:
            pointer = where.pointer if not isinstance(where, Span) else ""
        file = None if isinstance(where, Span) else where.file  # a module or loaded file's node
        seconds = tuple(
            (None if isinstance(place, Span) else place.file, place.start, place.end, what) for place, what in related
        )
        self.findings.append(Finding(code, message, span, pointer, severity, anchor, file, fix, seconds))

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def enabled(self, code: str) -> bool:
        known = self._enabled.get(code)
        if known is None:
            known = self._enabled[code] = self._selected(code)
        return known

    def _selected(self, code: str) -> bool:
        if code.startswith("SC") and code[2:].isdigit():  # ShellCheck's own codes (--shellcheck)
            return self.config.is_enabled(code, True, self.display)
        info = RULES.get(code)
        return info is not None and self.config.is_enabled(code, info.default_enabled, self.display)
