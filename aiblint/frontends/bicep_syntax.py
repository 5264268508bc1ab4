"""Bicep syntax: a file read with tree-sitter-bicep 1.1 into its declarations.

The grammar misses a few constructs (typed ``var``, ``extension``, spread ``...``,
``.bicepparam`` assignments): each is recognised here and costs only the value it defines,
with a note; any other error node is a syntax finding (AIB001) at its position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from aiblint.scripts.spans import CharOffsets


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bicep

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bicep.language()))


# Types tree-sitter-bicep 1.1 does not parse; its error recovery then loses the declarations
# that follow. Neither defines a value, so the parser is shown a same-length plain type
# (every offset stays where it is written): `resourceInput<'T@v'>.properties.x` -> object,
# a nullable object type's closing `}?` (a `type` declaration) -> `}`, and the `?` of a
# nullable parameter type (`param p myType?` reads as the start of `? :` otherwise).
_RESOURCE_TYPE = re.compile(r"\bresource(?:Input|Output)<'[^'\n]*'>(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\*\])*")
_NULLABLE_TYPE_END = re.compile(r"^(\}(?:\[\])*)\?", re.M)
_NULLABLE_PARAM = re.compile(r"^([ \t]*param[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]+[A-Za-z_][A-Za-z0-9_.]*(?:\[\])*[ \t]*)\?", re.M)


def for_the_grammar(text: str) -> str:
    """``text`` with the types above rewritten, the same length."""
    if "resourceInput<" in text or "resourceOutput<" in text:
        text = _RESOURCE_TYPE.sub(lambda m: "object".ljust(len(m.group())), text)
    if "?" in text:
        text = _NULLABLE_TYPE_END.sub(lambda m: m.group(1) + " ", text)
        text = _NULLABLE_PARAM.sub(lambda m: m.group(1) + " ", text)
    return text


class Unit:
    """One parsed Bicep file and its declarations."""

    def __init__(self, text: str, file: str | None, path: Path | None, notes: list[str], errors: list[tuple[int, str]]) -> None:
        self.text = text
        self.file = file  # None: the linted file itself
        self.path = path
        self.chars = CharOffsets(text)
        grammar_text = for_the_grammar(text)
        self.tree = _parser().parse(self.chars.data if grammar_text == text else CharOffsets(grammar_text).data)
        self.params: dict[str, Any] = {}  # name -> default value node (or None)
        self.vars: dict[str, Any] = {}
        self.resources: dict[str, tuple[Any, Any]] = {}  # name -> (type string node, body)
        self.modules: dict[str, tuple[Any, Any]] = {}
        self.using: Any = None
        self.existing: set[str] = set()
        self.notes = notes
        self.errors = errors
        self._collect()

    def at(self, node: Any) -> tuple[int, int]:
        return self.chars.char(node.start_byte), self.chars.char(node.end_byte)

    def source(self, node: Any) -> str:
        start, end = self.at(node)
        return self.text[start:end]

    def note(self, node: Any, message: str) -> None:
        start, _ = self.at(node)
        line = self.text.count("\n", 0, start) + 1
        where = f"{self.file}:" if self.file else ""
        self.notes.append(f"{where}line {line}: {message}")

    def _collect(self) -> None:
        for child in self.tree.root_node.named_children:
            kind = child.type
            if kind in ("parameter_declaration", "variable_declaration"):
                self._declaration(child)
            elif kind in ("resource_declaration", "module_declaration"):
                named = [c for c in child.named_children if c.type in ("identifier", "string")]
                body = child.named_children[-1] if child.named_children else None
                if len(named) >= 2:
                    table = self.resources if kind == "resource_declaration" else self.modules
                    table[self.source(named[0])] = (named[1], body)
                    if any(c.type == "existing" for c in child.children):
                        self.existing.add(self.source(named[0]))  # referred to, not deployed
                self._report_errors(child)
            elif kind == "using_statement":
                strings = [c for c in child.named_children if c.type == "string"]
                self.using = strings[0] if strings else None
            elif kind == "ERROR":
                words = [self.source(c) for c in child.named_children if c.type == "identifier"]
                if words and words[0] in ("extension", "provider"):
                    self.note(child, f"`{words[0]}` is not read (tree-sitter-bicep 1.1 does not parse it)")
                else:
                    self._syntax_error(child)
            else:
                self._report_errors(child)

    def _declaration(self, node: Any) -> None:
        children = node.named_children
        names = [c for c in children if c.type == "identifier"]
        errors = [c for c in children if c.type == "ERROR"]
        value = None
        if node.type == "variable_declaration" and errors and errors[0].named_children:
            # `var x string = ...` (typed variable): the grammar reads `x` as an error
            inner = [c for c in errors[0].named_children if c.type == "identifier"]
            names = inner or names
            value = children[-1]
            self.note(node, f"typed variable `{self.source(names[0])}` read without its type (tree-sitter-bicep 1.1)")
        elif node.type == "parameter_declaration" and errors and children[-1].type == "type":
            # `.bicepparam`'s `param x = value`: the grammar reads the value as a type
            value = children[-1].named_children[0] if children[-1].named_children else None
        else:
            if _has_equals(node):
                value = children[-1]
            self._report_errors(node)
        if not names:
            return
        name = self.source(names[0])
        if node.type == "variable_declaration":
            self.vars[name] = value
        else:
            self.params[name] = value

    def _report_errors(self, node: Any) -> None:
        for error in _errors(node):
            if is_spread(error):
                continue  # costs the object it is in (unknown), with a note from the evaluator
            self._syntax_error(error)

    def _syntax_error(self, node: Any) -> None:
        start, _ = self.at(node)
        if node.is_missing:
            message = f"Bicep syntax error: expected {node.type!r}"
        else:
            shown = self.source(node).split("\n", 1)[0][:40]
            message = f"Bicep syntax error: unexpected {shown!r}" if shown else "Bicep syntax error"
        self.errors.append((start, message))


def _has_equals(node: Any) -> bool:
    return any(c.type == "=" for c in node.children)


def _errors(node: Any) -> Iterator[Any]:
    if not node.has_error:
        return
    stack = [node]
    while stack:
        current = stack.pop()
        if current.is_error or current.is_missing:
            yield current
            continue
        stack.extend(c for c in current.children if c.has_error or c.is_missing)


def is_spread(node: Any) -> bool:
    return node.is_error and node.child_count > 0 and node.children[0].type == "."
