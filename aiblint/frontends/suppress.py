"""Suppression comments in Bicep and Terraform files.

``// aiblint: disable-next-line=AIB401,AIB402 -- reason`` on a line of its own silences
those codes on the next line; ``disable-file=`` anywhere silences them in the whole
file. Bicep comments start with ``//``; HCL also accepts ``#``. Scripts keep their own
``# aiblint: disable=`` comments (aiblint/suppress.py).
"""

from __future__ import annotations

import re

from aiblint.diagnostics import Diagnostic
from aiblint.jsontree import Document

_DIRECTIVE = {
    "bicep": re.compile(
        r"^[ \t]*//[ \t]*aiblint:[ \t]*(disable-next-line|disable-file)[ \t]*=[ \t]*([A-Za-z0-9_, ]+?)[ \t]*(?:--.*)?$", re.M
    ),
    "terraform": re.compile(
        r"^[ \t]*(?://|#)[ \t]*aiblint:[ \t]*(disable-next-line|disable-file)[ \t]*=[ \t]*([A-Za-z0-9_, ]+?)[ \t]*(?:--.*)?$",
        re.M,
    ),
}


def apply_comment_suppressions(
    diagnostics: list[Diagnostic], document: Document, display: str, language: str
) -> list[Diagnostic]:
    pattern = _DIRECTIVE.get(language)
    if pattern is None or "aiblint:" not in document.text:
        return diagnostics
    by_line: dict[int, set[str]] = {}
    whole: set[str] = set()
    for match in pattern.finditer(document.text):
        codes = {c.strip().upper() for c in match.group(2).split(",") if c.strip()}
        if match.group(1) == "disable-file":
            whole |= codes
        else:
            line, _ = document.lines.position(match.start())
            by_line.setdefault(line + 1, set()).update(codes)
    kept = []
    for diagnostic in diagnostics:
        if diagnostic.file == display and (diagnostic.code in whole or diagnostic.code in by_line.get(diagnostic.line, ())):
            continue
        kept.append(diagnostic)
    return kept
