"""One renderer per output format; each takes the run's results and returns text."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from aiblint.context import FileResult

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
