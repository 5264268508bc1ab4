"""Suppression comments in Bicep and Terraform files.

``// aiblint: disable-next-line=AIB401,AIB402 -- reason`` on a line of its own silences
those codes (or prefixes) on the next line; ``disable-file=`` anywhere silences them in the
whole file. Bicep comments start with ``//``; HCL also accepts ``#``. A directive that
silences nothing is AIB090, as in scripts. Scripts keep their own ``# aiblint: disable=``
comments (aiblint/suppress.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from aiblint.diagnostics import Finding, Span
from aiblint.jsontree import Document

_COMMENT = {"bicep": "//", "terraform": "(?://|#)"}


@dataclass
class _Directive:
    codes: list[str]
    whole_file: bool
    line: int  # the line it silences (disable-next-line)
    span: Span
    text: str
    used: bool = field(default=False)

    def covers(self, code: str) -> bool:
        return any(code == c or code.startswith(c) for c in self.codes)


_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_, ")
_DIRECTIVE_LINES: dict[str, re.Pattern[str]] = {
    language: re.compile(rf"^[ \t]*({marker}[ \t]*aiblint:[ \t]*(disable-next-line|disable-file)[ \t]*=(.*))$", re.M)
    for language, marker in _COMMENT.items()
}  # the codes are read by _directive_codes: a lazy code run before `[ \t]*$` was quadratic in blanks


def _directive_codes(rest: str) -> str | None:
    """The codes after `=`: blanks, a run of codes, blanks, then an optional `-- reason`; None if not so."""
    dash = rest.find("-")
    if dash >= 0:
        if not rest.startswith("--", dash):
            return None
        rest = rest[:dash]
    codes = rest.strip(" \t")
    if codes:
        return codes if _CODE_CHARS.issuperset(codes) else None
    return codes if " " in rest else None  # a blank `=  ` still counts (it silences nothing)


def _directives(document: Document, language: str) -> list[_Directive]:
    pattern = _DIRECTIVE_LINES.get(language)
    if pattern is None or "aiblint:" not in document.text:
        return []
    found = []
    for match in pattern.finditer(document.text):
        written = _directive_codes(match.group(3))
        if written is None:
            continue
        codes = [c.strip().upper() for c in written.split(",") if c.strip()]
        line, _ = document.lines.position(match.start(1))
        span = Span(match.start(1), match.end(1))
        found.append(_Directive(codes, match.group(2) == "disable-file", line + 1, span, match.group(1)))
    return found


def apply_comment_suppressions(
    findings: list[Finding], document: Document, language: str, enabled: Callable[[str], bool]
) -> list[Finding]:
    """The findings left after the file's directives, plus AIB090 for each unused directive."""
    directives = _directives(document, language)
    if not directives:
        return findings
    kept = []
    for finding in findings:
        line = document.lines.position(finding.span.start)[0] if finding.file is None else -1
        matching = [
            d for d in directives if d.covers(finding.code) and (d.whole_file or (finding.file is None and d.line == line))
        ]
        for directive in matching:
            directive.used = True
        if not matching:
            kept.append(finding)
    for directive in directives:
        if directive.used or not any(enabled(code) for code in directive.codes if code.startswith("AIB")):
            continue
        codes = ", ".join(directive.codes)
        kept.append(
            Finding(
                "AIB090",
                f"suppression of {codes} silenced nothing: remove the comment",
                directive.span,
                "",
                anchor=directive.text,
            )
        )
    return kept
