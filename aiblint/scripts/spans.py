"""A script as the build runs it, and the way back from a script offset to the file.

Inline scripts are the ``inline`` strings joined with newlines, each line as ARM passes it
(in an ARM deployment template a leading ``[[`` loses one bracket). Every script offset
maps to the file offset where that character is written, escapes counted; local script
files (mapped from a ``scriptUri``) map one to one onto their own text.
"""

from __future__ import annotations

import bisect
import gc
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiblint.arm import unescape_literal
from aiblint.armtext import EvalString
from aiblint.diagnostics import Span
from aiblint.jsontree import LineIndex, StringNode


class CharOffsets:
    """tree-sitter speaks UTF-8 byte offsets; the rest of aiblint speaks characters.

    Both script models use it (the Shell model shows its parser ASCII only, so there the
    two agree).
    """

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", errors="surrogatepass")
        self.ascii = len(self.data) == len(text)
        if not self.ascii:
            table = []
            for index, char in enumerate(text):
                table.extend([index] * len(char.encode("utf-8", errors="surrogatepass")))
            table.append(len(text))
            self.table = table

    def char(self, byte: int) -> int:
        return byte if self.ascii else self.table[min(byte, len(self.table) - 1)]


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a command model is built.

    A model is thousands of small objects that reference counting frees; none form
    cycles, yet each allocation counts toward a collection that scans them all again
    (about 5% of a 1000-line script's analysis).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(slots=True)
class RawComment:
    """A comment as a script parser found it (offsets in the script), for suppressions."""

    text: str
    start: int
    end: int
    own_line: bool  # nothing but white space before it on its line


def find_comments(
    root: Any,
    data: bytes,
    text: str,
    start_char: Callable[[Any], int],
    span: Callable[[Any], tuple[int, int]],
    text_of: Callable[[Any], str],
) -> list[RawComment]:
    """Every `comment` node under ``root`` (either grammar), in script order.

    Both languages start every comment with `#` (or `<#`): only the nodes at a `#` of the
    parsed bytes ``data`` are looked at, not the whole tree. ``start_char`` is a node's
    character offset in ``text`` (to tell whether the comment has its line to itself),
    ``span`` its offsets in the script, ``text_of`` its text.
    """
    found: list[RawComment] = []
    seen: set[int] = set()
    lookup = _NodeAt(root)
    byte = data.find(b"#")
    while byte >= 0:
        node = lookup.at(byte)
        if node is not None and node.type == "comment" and node.start_byte not in seen:
            seen.add(node.start_byte)
            local = start_char(node)
            line_start = text.rfind("\n", 0, local) + 1
            start, end = span(node)
            found.append(RawComment(text_of(node), start, end, text[line_start:local].strip() == ""))
            byte = data.find(b"#", max(node.end_byte, byte + 1))  # the rest of a comment is its own
        else:
            byte = data.find(b"#", byte + 1)
    found.sort(key=lambda c: c.start)
    return found


class _NodeAt:
    """The smallest node holding a byte, found by bisecting each level's children.

    tree-sitter's descendant_for_byte_range scans a node's children one by one, so 50,000
    comment lines (50,000 children of the root) cost 50,000 scans of 50,000: quadratic.
    Each level's child list and start offsets are read once and kept.
    """

    def __init__(self, root: Any) -> None:
        self.root = root
        self.levels: dict[int, tuple[list[Any], list[int]]] = {}

    def at(self, byte: int) -> Any:
        node = self.root
        if not node.start_byte <= byte < node.end_byte:
            return None
        while True:
            level = self.levels.get(node.id)
            if level is None:
                children = node.children
                level = self.levels[node.id] = (children, [child.start_byte for child in children])
            children, starts = level
            index = bisect_right(starts, byte) - 1
            if index > 0 and children[index].end_byte <= byte < children[index - 1].end_byte:
                index -= 1  # a zero-width node at this byte: the one before it holds the byte
            if index < 0 or children[index].end_byte <= byte:
                return node
            node = children[index]


@dataclass
class ScriptSource:
    text: str
    pointer: str  # the inline array, or the scriptUri value for a mapped file
    file: str | None = None  # a local script file's display path (None: the template itself)
    file_lines: LineIndex | None = None
    _nodes: list[StringNode] | None = None
    _shifts: list[int] | None = None
    _starts: list[int] | None = None
    # The expression that brought the script here ("used by customize[2]", its span): a
    # related location of every finding (None: the script is written in the customizer)
    via: tuple[str, Span] | None = None
    # An inline array of which only some lines are expressions: each such line's own use site
    # (by line); the other lines are written where they are, or came with ``via_rest``
    line_vias: dict[int, tuple[str, Span]] | None = None
    via_rest: tuple[str, Span] | None = None

    def use_site(self, line: int) -> tuple[str, Span] | None:
        """The expression that brought script line ``line`` here, if any."""
        if self.line_vias is None:
            return self.via
        return self.line_vias.get(line, self.via_rest)

    @classmethod
    def inline(cls, nodes: list[StringNode], pointer: str, arm: bool) -> ScriptSource:
        lines: list[str] = []
        shifts: list[int] = []
        for node in nodes:
            # An evaluated line (EvalString) is final: ARM's unescape applied where it was written
            text = unescape_literal(node.text) if arm and not isinstance(node, EvalString) else node.text
            lines.append(text)
            shifts.append(len(node.text) - len(text))  # the characters ARM's unescape removed
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        return cls("\n".join(lines), pointer, None, None, nodes, shifts, starts)

    @classmethod
    def from_file(cls, text: str, display: str, pointer: str) -> ScriptSource:
        text = text.lstrip("\ufeff")
        return cls(text, pointer, display, LineIndex(text))

    # -- script offsets -> lines and file offsets -------------------------------------
    def line_of(self, offset: int) -> int:
        """0-based script line holding ``offset``."""
        if self._starts is None:
            assert self.file_lines is not None
            return self.file_lines.position(offset)[0] - 1
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def line_text(self, line: int) -> str:
        if self._starts is None:
            assert self.file_lines is not None
            return self.file_lines.line_text(line + 1)
        start = self._starts[line]
        end = self._starts[line + 1] - 1 if line + 1 < len(self._starts) else len(self.text)
        return self.text[start:end]

    def line_pointer(self, line: int) -> str:
        if self._nodes is None:
            return self.pointer
        return self._nodes[min(line, len(self._nodes) - 1)].pointer

    def line_file(self, line: int) -> str | None:
        """The file an inline line is written in when not the template's (a Bicep module,
        a ``loadTextContent`` script): front ends set ``StringNode.file``."""
        if self._nodes is None:
            return None
        return self._nodes[min(line, len(self._nodes) - 1)].file

    def line_loaded_by(self, line: int) -> tuple[str | None, int, int] | None:
        """The call that loaded an inline line from its own file (``loadTextContent``)."""
        if self._nodes is None:
            return None
        return getattr(self._nodes[min(line, len(self._nodes) - 1)], "loaded_by", None)

    def line_verbatim(self, line: int) -> bool:
        """An inline line loaded from its own file as written there (``file()``,
        ``loadTextContent``; not a rendered template): a fix may edit that file."""
        if self._nodes is None:
            return False
        return getattr(self._nodes[min(line, len(self._nodes) - 1)], "verbatim", False)

    def file_offset(self, offset: int) -> int:
        if self._nodes is None:
            return max(0, min(offset, len(self.text)))
        assert self._starts is not None and self._shifts is not None
        line = self.line_of(offset)
        column = offset - self._starts[line]
        node = self._nodes[line]
        return node.file_offset(min(column, len(node.text) - self._shifts[line]) + self._shifts[line])

    def file_of(self, offset: int) -> str | None:
        """The file script offset ``offset`` is written in (None: the linted template); a
        line from a parameter file is in that file."""
        if self._nodes is None:
            return self.file
        assert self._starts is not None
        line = self.line_of(offset)
        node = self._nodes[line]
        if isinstance(node, EvalString):
            return node.file_at(offset - self._starts[line])
        return self.file

    def file_span(self, start: int, end: int) -> Span:
        """The file range of script range [start, end); a range that runs past its line
        ends at that line's closing quote, so a finding never spans JSON punctuation."""
        line = self.line_of(start)
        if self._starts is not None:
            line_end = self._starts[line] + len(self.line_text(line))
            end = min(end, line_end)
        first = self.file_offset(start)
        last = self.file_offset(max(start, end))
        return Span(first, max(first, last))
