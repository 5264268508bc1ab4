"""``--format junit``: one test suite per file, one failing test case per finding."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from aiblint.context import FileResult


def render(results: list[FileResult], **_: object) -> str:
    total = sum(len(r.diagnostics) for r in results)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="aiblint" tests="{max(total, len(results))}" failures="{total}">',
    ]
    for result in results:
        count = len(result.diagnostics)
        out.append(f'  <testsuite name={quoteattr(result.path)} tests="{max(count, 1)}" failures="{count}">')
        if not result.diagnostics:
            out.append(f'    <testcase name={quoteattr(result.path)} classname="aiblint"/>')
        for d in result.diagnostics:
            name = quoteattr(f"{d.code} {d.file}:{d.line}:{d.column}")
            message = quoteattr(f"{d.code} {d.message}")
            body = (
                f"{d.file}:{d.line}:{d.column}: {d.severity.label} {d.code} {d.message}".replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
            )
            out.append(f'    <testcase name={name} classname="aiblint.{d.code}">')
            out.append(f'      <failure message={message} type="{d.severity.label}">{body}</failure>')
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
