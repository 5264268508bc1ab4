"""``--format azure``: Azure Pipelines logging commands (info findings have no level there).

Property values and the message are escaped as Microsoft's task library does
(aiblint/escape.py), so a carriage return in a quoted template value cannot start a
second logging command.
"""

from __future__ import annotations

from aiblint.context import FileResult
from aiblint.diagnostics import Severity
from aiblint.escape import azure_data, azure_property
from aiblint.report import message_with_related


def render(results: list[FileResult], **_: object) -> str:
    lines = []
    for result in results:
        for d in result.diagnostics:
            if d.severity == Severity.INFO:
                continue
            kind = "error" if d.severity == Severity.ERROR else "warning"
            properties = (
                f"type={kind};sourcepath={azure_property(d.file)};linenumber={d.line};columnnumber={d.column};"
                f"code={azure_property(d.code)};"
            )
            lines.append(f"##vso[task.logissue {properties}]{azure_data(message_with_related(d))}")
    return "\n".join(lines) + ("\n" if lines else "")
