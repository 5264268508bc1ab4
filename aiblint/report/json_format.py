"""``--format json``: one object, exactly the shape in the CLI contract."""

from __future__ import annotations

import json
from typing import Any

from aiblint import __version__
from aiblint.context import FileResult
from aiblint.diagnostics import Diagnostic
from aiblint.report import summary_counts


def render(results: list[FileResult], **_: object) -> str:
    diagnostics = [
        _with_related(
            d,
            {
                "code": d.code,
                "severity": d.severity.label,
                "message": d.message,
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "end_line": d.end_line,
                "end_column": d.end_column,
                "pointer": d.pointer,
                "help": d.help,
            },
        )
        for result in results
        for d in result.diagnostics
    ]
    document = {"version": __version__, "diagnostics": diagnostics, "summary": summary_counts(results)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _with_related(d: Diagnostic, entry: dict[str, Any]) -> dict[str, Any]:
    """``related`` is present only when the finding has a second place (the use site)."""
    if d.related:
        entry["related"] = [
            {
                "message": r.message,
                "file": r.file,
                "line": r.line,
                "column": r.column,
                "end_line": r.end_line,
                "end_column": r.end_column,
            }
            for r in d.related
        ]
    return entry
