"""``# aiblint: disable=CODE`` comments in scripts, shared by the Shell and PowerShell analysers.

The analysers hand over the script's real comments (from the parse tree, so a ``#``
inside a quoted string is never read as one); this module decides which findings they
silence and reports the comments that silenced nothing (AIB090).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from aiblint.diagnostics import Finding

# One greedy run of code characters after '=' (stripped in Python): two quantifiers that can both
# take the same spaces backtrack quadratically on a comment of many spaces.
_DIRECTIVE = re.compile(r"#\s*aiblint:\s*(disable-file|disable)\s*=([A-Za-z0-9_, \t\f\v]*)(?:--.*)?$")


@dataclass
class ScriptComment:
    text: str  # the comment as written, starting with '#'
    line: int  # 0-based line of the script it stands on
    own_line: bool  # nothing but white space before it on its line
    finding_span: object  # the Span to report AIB090 at
    pointer: str = ""  # the JSON pointer of the line holding it


@dataclass
class _Directive:
    comment: ScriptComment
    whole_file: bool
    codes: tuple[str, ...]
    used: set[str] = field(default_factory=set)


def parse_directives(comments: list[ScriptComment]) -> list[_Directive]:
    directives = []
    for comment in comments:
        match = _DIRECTIVE.search(comment.text)
        if not match or not match.group(2).strip(" \t\f\v"):
            continue
        codes = tuple(c.strip().upper() for c in match.group(2).split(",") if c.strip())
        whole_file = match.group(1) == "disable-file"
        directives.append(_Directive(comment, whole_file and comment.own_line, codes))
    return directives


def apply_suppressions(
    findings: list[tuple[int, Finding]],
    comments: list[ScriptComment],
    pointer: str,
    enabled: Callable[[str], bool] = lambda code: True,
) -> tuple[list[Finding], list[Finding]]:
    """Split ``(script line, finding)`` pairs into kept findings and AIB090 findings.

    A line directive silences findings that start on its own line; a ``disable-file``
    directive on its own line silences them in the whole script.
    """
    directives = parse_directives(comments)
    if not directives:
        return [finding for _, finding in findings], []
    kept: list[Finding] = []
    for line, finding in findings:
        silenced = False
        for directive in directives:
            if finding.code not in directive.codes and not any(finding.code.startswith(c) for c in directive.codes):
                continue
            if directive.whole_file or directive.comment.line == line:
                directive.used.add(finding.code)
                silenced = True
        if not silenced:
            kept.append(finding)
    unused = []
    for directive in directives:
        if directive.used or not any(enabled(code) for code in directive.codes if code.startswith("AIB")):
            continue  # a directive for rules not running here silences nothing by design
        codes = ", ".join(directive.codes)
        unused.append(
            Finding(
                "AIB090",
                f"suppression of {codes} silenced nothing: remove the comment",
                directive.comment.finding_span,  # type: ignore[arg-type]
                directive.comment.pointer or pointer,
                anchor=directive.comment.text,
            )
        )
    return kept, unused
