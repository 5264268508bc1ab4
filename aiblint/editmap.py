"""Where a fix may edit a Bicep or Terraform file, and how its text is written there.

A rule's fix is computed on the decoded value (a script line, a URL): "insert ` -y` at
this character". In JSON that is the file's text; in Bicep or HCL the character may be
written inside a ``'...'`` or ``'''`` string, a quoted HCL template, a heredoc, a JSON
heredoc, or come from an expression (a function's result, a loop). The front end lists
the literal text of its strings (``Literal``) and its array literals; an edit that falls
inside one literal gets that syntax's escaping, any other edit is withheld with a reason
that ``--fix`` prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from aiblint.diagnostics import Fix

# A literal's syntax: "bicep" ('...'), "bicep'''", "hcl" ("..."), "hcl<<" (heredoc);
# "json+" before it: the text is a JSON document written in that string (a JSON heredoc).
BICEP = "bicep"
BICEP_MULTILINE = "bicep'''"
HCL = "hcl"
HCL_HEREDOC = "hcl<<"
JSON_IN = "json+"


@dataclass(frozen=True)
class Literal:
    """Characters [start, end) of the file are literal text of a string in ``syntax``."""

    start: int
    end: int
    syntax: str


class Source(Protocol):
    """What a front end answers about its linted file (from the syntax tree, on demand)."""

    def literal_at(self, start: int, end: int) -> Literal | None: ...

    def array_syntax(self, start: int, end: int) -> str | None: ...


class NoLiterals:
    """A file with nothing to edit (no image template was read)."""

    def literal_at(self, start: int, end: int) -> Literal | None:
        return None

    def array_syntax(self, start: int, end: int) -> str | None:
        return None


class EditMap:
    """Where fixes may edit one file; asked only when a rule offers a fix (most files get none)."""

    def __init__(self, text: str, source: Source) -> None:
        self.text = text
        self.source = source

    def literal_at(self, start: int, end: int) -> Literal | None:
        """The literal holding file range [start, end) whole (an insertion: start == end)."""
        found = self.source.literal_at(start, end)
        return found if found is not None and found.start <= start <= end <= found.end else None

    def array_syntax(self, start: int, end: int) -> str | None:
        """The syntax of the array literal written exactly at [start, end), or None."""
        return self.source.array_syntax(start, end)

    def string_fix(self, edits: tuple[tuple[int, int, str], ...], safe: bool, lefts: tuple[int, ...] = ()) -> Fix:
        """``edits`` (file offsets, decoded text) written in the file's syntax, or withheld;
        ``lefts``: where the character before each edit is written (the same literal must hold it)."""
        written = []
        for index, (start, end, new) in enumerate(edits):
            left = min(lefts[index], start) if index < len(lefts) else start
            literal = self.literal_at(left, end)
            if literal is None:
                return Fix.withheld_because("the text to change is computed by an expression, not written as one string here")
            encoded = encode(literal.syntax, new, self.text[start - 1 : start], self.text[end : end + 1])
            if isinstance(encoded, Refusal):
                return Fix.withheld_because(encoded.reason)
            written.append((start, end, encoded))
        return Fix(tuple(written), safe)


@dataclass(frozen=True)
class Refusal:
    reason: str


def encode(syntax: str, text: str, before: str, after: str) -> str | Refusal:
    """``text`` as written inside a literal of ``syntax``, between the characters ``before``
    and ``after`` of the file (so that no ``${`` is made of a written ``$`` and an inserted ``{``)."""
    if syntax.startswith(JSON_IN):
        text = json.dumps(text, ensure_ascii=False)[1:-1]
        syntax = syntax[len(JSON_IN) :]
    if syntax == BICEP:
        return _bicep(text, before, after)
    if syntax == BICEP_MULTILINE:
        if "'" in text:
            return Refusal("a quote inside a Bicep ''' string cannot be escaped")
        return text
    if syntax in (HCL, HCL_HEREDOC):
        return _hcl(text, before, after, heredoc=syntax == HCL_HEREDOC)
    return Refusal(f"no fix is written in {syntax} syntax")


def _bicep(text: str, before: str, after: str) -> str | Refusal:
    if text.startswith("{") and before == "$":
        return Refusal("the fix would turn a written $ into an interpolation")
    out = []
    for index, char in enumerate(text):
        following = text[index + 1] if index + 1 < len(text) else after
        if char == "\\":
            out.append("\\\\")
        elif char == "'":
            out.append("\\'")
        elif char == "$" and following == "{":
            out.append("\\$")
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        else:
            out.append(char)
    return "".join(out)


def _hcl(text: str, before: str, after: str, heredoc: bool) -> str | Refusal:
    if text.startswith("{") and before in ("$", "%"):
        return Refusal("the fix would turn a written $ or % into an interpolation")
    if heredoc and ("\n" in text or "\r" in text):
        return Refusal("a new line inside a heredoc would change its indentation")
    out = []
    for index, char in enumerate(text):
        following = text[index + 1] if index + 1 < len(text) else after
        if char in "$%" and following == "{":
            out.append(char * 2)  # $${ and %%{ are HCL's escapes
        elif heredoc:
            out.append(char)
        elif char in '\\"':
            out.append("\\" + char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        else:
            out.append(char)
    return "".join(out)
