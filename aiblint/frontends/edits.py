"""Where a fix lands in a Bicep or HCL file: the string (and its literal piece) or the array
literal at an offset, found in the syntax tree when a rule offers a fix.

Asked on demand (``descendant_for_byte_range``, then up to the string), so a file whose
findings offer no fix pays nothing; the answers go to aiblint.editmap, which escapes the
fix for that string's syntax.
"""

from __future__ import annotations

from typing import Any

from aiblint.editmap import BICEP, BICEP_MULTILINE, HCL, HCL_HEREDOC, JSON_IN, Literal

_BICEP_STRINGS = ("string",)
_HCL_STRINGS = ("quoted_template", "string_lit", "heredoc_template")
_HCL_HOLES = ("template_interpolation", "template_directive")


class TreeLiterals:
    """The literal pieces and arrays of one parsed unit (Bicep or HCL)."""

    def __init__(self, unit: Any, language: str, json_heredocs: set[tuple[int, int]] | None = None) -> None:
        self.unit = unit
        self.language = language
        self.json_heredocs = json_heredocs if json_heredocs is not None else set()
        self.json_arrays: set[tuple[int, int]] = set()  # arrays inside JSON heredocs (file offsets)

    def _byte(self, char: int) -> int:
        chars = self.unit.chars
        return char if chars.ascii else len(self.unit.text[:char].encode("utf-8", errors="surrogatepass"))

    def _node(self, start: int, end: int) -> Any:
        return self.unit.tree.root_node.descendant_for_byte_range(self._byte(start), self._byte(end))

    def literal_at(self, start: int, end: int) -> Literal | None:
        kinds = _BICEP_STRINGS if self.language == "bicep" else _HCL_STRINGS
        for probe in (start, start - 1) if start == end and start > 0 else (start,):
            node = self._node(probe, max(probe, end))
            while node is not None and node.type not in kinds:
                node = node.parent
            if node is None:
                continue
            for piece in self._pieces(node):
                if piece.start <= start <= end <= piece.end:
                    return piece
        return None

    def array_syntax(self, start: int, end: int) -> str | None:
        if (start, end) in self.json_arrays:
            return JSON_IN + HCL_HEREDOC
        kind = "array" if self.language == "bicep" else "tuple"
        node = self._node(start, end)
        while node is not None and self.unit.at(node) == (start, end):
            if node.type == kind:
                return BICEP if self.language == "bicep" else HCL
            node = node.parent
        return None

    def _pieces(self, node: Any) -> list[Literal]:
        unit = self.unit
        text = unit.text
        start, end = unit.at(node)
        if node.type == "string":  # Bicep
            if text.startswith("'''", start):
                begin = start + 3
                begin += 2 if text.startswith("\r\n", begin) else 1 if text.startswith("\n", begin) else 0
                return [Literal(begin, max(begin, end - 3), BICEP_MULTILINE)]
            return _pieces(unit, node, start + 1, end - 1, ("interpolation",), BICEP)
        if node.type == "heredoc_template":
            marks = [c for c in node.named_children if c.type == "heredoc_identifier"]
            if len(marks) < 2:
                return []
            body_start = text.find("\n", unit.at(marks[0])[1]) + 1
            body_end = text.rfind("\n", body_start - 1, unit.at(marks[-1])[0]) + 1
            syntax = JSON_IN + HCL_HEREDOC if (start, end) in self.json_heredocs else HCL_HEREDOC
            return _pieces(unit, node, body_start, max(body_start, body_end), _HCL_HOLES, syntax)
        if node.type == "string_lit" and any(c.type == "quoted_template" for c in node.named_children):
            return []  # the quoted_template inside answers
        return _pieces(unit, node, start + 1, end - 1, _HCL_HOLES, HCL)


def _pieces(unit: Any, node: Any, begin: int, stop: int, holes: tuple[str, ...], syntax: str) -> list[Literal]:
    """[begin, stop) without the interpolations in it."""
    found = []
    position = begin
    for child in node.named_children:
        if child.type in holes:
            hole_start, hole_end = unit.at(child)
            if hole_start >= position:
                found.append(Literal(position, hole_start, syntax))
            position = max(position, hole_end)
    found.append(Literal(position, max(position, stop), syntax))
    return found
