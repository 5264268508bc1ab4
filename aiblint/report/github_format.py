"""``--format github``: workflow commands GitHub Actions turns into annotations.

Escaped as the actions toolkit does (aiblint/escape.py): a line break in a message
cannot start a second workflow command.
"""

from __future__ import annotations

from aiblint.context import FileResult
from aiblint.diagnostics import Severity
from aiblint.escape import github_data, github_property
from aiblint.report import message_with_related

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(results: list[FileResult], **_: object) -> str:
    lines = []
    for result in results:
        for d in result.diagnostics:
            properties = (
                f"file={github_property(d.file)},line={d.line},col={d.column},endLine={d.end_line},"
                f"endColumn={d.end_column},title={github_property(d.code)}"
            )
            lines.append(f"::{_LEVEL[d.severity]} {properties}::{github_data(message_with_related(d))}")
    return "\n".join(lines) + ("\n" if lines else "")
