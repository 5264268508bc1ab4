"""``--format json``: one object, exactly the shape in the CLI contract (plus the optional
``related`` array of second locations, only on diagnostics that have some).

Written in pieces (``head``, one ``body`` per file, ``tail``) so a run streams it file by
file (aiblint/report/stream.py); the pieces joined are ``json.dumps(document, indent=2)``.
"""

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


def head() -> str:
    return json_document('{\n  "version": ' + json.dumps(__version__, ensure_ascii=False) + ',\n  "diagnostics": [')


def body(result: FileResult, first: bool) -> str:
    """The file's items of the diagnostics array; ``first``: no item was written before them."""
    parts: list[str] = []
    for d in result.diagnostics:
        parts.append(
            ("\n    " if first and not parts else ",\n    ")
            + json.dumps(_entry(d), indent=2, ensure_ascii=False).replace("\n", "\n    ")
        )
    return json_document("".join(parts))


def tail(counts: dict[str, int], any_item: bool) -> str:
    summary = json.dumps(counts, indent=2, ensure_ascii=False).replace("\n", "\n  ")
    return ("\n  ]" if any_item else "]") + ',\n  "summary": ' + summary + "\n}\n"


def render(results: list[FileResult], **_: object) -> str:
    out = [head()]
    written = False
    for result in results:
        out.append(body(result, not written))
        written = written or bool(result.diagnostics)
    out.append(tail(summary_counts(results), written))
    return "".join(out)
