"""``--format json``: one object, exactly the shape in the CLI contract (plus the optional
``related`` array of second locations, only on diagnostics that have some)."""

from __future__ import annotations

import json
from typing import Any

from aiblint import __version__
from aiblint.context import FileResult
from aiblint.diagnostics import Diagnostic
from aiblint.escape import json_document
from aiblint.report import summary_counts


def _entry(d: Diagnostic) -> dict[str, Any]:
    entry: dict[str, Any] = {
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
    }
    if d.related:  # optional: present only when there are second locations
        entry["related"] = [location._asdict() for location in d.related_locations()]
    return entry


def render(results: list[FileResult], **_: object) -> str:
    diagnostics = [_entry(d) for result in results for d in result.diagnostics]
    document = {"version": __version__, "diagnostics": diagnostics, "summary": summary_counts(results)}
    return json_document(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
