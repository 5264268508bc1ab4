"""``--format json``: one object, exactly the shape in the CLI contract."""

from __future__ import annotations

import json

from aiblint import __version__
from aiblint.context import FileResult
from aiblint.escape import json_document
from aiblint.report import summary_counts


def render(results: list[FileResult], **_: object) -> str:
    diagnostics = [
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
        }
        for result in results
        for d in result.diagnostics
    ]
    document = {"version": __version__, "diagnostics": diagnostics, "summary": summary_counts(results)}
    return json_document(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
