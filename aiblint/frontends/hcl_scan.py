"""A byte scan of an HCL file's top-level blocks, so tree-sitter-hcl parses only the blocks
the Terraform front end reads.

tree-sitter-hcl 1.2 parses expressions at ~0.8 us a byte; a module folder is mostly
blocks aiblint never reads (outputs, providers, role assignments, the long descriptions
and validations of ``variable`` blocks). The scan finds each block and the attributes of
its body (strings, ``${}``, heredocs and comments skipped as HCL defines them); the parser
is then given only the wanted byte ranges (``included_ranges``), so every offset is the
file's own. Anything the scan does not understand returns None: the whole file is parsed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(rb"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_SPACE = b" \t\r\n"
_CLOSE = {ord("}"): ord("{"), ord("]"): ord("["), ord(")"): ord("(")}
_EXPRESSION_STOP = re.compile(rb'[{}\[\]()"<#/\n]')  # what changes the scan's state in an expression
_STRING_STOP = re.compile(rb'[\\"\n$%]')
_SPACE_AND_COMMENTS = re.compile(rb"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.S)
_BLANKS = re.compile(rb"[ \t\r]*")


class ScanError(Exception):
    """Not what the scan understands: the caller parses the whole file."""


@dataclass
class Attribute:
    name: bytes
    start: int
    end: int  # after its expression's line end


@dataclass
class Block:
    kind: bytes
    labels: list[bytes]
    start: int
    open_line_end: int  # after the line holding "{"
    close: int  # offset of the closing "}"
    end: int  # after "}"
    attributes: list[Attribute] = field(default_factory=list)


def scan(data: bytes) -> list[Block] | None:
    """The top-level blocks of ``data``, or None when the scan is unsure."""
    try:
        return _Scanner(data).blocks()
    except (ScanError, IndexError, RecursionError):  # deep ${"${...}"} nesting: parse whole
        return None


class _Scanner:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.i = 0

    def blocks(self) -> list[Block]:
        found: list[Block] = []
        data = self.data
        while True:
            self._skip_space_and_comments()
            if self.i >= len(data):
                return found
            start = self.i
            kind = self._ident()
            labels = []
            while True:
                self._skip_space_and_comments(newlines=False)
                char = data[self.i : self.i + 1]
                if char == b'"':
                    label_start = self.i
                    self._string()
                    labels.append(data[label_start + 1 : self.i - 1])
                elif char == b"{":
                    break
                else:
                    labels.append(self._ident())
            found.append(self._block(kind, labels, start))

    def _block(self, kind: bytes, labels: list[bytes], start: int) -> Block:
        data = self.data
        open_brace = self.i
        newline = data.find(b"\n", open_brace)
        block = Block(kind, labels, start, len(data) if newline < 0 else newline + 1, 0, 0)
        self.i += 1
        while True:  # the body: attributes and nested blocks, one a line
            self._skip_space_and_comments()
            if data[self.i : self.i + 1] == b"}":
                block.close = self.i
                self.i += 1
                block.end = self.i
                return block
            item_start = self.i
            name = self._ident()
            self._skip_space_and_comments(newlines=False)
            if data[self.i : self.i + 1] == b"=" and data[self.i : self.i + 2] != b"==":
                self.i += 1
                self._expression()
                block.attributes.append(Attribute(name, item_start, self.i))
            else:  # a nested block (identity {, validation {, dynamic "x" {)
                while data[self.i : self.i + 1] != b"{":
                    if data[self.i : self.i + 1] == b'"':
                        self._string()
                    else:
                        self._ident()
                    self._skip_space_and_comments(newlines=False)
                self._balanced()

    def _expression(self) -> None:
        """To the end of the attribute's line, brackets, strings and heredocs skipped whole."""
        data = self.data
        depth: list[int] = []
        while True:
            found = _EXPRESSION_STOP.search(data, self.i)
            if found is None:
                break
            self.i = found.start()
            char = data[self.i]
            if char in b"{[(":
                depth.append(char)
                self.i += 1
            elif char in b"}])":
                if not depth:
                    return  # the block's own closing brace: a one-line block
                if depth.pop() != _CLOSE[char]:
                    raise ScanError("unbalanced")
                self.i += 1
            elif char == ord('"'):
                self._string()
            elif char == ord("<"):
                if _HEREDOC.match(data, self.i):
                    self._heredoc()
                else:
                    self.i += 1
            elif char == ord("/") and not data.startswith((b"//", b"/*"), self.i):
                self.i += 1
            elif char in b"#/":
                if not depth and not data.startswith(b"/*", self.i):
                    self._skip_line()
                    return
                self._comment()
            else:  # a newline
                self.i += 1
                if not depth:
                    return
        self.i = len(data)
        if depth:
            raise ScanError("unclosed bracket")

    def _balanced(self) -> None:
        """A ``{ ... }`` nested block, from its brace."""
        data = self.data
        depth = 0
        while True:
            found = _EXPRESSION_STOP.search(data, self.i)
            if found is None:
                raise ScanError("unclosed block")
            self.i = found.start()
            char = data[self.i]
            if char in b"{[(":
                depth += 1
                self.i += 1
            elif char in b"}])":
                depth -= 1
                self.i += 1
                if depth == 0:
                    return
            elif char == ord('"'):
                self._string()
            elif char == ord("<") and _HEREDOC.match(data, self.i):
                self._heredoc()
            elif char in b"#/" and (char == ord("#") or data.startswith((b"//", b"/*"), self.i)):
                self._comment()
            else:
                self.i += 1

    def _string(self) -> None:
        """A quoted template, from its quote; ``${ }`` and ``%{ }`` may hold strings and braces."""
        data = self.data
        self.i += 1
        while True:
            found = _STRING_STOP.search(data, self.i)
            if found is None:
                raise ScanError("unclosed string")
            self.i = found.start()
            char = data[self.i]
            if char == ord("\\"):
                self.i += 2
            elif char == ord('"'):
                self.i += 1
                return
            elif char == ord("\n"):
                raise ScanError("newline in a string")
            elif data.startswith(b"{", self.i + 1):  # ${ or %{
                self.i += 1
                self._balanced()
            elif data[self.i + 1 : self.i + 2] == bytes([char]) and data.startswith(b"{", self.i + 2):
                self.i += 3  # $${ and %%{: literal text
            else:
                self.i += 1

    def _heredoc(self) -> None:
        data = self.data
        match = _HEREDOC.match(data, self.i)
        assert match is not None
        marker = match.group(2)
        at = match.end()
        while at < len(data):
            stop = data.find(b"\n", at)
            line = data[at : len(data) if stop < 0 else stop]
            if line.strip(_SPACE) == marker:
                self.i = at + len(line)
                return
            if stop < 0:
                break
            at = stop + 1
        raise ScanError("unclosed heredoc")

    def _comment(self) -> None:
        data = self.data
        if data.startswith(b"/*", self.i):
            close = data.find(b"*/", self.i + 2)
            if close < 0:
                raise ScanError("unclosed comment")
            self.i = close + 2
        else:
            self._skip_line()

    def _skip_line(self) -> None:
        stop = self.data.find(b"\n", self.i)
        self.i = len(self.data) if stop < 0 else stop + 1

    def _skip_space_and_comments(self, newlines: bool = True) -> None:
        self.i = (_SPACE_AND_COMMENTS if newlines else _BLANKS).match(self.data, self.i).end()  # type: ignore[union-attr]

    def _ident(self) -> bytes:
        match = _IDENT.match(self.data, self.i)
        if match is None:
            raise ScanError("identifier expected")
        self.i = match.end()
        return match.group()


READ_WHOLE = (b"locals", b"module")
READ_RESOURCES = (b"azapi_resource", b"azurerm_resource_group_template_deployment")


# Worth scanning: a block the front end never reads, or a file big enough for long variables.
_UNREAD_BLOCK = re.compile(
    rb'^[ \t]*(?:data|output|provider|terraform|check|import|moved|removed)\b|^[ \t]*resource[ \t]+"?(?!(?:azapi_resource|azurerm_resource_group_template_deployment)\b)[A-Za-z_]',
    re.M,
)
SCAN_FROM_BYTES = 4096
PARSE_WHOLE_ABOVE = 0.6  # ranges covering more of the file than this: the whole parse is as quick


def wanted_ranges(data: bytes) -> list[tuple[int, int]] | None:
    """The byte ranges the Terraform front end reads: ``locals``, ``module`` and the
    ``azapi_resource`` / template-deployment blocks whole, and of each ``variable`` block
    its header, its ``default`` and its closing brace. None: parse the whole file (also
    when that is as quick: a small file of wanted blocks)."""
    if len(data) < SCAN_FROM_BYTES and not _UNREAD_BLOCK.search(data):
        return None
    ranges = _ranges(data)
    if ranges is None or sum(end - start for start, end in ranges) > PARSE_WHOLE_ABOVE * len(data):
        return None
    return ranges


def _ranges(data: bytes) -> list[tuple[int, int]] | None:
    blocks = scan(data)
    if blocks is None:
        return None
    ranges: list[tuple[int, int]] = []
    for block in blocks:
        if block.kind in READ_WHOLE or (block.kind == b"resource" and block.labels[:1] and block.labels[0] in READ_RESOURCES):
            ranges.append((block.start, block.end))
        elif block.kind == b"variable":
            if block.open_line_end > block.close:  # a one-line block
                ranges.append((block.start, block.end))
                continue
            ranges.append((block.start, block.open_line_end))
            ranges.extend((a.start, a.end) for a in block.attributes if a.name == b"default")
            ranges.append((block.close, block.end))
    return ranges


@lru_cache(maxsize=1)
def _language() -> Any:
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Language(tree_sitter_hcl.language())


def parse_hcl(data: bytes) -> Any:
    """Only the blocks the front end reads (hcl_scan), or the whole file when the scan is unsure."""
    import tree_sitter

    spans = wanted_ranges(data)
    if spans is None:
        return tree_sitter.Parser(_language()).parse(data)
    if not spans:
        return tree_sitter.Parser(_language()).parse(b"")
    lines = _newlines(data)

    def point(offset: int) -> Any:
        row = bisect.bisect_left(lines, offset)
        return tree_sitter.Point(row, offset - (lines[row - 1] + 1 if row else 0))

    ranges = [tree_sitter.Range(point(start), point(end), start, end) for start, end in spans]
    return tree_sitter.Parser(_language(), included_ranges=ranges).parse(data)


def _newlines(data: bytes) -> list[int]:
    found = []
    at = data.find(b"\n")
    while at >= 0:
        found.append(at)
        at = data.find(b"\n", at + 1)
    return found
