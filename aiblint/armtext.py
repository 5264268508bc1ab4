"""Strings that remember where their characters were written, through ARM functions.

An evaluated ARM string (a variable, a parameter default, a parameter file value, a
``format``/``concat`` literal, a line of ``split(...)``) is a ``Text``: a ``str`` with
*pieces*, each mapping a run of its characters to a run of a JSON string node's decoded
text. Characters no piece covers (padding, numbers, base64 output) have no position of
their own; a finding there points at the expression that produced them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from aiblint.jsontree import AnyNode, StringNode


@dataclass(frozen=True, slots=True)
class Piece:
    start: int  # first character in the value
    length: int
    node: StringNode  # where the run is written
    index: int  # the run's first character in node.text
    file: str | None  # None: the linted file; else a parameter file's display path


class Text(str):
    """A str with ``pieces`` (value runs -> source runs). Behaves as a str everywhere."""

    pieces: tuple[Piece, ...]

    def __new__(cls, value: str, pieces: tuple[Piece, ...]) -> Text:
        obj = str.__new__(cls, value)
        obj.pieces = pieces
        return obj

    def __reduce__(self) -> Any:
        return (Text, (str(self), self.pieces))

    def locate(self, index: int) -> tuple[StringNode, int, str | None] | None:
        """(node, index in node.text, file) of character ``index`` (``len`` = end of the last run)."""
        for piece in self.pieces:
            if piece.start <= index < piece.start + piece.length or (index == piece.start + piece.length and index == len(self)):
                return piece.node, piece.index + index - piece.start, piece.file
        return None


def pieces_of(value: str) -> tuple[Piece, ...]:
    return value.pieces if isinstance(value, Text) else ()


def make(value: str, pieces: list[Piece] | tuple[Piece, ...]) -> str:
    return Text(value, tuple(pieces)) if pieces else value


def from_node(node: StringNode, file: str | None, shift: int = 0) -> str:
    """The node's text from character ``shift`` on (1 for ARM's ``[[`` escape)."""
    text = node.text[shift:]
    return Text(text, (Piece(0, len(text), node, shift, file),)) if text else text


def from_literal(value: str, column: int, escapes: tuple[int, ...], node: StringNode, file: str | None) -> str:
    """An expression's ``'...'`` literal opening at body column ``column`` of ``node``'s
    ``[...]`` text; each doubled ``''`` shifts the rest by one raw character."""
    if not value:
        return value
    pieces: list[Piece] = []
    start = 0
    for shift, escape in enumerate((*escapes, len(value) - 1)):
        end = escape + 1
        if end > start:
            pieces.append(Piece(start, end - start, node, 1 + column + 1 + start + shift, file))
        start = end
    return Text(value, tuple(pieces))


MAX_PIECES = 4096  # a value stitched from more runs keeps its text, not its positions


def join(parts: list[str]) -> str:
    """Concatenation that keeps every part's pieces."""
    if sum(len(pieces_of(part)) for part in parts) > MAX_PIECES:
        return "".join(parts)  # positions fall back to the use site
    pieces: list[Piece] = []
    offset = 0
    for part in parts:
        for piece in pieces_of(part):
            pieces.append(Piece(piece.start + offset, piece.length, piece.node, piece.index, piece.file))
        offset += len(part)
    return make("".join(parts), pieces)


def _starts(value: Text) -> list[int]:
    starts = value.__dict__.get("_starts")
    if starts is None:
        starts = value.__dict__["_starts"] = [piece.start for piece in value.pieces]
    return starts


def cut(value: str, start: int, end: int) -> str:
    """value[start:end], pieces clipped (found by bisection: many cuts of one value stay linear)."""
    start = max(0, start)
    end = min(len(value), end)
    if end <= start:
        return ""
    if not isinstance(value, Text):
        return value[start:end]
    all_pieces = value.pieces
    first = max(0, bisect.bisect_right(_starts(value), start) - 1)
    pieces: list[Piece] = []
    for piece in all_pieces[first:]:
        if piece.start >= end:
            break
        lo = max(start, piece.start)
        hi = min(end, piece.start + piece.length)
        if lo < hi:
            pieces.append(Piece(lo - start, hi - lo, piece.node, piece.index + lo - piece.start, piece.file))
    return make(value[start:end], pieces)


def same_length(value: str, result: str) -> str:
    """A case change keeps positions when no character changed length."""
    return make(result, pieces_of(value)) if len(result) == len(value) else result


def split(value: str, separators: list[str]) -> list[str]:
    """ARM split: on any of the separators, each part keeping its positions (linear time)."""
    separators = [s for s in separators if s]
    if not separators:
        return [value]
    if len(separators) == 1 and (not isinstance(value, Text) or value.count(separators[0]) > MAX_PIECES):
        return value.split(separators[0])  # no positions to keep, or too many parts to map: C speed
    found: list[str] = []
    start = 0
    nexts = {s: value.find(s) for s in separators}
    while True:
        live = [(index, s) for s, index in nexts.items() if index >= 0]
        if not live:
            break
        index, separator = min(live)
        found.append(cut(value, start, index))
        start = index + len(separator)
        for s, at in nexts.items():
            if 0 <= at < start:
                nexts[s] = value.find(s, start)
    found.append(cut(value, start, len(value)))
    return found


def replace(value: str, old: str, new: str) -> str:
    parts: list[str] = []
    start = 0
    while True:
        index = value.find(old, start)
        if index < 0:
            break
        parts.append(cut(value, start, index))
        parts.append(new)
        start = index + len(old)
    parts.append(cut(value, start, len(value)))
    return join(parts)


def whole_node(value: str) -> StringNode | None:
    """The template node the whole value is written in, verbatim (its own position)."""
    pieces = pieces_of(value)
    if len(pieces) != 1:
        return None
    piece = pieces[0]
    if (
        piece.file is not None
        or piece.start != 0
        or piece.length != len(value)
        or piece.length != len(piece.node.text) - piece.index
    ):
        return None
    if piece.index not in (0, 1) or (piece.index == 1 and not piece.node.text.startswith("[[")):
        return None
    return piece.node


@dataclass(eq=False)
class EvalString(StringNode):
    """A string node made from an evaluated value: its span is the use site (``via``);
    each character with a piece maps back to where it was written."""

    pieces: tuple[Piece, ...] = ()
    via: AnyNode | None = field(default=None)

    def _piece(self, index: int) -> Piece | None:
        for piece in self.pieces:
            if piece.start <= index < piece.start + piece.length:
                return piece
        if self.pieces and index >= len(self.text):
            last = self.pieces[-1]
            if last.start + last.length == len(self.text):
                return last
        return None

    def file_offset(self, index: int) -> int:
        piece = self._piece(index)
        if piece is None:
            return self.start
        return piece.node.file_offset(piece.index + index - piece.start)

    def file_at(self, index: int) -> str | None:
        """The file ``file_offset(index)`` is in (None: the linted file)."""
        piece = self._piece(index)
        return piece.file if piece is not None else None
