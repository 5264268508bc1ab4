"""``--format lsp``: LSP Diagnostic objects per file URI (0-based, UTF-16 code units).

The language server publishes the very same objects (aiblint.lsp.server uses
``to_lsp``), so the editor and the command line never disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiblint.context import FileResult
from aiblint.diagnostics import Diagnostic, Severity
from aiblint.escape import json_document
from aiblint.jsontree import LineIndex

LSP_SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}


def utf16_column(line_text: str, column: int) -> int:
    """0-based UTF-16 offset of the 1-based character column ``column``."""
    prefix = line_text[: max(0, column - 1)]
    return len(prefix.encode("utf-16-le", errors="surrogatepass")) // 2


def _position(lines: LineIndex | None, line: int, column: int) -> dict[str, int]:
    text = lines.line_text(line) if lines is not None and line <= len(lines.starts) else ""
    return {"line": line - 1, "character": utf16_column(text, column) if text else column - 1}


def to_lsp(d: Diagnostic, lines: LineIndex | None) -> dict[str, Any]:
    from aiblint.catalog import page_path

    item: dict[str, Any] = {
        "range": {"start": _position(lines, d.line, d.column), "end": _position(lines, d.end_line, d.end_column)},
        "severity": LSP_SEVERITY[d.severity],
        "code": d.code,
        "source": "aiblint",
        "message": d.message,
        "data": {"pointer": d.pointer},
    }
    if d.related:  # e.g. the use site of a value that came through an ARM expression
        item["relatedInformation"] = [
            {
                "location": {
                    "uri": Path(file).resolve().as_uri() if file != "<stdin>" else "untitled:stdin",
                    "range": {
                        "start": _position(lines if file == d.file else None, line, column),
                        "end": _position(lines if file == d.file else None, end_line, end_column),
                    },
                },
                "message": what,
            }
            for file, line, column, end_line, end_column, what in d.related_locations()
        ]
    path = page_path(d.code)
    if path.is_file():
        item["codeDescription"] = {"href": path.resolve().as_uri()}
    elif d.code.startswith("SC"):
        item["codeDescription"] = {"href": f"https://www.shellcheck.net/wiki/{d.code}"}
    return item


def render(results: list[FileResult], **_: object) -> str:
    document: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        for d in result.diagnostics:
            lines = result.lines if d.file == result.path else result.other_files.get(d.file)
            uri = Path(d.file).resolve().as_uri() if d.file != "<stdin>" else "untitled:stdin"
            document.setdefault(uri, []).append(to_lsp(d, lines))
        if result.path != "<stdin>":
            document.setdefault(Path(result.path).resolve().as_uri(), [])
    return json_document(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
