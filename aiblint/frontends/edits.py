"""The literal text of a Bicep or HCL file's strings and arrays, for ``--fix`` and quick fixes.

Read from the syntax tree (not from evaluation), so it answers for every string written in
the linted file: a fix that lands in one of them is escaped for it (aiblint.editmap).
"""

from __future__ import annotations

from typing import Any

from aiblint.editmap import BICEP, BICEP_MULTILINE, HCL, HCL_HEREDOC, JSON_IN, ArrayLiteral, Built, Literal


def bicep_literals(unit: Any) -> Built:
    """Every string's literal pieces (between interpolations) and every array of a Bicep unit."""
    literals: list[Literal] = []
    arrays: list[ArrayLiteral] = []
    text = unit.text
    stack = [unit.tree.root_node]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind == "array":
            start, end = unit.at(node)
            arrays.append(ArrayLiteral(start, end, BICEP))
        elif kind == "string":
            start, end = unit.at(node)
            if text.startswith("'''", start):
                begin = start + 3
                begin += 2 if text.startswith("\r\n", begin) else 1 if text.startswith("\n", begin) else 0
                literals.append(Literal(begin, max(begin, end - 3), BICEP_MULTILINE))
                continue
            literals.extend(_pieces(unit, node, start + 1, end - 1, ("interpolation",), BICEP))
        stack.extend(node.children)
    return literals, arrays


def hcl_literals(unit: Any, json_heredocs: set[tuple[int, int]]) -> Built:
    """The same for an HCL unit; ``json_heredocs``: (start, end) of the heredocs read as JSON."""
    literals: list[Literal] = []
    arrays: list[ArrayLiteral] = []
    text = unit.text
    holes = ("template_interpolation", "template_directive")
    stack = [unit.tree.root_node]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind == "tuple":
            start, end = unit.at(node)
            arrays.append(ArrayLiteral(start, end, HCL))
        elif kind in ("quoted_template", "string_lit"):
            start, end = unit.at(node)
            literals.extend(_pieces(unit, node, start + 1, end - 1, holes, HCL))
        elif kind == "heredoc_template":
            start, end = unit.at(node)
            marks = [c for c in node.named_children if c.type == "heredoc_identifier"]
            if len(marks) >= 2:
                body_start = text.find("\n", unit.at(marks[0])[1]) + 1
                body_end = text.rfind("\n", body_start - 1, unit.at(marks[-1])[0]) + 1
                syntax = JSON_IN + HCL_HEREDOC if (start, end) in json_heredocs else HCL_HEREDOC
                literals.extend(_pieces(unit, node, body_start, max(body_start, body_end), holes, syntax))
        stack.extend(node.children)
    return literals, arrays


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
