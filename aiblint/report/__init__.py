"""One renderer per output format; each takes the run's results and returns text."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from aiblint.context import FileResult
from aiblint.diagnostics import Diagnostic

FORMATS = ("text", "json", "sarif", "github", "azure", "junit", "lsp")


def renderer(name: str) -> Callable[..., str]:
    module = importlib.import_module(f"aiblint.report.{name}_format")
    render: Callable[..., str] = module.render
    return render


def summary_counts(results: list[FileResult]) -> dict[str, int]:
    counts = {"files": len(results), "errors": 0, "warnings": 0, "infos": 0}
    for result in results:
        for diagnostic in result.diagnostics:
            counts[diagnostic.severity.label + "s"] += 1
    return counts


def message_with_related(d: Diagnostic) -> str:
    """The message with its related locations appended, for formats that have no field for
    them (github, azure, junit): "... (also: main.bicep:64:11 the script is loaded here)".
    Unescaped: each format escapes the result its own way."""
    if not d.related:
        return d.message
    also = "; ".join(f"{file}:{line}:{column} {what}" for file, line, column, what in d.related)
    return f"{d.message} (also: {also})"
