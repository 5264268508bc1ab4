"""``# aiblint: disable=CODE`` comments in scripts, shared by the Shell and PowerShell analysers.

The analysers hand over the script's real comments (from the parse tree, so a ``#``
inside a quoted string is never read as one); this module decides which findings they
silence and reports the comments that silenced nothing (AIB090).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from aiblint.diagnostics import Finding, Span
from aiblint.jsontree import AnyNode, ArrayNode, Document, ObjectNode, StringNode

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


# -- suppressions in the template itself ------------------------------------------------
#
# JSONC comments (ARM deployment templates accept them):
#   // aiblint: disable-next-line=AIB302 -- reason   the next line that holds JSON
#   "x": 1, // aiblint: disable=AIB302               the line the comment stands on
#   // aiblint: disable-file=AIB302                  the whole file
# and, for strict JSON, data ARM and the service accept:
#   "metadata": {"aiblint": {"ignore": ["AIB302"]}}  on the imageTemplates resource (that
#        resource) or on an ARM deployment template's top level (the whole template);
#   "tags": {"aiblint-ignore": "AIB302 AIB401"}       on the resource (a bare template's
#        body goes to the service as is: a tag is part of every resource's contract).

# The codes are one greedy run and the rest is checked by _directive_tail: the former lazy
# `([A-Za-z0-9_, ]+?)\s*(?:--.*?)?\s*(?:\*/)?\s*$` tried every split of a run of blanks
# (cubic: 34 s for 500 spaces before a stray character).
_JSONC_DIRECTIVE = re.compile(
    r"^(?://|/\*)\s*aiblint:\s*(disable-next-line|disable-line|disable-file|disable)\s*=\s*([A-Za-z0-9_, ]+)(.*)$",
    re.DOTALL,
)
IGNORE_TAG = "aiblint-ignore"


@dataclass
class _Region:
    """Codes silenced in [start, end) of the file (by line for comments), and where it was said."""

    codes: tuple[str, ...]
    start: int
    end: int
    said_at: Span
    what: str  # "comment" | "metadata" | "tag"
    used: bool = False


def _directive_tail(rest: str) -> bool:
    """What may follow the codes: blanks, then a `-- reason` (anything after it), or an optional `*/`."""
    rest = rest.lstrip()
    return rest.startswith("--") or not rest.removeprefix("*/").strip()


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.upper() for c in re.split(r"[\s,]+", text) if c)


def _next_json_line_start(document: Document, offset: int) -> int:
    """The offset of the next character after ``offset`` that is JSON, not space or comment."""
    text = document.text
    comment_ends = dict(document.comments)
    while offset < len(text):
        if text[offset].isspace():
            offset += 1
        elif offset in comment_ends:
            offset = comment_ends[offset]
        else:
            break
    return offset


def _line_span(document: Document, offset: int) -> tuple[int, int]:
    lines = document.lines
    line, _ = lines.position(offset)
    start = lines.starts[line - 1]
    end = lines.starts[line] if line < len(lines.starts) else len(document.text) + 1
    return start, end


def _comment_regions(document: Document) -> list[_Region]:
    regions = []
    for start, end in document.comments:
        match = _JSONC_DIRECTIVE.match(document.text[start:end])
        if not match or not _directive_tail(match.group(3)):
            continue
        kind, codes = match.group(1), _codes(match.group(2))
        if kind == "disable-file":
            first, last = 0, len(document.text) + 1
        elif kind == "disable-next-line":
            first, last = _line_span(document, _next_json_line_start(document, end))
        else:
            first, last = _line_span(document, start)
        regions.append(_Region(codes, first, last, Span(start, end), "comment"))
    return regions


def _ignore_list(node: AnyNode | None) -> list[StringNode]:
    if isinstance(node, StringNode):
        return [node]
    if isinstance(node, ArrayNode):
        return [item for item in node.items if isinstance(item, StringNode)]
    return []


def _data_regions(scopes: list[ObjectNode]) -> list[_Region]:
    regions: list[_Region] = []
    seen: set[int] = set()
    for scope in scopes:
        if id(scope) in seen:
            continue
        seen.add(id(scope))
        metadata = scope.get_ci("metadata")
        own = metadata.get_ci("aiblint") if isinstance(metadata, ObjectNode) else None
        for node in _ignore_list(own.get_ci("ignore") if isinstance(own, ObjectNode) else None):
            regions.append(_Region(_codes(node.text), scope.start, scope.end, Span(node.start, node.end), "metadata"))
        tags = scope.get_ci("tags")
        tag = tags.get_ci(IGNORE_TAG) if isinstance(tags, ObjectNode) else None
        if isinstance(tag, StringNode):
            regions.append(_Region(_codes(tag.text), scope.start, scope.end, Span(tag.start, tag.end), "tag"))
    return regions


def _matches(code: str, codes: tuple[str, ...]) -> bool:
    return any(code == c or code.startswith(c) for c in codes)


def apply_template_suppressions(
    document: Document,
    scopes: list[ObjectNode],
    findings: list[Finding],
    enabled: Callable[[str], bool],
    known: Callable[[str], bool],
) -> list[Finding]:
    """Drop the findings the template's own comments, metadata and tags silence; add AIB090
    for each suppression that silenced nothing (or names no rule)."""
    regions = _comment_regions(document) + _data_regions(scopes)
    if not regions:
        return findings
    kept = []
    for finding in findings:
        silenced = False
        if finding.file is None and finding.code != "AIB090":
            for region in regions:
                if region.start <= finding.span.start < region.end and _matches(finding.code, region.codes):
                    region.used = silenced = True
        if not silenced:
            kept.append(finding)
    for region in regions:
        unknown = [c for c in region.codes if not known(c)]
        names = ", ".join(region.codes) or "no code"
        if unknown:
            message = f"suppression names {', '.join(unknown)}, which is no rule code: it silences nothing"
        elif region.used or not any(enabled(c) for c in region.codes):
            continue  # a suppression for rules not running here silences nothing by design
        else:
            message = f"suppression of {names} ({region.what}) silenced nothing: remove it"
        kept.append(
            Finding("AIB090", message, region.said_at, "", anchor=document.text[region.said_at.start : region.said_at.end][:200])
        )
    return kept
