"""``--format junit``: one test suite per file, one failing test case per finding.

Always well-formed XML 1.0: every value goes through aiblint/escape.py, which also
replaces the characters XML forbids even as references.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiblint.context import FileResult
from aiblint.escape import xml
from aiblint.report import message_with_related


def _attr(text: str) -> str:
    return f'"{xml(text)}"'


def chunks(results: list[FileResult], **_: object) -> Iterator[str]:
    """The report one test suite (file) at a time; joined, the whole document."""
    total = sum(len(r.diagnostics) for r in results)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<testsuites name="aiblint" tests="{max(total, len(results))}" failures="{total}">\n'
    for result in results:
        count = len(result.diagnostics)
        out = [f'  <testsuite name={_attr(result.path)} tests="{max(count, 1)}" failures="{count}">']
        if not result.diagnostics:
            out.append(f'    <testcase name={_attr(result.path)} classname="aiblint"/>')
        for d in result.diagnostics:
            name = _attr(f"{d.code} {d.file}:{d.line}:{d.column}")
            text = message_with_related(d)
            message = _attr(f"{d.code} {text}")
            body = xml(f"{d.file}:{d.line}:{d.column}: {d.severity.label} {d.code} {text}")
            out.append(f"    <testcase name={name} classname={_attr('aiblint.' + d.code)}>")
            out.append(f'      <failure message={message} type="{d.severity.label}">{body}</failure>')
            out.append("    </testcase>")
        out.append("  </testsuite>")
        yield "\n".join(out) + "\n"
    yield "</testsuites>\n"


def render(results: list[FileResult], **_: object) -> str:
    return "".join(chunks(results))
