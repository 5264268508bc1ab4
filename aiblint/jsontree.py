"""A small JSON / JSON-with-comments parser that keeps the position of every value.

Why our own: no package handles comments, a BOM, duplicate keys, trailing commas and
exact error positions together (see the project's dependency notes). Offsets are
character offsets into the text *after* the BOM is removed, so columns never count it.

Strings remember where they were written: ``StringNode.file_offset(i)`` maps the i-th
decoded character to the offset of its first raw character (an escape like ``\\"`` or
``\\u00e9`` or a surrogate pair counts as one decoded character).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiblint.editmap import EditMap

MAX_DEPTH = 200  # deeper documents are refused (AIB001) instead of exhausting the stack

_WS = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
# Plain run inside a string: anything but quote, backslash and control characters.
# Python refuses to convert longer digit strings (and the conversion is quadratic): a
# longer integer is read as a float, which is then infinite, as 1e400 is.
_MAX_INT_DIGITS = 4000


def _number(raw: str) -> int | float:
    if any(c in raw for c in ".eE") or len(raw) > _MAX_INT_DIGITS:
        return float(raw)
    return int(raw)


_STR_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')
# The common cases in one match each: a string without escapes, and such a string as a
# property name followed by its colon (the parse's hot path; anything else takes the long way).
_STR_SIMPLE = re.compile(r'"([^"\\\x00-\x1f]*)"')
_KEY_SIMPLE = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\r\n]*:')
# What follows a member or an item: its comma (and the white space after it) or the closing bracket.
_AFTER_MEMBER = re.compile(r"[ \t\r\n]*([,}])[ \t\r\n]*")
_AFTER_ITEM = re.compile(r"[ \t\r\n]*([,\]])[ \t\r\n]*")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JsonSyntaxError(Exception):
    """The text is not JSON(C). ``offset`` is the offending character."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(eq=False)
class Node:
    start: int  # offset of the first character
    end: int  # offset just past the last character
    pointer: str  # RFC 6901 pointer from the document root
    # The file the node is written in, when not the linted file itself (a Bicep module,
    # a loaded script): its display path, a key of ``Document.other_files``.
    file: str | None = field(default=None, kw_only=True)

    @property
    def value(self) -> object:
        raise NotImplementedError


@dataclass(eq=False)
class StringNode(Node):
    text: str = ""
    _raw: str = ""  # the characters between the quotes, as written
    _offsets: list[int] | None = None

    @property
    def value(self) -> str:
        return self.text

    def file_offset(self, index: int) -> int:
        """File offset of decoded character ``index`` (``len(text)`` maps to the closing quote)."""
        if self._raw == self.text:  # no escapes: one raw character per decoded one
            return self.start + 1 + index
        if self._offsets is None:
            self._offsets = _decode_offsets(self._raw)
        index = max(0, min(index, len(self._offsets) - 1))
        return self.start + 1 + self._offsets[index]


@dataclass(eq=False)
class MappedStringNode(StringNode):
    """A string assembled by a front end (Bicep, HCL): ``offsets[i]`` is the file offset of
    decoded character ``i`` in ``file``, escapes, interpolations and indentation counted;
    ``offsets[len(text)]`` is where the string ends."""

    offsets: list[int] = field(default_factory=list)
    # Where the text was loaded from another file (``loadTextContent``, ``file()``): the
    # call's (file or None, start, end), shown as the finding's related location.
    loaded_by: tuple[str | None, int, int] | None = None
    # The text is that file's own, character for character (not rendered from a template):
    # a fix may edit the file itself.
    verbatim: bool = False

    def file_offset(self, index: int) -> int:
        if not self.offsets:
            return self.start
        return self.offsets[max(0, min(index, len(self.offsets) - 1))]


@dataclass(eq=False)
class NumberNode(Node):
    number: int | float = 0
    raw: str = ""

    @property
    def value(self) -> int | float:
        return self.number


@dataclass(eq=False)
class LiteralNode(Node):
    literal: bool | None = None

    @property
    def value(self) -> bool | None:
        return self.literal


@dataclass(eq=False)
class ArrayNode(Node):
    items: list[AnyNode] = field(default_factory=list)

    @property
    def value(self) -> list[object]:
        return [item.value for item in self.items]


@dataclass(eq=False)
class Member:
    key: StringNode
    value: AnyNode


@dataclass(eq=False)
class ObjectNode(Node):
    members: list[Member] = field(default_factory=list)

    @property
    def value(self) -> dict[str, object]:
        return {m.key.text: m.value.value for m in self.members}

    def get(self, key: str) -> AnyNode | None:
        """The value of ``key`` (exact case; the last one wins, as in ARM)."""
        found = None
        for member in self.members:
            if member.key.text == key:
                found = member.value
        return found

    def get_ci(self, key: str) -> AnyNode | None:
        """The value of ``key`` compared case-insensitively (ARM's own lookup)."""
        lowered = key.lower()
        found = None
        for member in self.members:
            if member.key.text.lower() == lowered:
                found = member.value
        return found

    def member(self, key: str) -> Member | None:
        lowered = key.lower()
        found = None
        for m in self.members:
            if m.key.text.lower() == lowered:
                found = m
        return found

    def keys(self) -> list[str]:
        return [m.key.text for m in self.members]


AnyNode = ObjectNode | ArrayNode | StringNode | NumberNode | LiteralNode


@dataclass
class Document:
    """A parsed file: the root value plus what the lenient parts of the grammar saw."""

    text: str
    root: AnyNode
    had_bom: bool
    comments: list[tuple[int, int]]  # (start, end) of each // or /* */ comment
    trailing_commas: list[int]  # offset of each comma before ] or }
    duplicate_keys: list[tuple[StringNode, StringNode]]  # (first, later), case-insensitive
    lines: LineIndex
    # What a front end (Bicep, Terraform) adds: the language it read, the other files its
    # nodes point into (modules, loaded scripts), its remarks for stderr, and the syntax
    # errors that cost a declaration but not the file (offset, message).
    language: str = "json"
    other_files: dict[str, LineIndex] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    syntax_errors: list[tuple[int, str]] = field(default_factory=list)
    # Where a fix may edit the file and how its text is escaped there (None: JSON, edited as is).
    edit_map: EditMap | None = None

    def walk(self) -> Iterator[AnyNode]:
        """Every node, parents before children (iterative: depth is bounded anyway)."""
        stack: list[AnyNode] = [self.root]
        while stack:
            node = stack.pop()
            yield node
            if isinstance(node, ObjectNode):
                stack.extend(m.value for m in reversed(node.members))
            elif isinstance(node, ArrayNode):
                stack.extend(reversed(node.items))


class LineIndex:
    """Offset to 1-based (line, column); \\n, \\r\\n and a lone \\r end a line."""

    def __init__(self, text: str) -> None:
        if "\r" not in text:  # the common case, at C speed: each line's length plus its \n
            self.starts = list(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))
        else:
            self.starts = [0, *(match.end() for match in re.finditer(r"\r\n|\r|\n", text))]
        self.text = text

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _decode_offsets(raw: str) -> list[int]:
    """Raw offset (within the quotes) of each decoded character, plus one for the end."""
    offsets: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        if raw[i] != "\\":
            offsets.append(i)
            i += 1
            continue
        if raw[i + 1] != "u":
            offsets.append(i)
            i += 2
            continue
        code = int(raw[i + 2 : i + 6], 16)
        offsets.append(i)
        if 0xD800 <= code < 0xDC00 and raw.startswith("\\u", i + 6):
            low = int(raw[i + 8 : i + 12], 16)
            if 0xDC00 <= low < 0xE000:  # a surrogate pair decodes to one character
                i += 12
                continue
        i += 6
    offsets.append(n)
    return offsets


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.comments: list[tuple[int, int]] = []
        self.trailing_commas: list[int] = []
        self.duplicates: list[tuple[StringNode, StringNode]] = []

    # -- low level -------------------------------------------------------------------
    def error(self, message: str, offset: int | None = None) -> JsonSyntaxError:
        return JsonSyntaxError(message, self.pos if offset is None else offset)

    def skip(self) -> None:
        """Skip white space and comments."""
        text = self.text
        self.pos = _WS.match(text, self.pos).end()  # type: ignore[union-attr]
        if text.startswith("/", self.pos):
            self._skip_comments()

    def _skip_comments(self) -> None:
        text = self.text
        while True:
            self.pos = _WS.match(text, self.pos).end()  # type: ignore[union-attr]
            if text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                self.comments.append((self.pos, end))
                self.pos = end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated /* comment: expected */")
                self.comments.append((self.pos, end + 2))
                self.pos = end + 2
            else:
                return

    def describe(self) -> str:
        if self.pos >= len(self.text):
            return "end of file"
        char = self.text[self.pos]
        if char.isprintable() and not char.isspace():
            return repr(char)
        return f"character U+{ord(char):04X}"

    # -- grammar ---------------------------------------------------------------------
    def parse_value(self, pointer: str, depth: int) -> AnyNode:
        if depth > MAX_DEPTH:
            raise self.error(f"nesting deeper than {MAX_DEPTH} levels")
        self.skip()
        text = self.text
        if self.pos >= len(text):
            raise self.error("expected a value, found end of file")
        char = text[self.pos]
        if char == '"':
            return self.parse_string(pointer)
        if char == "{":
            return self.parse_object(pointer, depth)
        if char == "[":
            return self.parse_array(pointer, depth)
        if char == "-" or char.isdigit():
            match = _NUMBER.match(text, self.pos)
            if not match or not match.group():
                raise self.error(f"expected a number, found {self.describe()}")
            raw = match.group()
            start = self.pos
            self.pos = match.end()
            number = _number(raw)
            return NumberNode(start, self.pos, pointer, number=number, raw=raw)
        for word, literal in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, self.pos):
                start = self.pos
                self.pos += len(word)
                return LiteralNode(start, self.pos, pointer, literal=literal)
        if char == "'":
            raise self.error("expected a value: strings need double quotes")
        if char in "]},:":
            raise self.error(f"expected a value, found {self.describe()}")
        raise self.error(f"expected a value, found {self.describe()}")

    def parse_string(self, pointer: str) -> StringNode:
        simple = _STR_SIMPLE.match(self.text, self.pos)
        if simple is not None:
            start = self.pos
            self.pos = simple.end()
            raw = simple.group(1)
            return StringNode(start, self.pos, pointer, text=raw, _raw=raw)
        return self._parse_escaped_string(pointer)

    def _parse_escaped_string(self, pointer: str) -> StringNode:
        text = self.text
        start = self.pos
        i = start + 1
        parts: list[str] = []
        while True:
            plain = _STR_PLAIN.match(text, i)
            assert plain is not None
            parts.append(plain.group())
            i = plain.end()
            if i >= len(text):
                raise self.error("unterminated string: expected '\"'", start)
            char = text[i]
            if char == '"':
                break
            if char != "\\":
                if char == "\n" or char == "\r":
                    raise self.error("unterminated string: expected '\"' before the end of the line", i)
                raise self.error(f"control character U+{ord(char):04X} in a string: write it as an escape", i)
            escape = text[i + 1 : i + 2]
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
                i += 2
                continue
            if escape != "u":
                shown = f"'\\{escape}'" if escape else "at the end of the file"
                raise self.error(
                    f'invalid escape {shown}: write a backslash as \\\\ (valid escapes: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)',
                    i,
                )
            code = self._hex4(i)
            i += 6
            if 0xD800 <= code < 0xDC00 and text.startswith("\\u", i):
                try:
                    low = self._hex4(i)
                except JsonSyntaxError:
                    low = -1
                if 0xDC00 <= low < 0xE000:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
            if 0xD800 <= code < 0xE000:
                code = 0xFFFD  # a lone surrogate cannot be printed or encoded: replace it
            parts.append(chr(code))
        self.pos = i + 1
        return StringNode(start, self.pos, pointer, text="".join(parts), _raw=text[start + 1 : i])

    def _hex4(self, i: int) -> int:
        digits = self.text[i + 2 : i + 6]
        if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise self.error("invalid \\u escape: expected four hexadecimal digits", i)
        return int(digits, 16)

    def _property_name(self, pointer: str) -> StringNode:
        """A property name with escapes or comments around it, and its colon."""
        if not self.text.startswith('"', self.pos):
            if self.text.startswith("'", self.pos):
                raise self.error("expected a property name: names need double quotes")
            raise self.error(f"expected a property name in double quotes, found {self.describe()}")
        key = self.parse_string(pointer)
        key.pointer = f"{pointer}/{escape_pointer_token(key.text)}"
        self.skip()
        if not self.text.startswith(":", self.pos):
            raise self.error(f"expected ':' after the property name, found {self.describe()}")
        self.pos += 1
        return key

    def parse_array(self, pointer: str, depth: int) -> ArrayNode:
        start = self.pos
        self.pos += 1
        node = ArrayNode(start, start, pointer)
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            node.items.append(self.parse_value(f"{pointer}/{len(node.items)}", depth + 1))
            after = _AFTER_ITEM.match(self.text, self.pos)
            if after is not None:  # as in parse_object
                if after.group(1) == "]":
                    self.pos = after.start(1) + 1
                    node.end = self.pos
                    return node
                comma = after.start(1)
                self.pos = after.end()
                if self.text.startswith("/", self.pos):
                    self._skip_comments()
                if self.text.startswith("]", self.pos):
                    self.trailing_commas.append(comma)
                    self.pos += 1
                    node.end = self.pos
                    return node
                continue
            self.skip()
            char = self.text[self.pos : self.pos + 1]
            if char == "]":
                self.pos += 1
                node.end = self.pos
                return node
            if char != ",":
                raise self.error(f"expected ',' or ']' after an array item, found {self.describe()}")
            comma = self.pos
            self.pos += 1
            self.skip()
            if self.text.startswith("]", self.pos):
                self.trailing_commas.append(comma)
                self.pos += 1
                node.end = self.pos
                return node

    def parse_object(self, pointer: str, depth: int) -> ObjectNode:
        start = self.pos
        self.pos += 1
        node = ObjectNode(start, start, pointer)
        seen: dict[str, StringNode] = {}
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:  # white space and comments before the name are skipped already
            simple = _KEY_SIMPLE.match(self.text, self.pos)
            if simple is not None:
                name = simple.group(1)
                key = StringNode(
                    self.pos, self.pos + len(name) + 2, f"{pointer}/{escape_pointer_token(name)}", text=name, _raw=name
                )
                self.pos = simple.end()
            else:
                key = self._property_name(pointer)
            value = self.parse_value(key.pointer, depth + 1)
            folded = key.text.lower()
            if folded in seen:
                self.duplicates.append((seen[folded], key))
            seen[folded] = key
            node.members.append(Member(key, value))
            after = _AFTER_MEMBER.match(self.text, self.pos)
            if after is not None:  # the common case in one match; comments take the long way
                if after.group(1) == "}":
                    self.pos = after.start(1) + 1
                    node.end = self.pos
                    return node
                comma = after.start(1)
                self.pos = after.end()
                if self.text.startswith("/", self.pos):
                    self._skip_comments()
                if self.text.startswith("}", self.pos):
                    self.trailing_commas.append(comma)
                    self.pos += 1
                    node.end = self.pos
                    return node
                continue
            self.skip()
            char = self.text[self.pos : self.pos + 1]
            if char == "}":
                self.pos += 1
                node.end = self.pos
                return node
            if char != ",":
                raise self.error(f"expected ',' or '}}' after a property value, found {self.describe()}")
            comma = self.pos
            self.pos += 1
            self.skip()
            if self.text.startswith("}", self.pos):
                self.trailing_commas.append(comma)
                self.pos += 1
                node.end = self.pos
                return node


def parse(text: str) -> Document:
    """Parse JSON with comments; raise JsonSyntaxError at the offending character."""
    had_bom = text.startswith("\ufeff")
    if had_bom:
        text = text[1:]
    parser = _Parser(text)
    root = parser.parse_value("", 0)
    parser.skip()
    if parser.pos < len(text):
        raise parser.error(f"expected end of file after the top-level value, found {parser.describe()}")
    return Document(
        text=text,
        root=root,
        had_bom=had_bom,
        comments=parser.comments,
        trailing_commas=parser.trailing_commas,
        duplicate_keys=parser.duplicates,
        lines=LineIndex(text),
    )


def decode_bytes(data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), or UTF-16 with a BOM.

    Raises UnicodeDecodeError for anything else; the caller reports it as AIB001.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # the codec consumes the BOM
    return data.decode("utf-8")
