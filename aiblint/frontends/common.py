"""What the Bicep and Terraform front ends share about their source text."""

from __future__ import annotations

from typing import Any

from aiblint.frontends import values as v
from aiblint.jsontree import StringNode
from aiblint.scripts.spans import CharOffsets


class SourceUnit:
    """One parsed file: its text, tree-sitter's byte offsets read as character offsets, and
    the notes it adds to the run."""

    text: str
    file: str | None  # None: the linted file itself
    chars: CharOffsets  # of the text the grammar parsed
    notes: list[str]
    shift = 0  # characters the grammar saw before the text (a template file parsed in a wrapper)

    def at(self, node: Any) -> tuple[int, int]:
        shift = self.shift
        if self.chars.ascii:  # the usual file: bytes are characters
            return node.start_byte - shift, node.end_byte - shift
        return self.chars.char(node.start_byte) - shift, self.chars.char(node.end_byte) - shift

    def source(self, node: Any) -> str:
        start, end = self.at(node)
        return self.text[start:end]

    def note(self, node: Any, message: str) -> None:
        line = self.text.count("\n", 0, self.at(node)[0]) + 1
        self.notes.append(f"{self.file + ':' if self.file else ''}line {line}: {message}")


class Malformed(Exception):
    """A string literal that cannot be decoded (a bad ``\\u`` escape)."""


class Decoder:
    """A string literal decoded character by character: each written character keeps its
    file offset; runs of them become string parts, interpolated values sit between them."""

    def __init__(self, start: int, end: int, file: str | None) -> None:
        self.start = start  # the string node's span
        self.end = end
        self.file = file
        self.parts: list[StringNode] = []
        self.chars: list[str] = []
        self.offsets: list[int] = []

    def add(self, char: str, offset: int) -> None:
        self.chars.append(char)
        self.offsets.append(offset)

    def run(self, text: str, begin: int, stop: int) -> None:
        """``text[begin:stop]``, each character at its own offset."""
        self.chars.extend(text[begin:stop])
        self.offsets.extend(range(begin, stop))

    def flush(self, next_offset: int) -> None:
        """Close the current run; ``next_offset``: where the text after it is written."""
        if self.chars:
            self.parts.append(v.string("".join(self.chars), [*self.offsets, next_offset], self.start, self.end, self.file))
            self.chars.clear()
            self.offsets.clear()

    def value(self, piece: StringNode, before: int) -> None:
        """An interpolated value, written just before offset ``before``."""
        self.flush(before)
        self.parts.append(piece)

    def result(self, empty_offset: int) -> StringNode:
        """The whole string; an empty one maps to ``empty_offset``."""
        if not self.parts:
            return v.string("", [empty_offset], self.start, self.end, self.file)
        if len(self.parts) == 1:
            return self.parts[0]
        return v.join_strings(self.parts, self.start, self.end, self.file)
