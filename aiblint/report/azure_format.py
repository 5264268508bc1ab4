"""``--format azure``: Azure Pipelines logging commands (info findings have no level there)."""

from __future__ import annotations

from aiblint.context import FileResult
from aiblint.diagnostics import Severity


def _escape(text: str) -> str:
    return text.replace("%", "%AZP25").replace(";", "%3B").replace("\r", "%0D").replace("\n", "%0A").replace("]", "%5D")


def render(results: list[FileResult], **_: object) -> str:
    lines = []
    for result in results:
        for d in result.diagnostics:
            if d.severity == Severity.INFO:
                continue
            kind = "error" if d.severity == Severity.ERROR else "warning"
            lines.append(
                f"##vso[task.logissue type={kind};sourcepath={_escape(d.file)};linenumber={d.line};columnnumber={d.column};code={d.code};]{d.message.replace(chr(10), ' ')}"
            )
    return "\n".join(lines) + ("\n" if lines else "")
