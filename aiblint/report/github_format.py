"""``--format github``: workflow commands GitHub Actions turns into annotations."""

from __future__ import annotations

from aiblint.context import FileResult
from aiblint.diagnostics import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(results: list[FileResult], **_: object) -> str:
    lines = []
    for result in results:
        for d in result.diagnostics:
            properties = f"file={_escape_property(d.file)},line={d.line},col={d.column},endLine={d.end_line},endColumn={d.end_column},title={d.code}"
            lines.append(f"::{_LEVEL[d.severity]} {properties}::{_escape_data(d.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
