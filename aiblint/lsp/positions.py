"""LSP positions <-> offsets in a document's text, in the encoding the client negotiated.

LSP counts a position's ``character`` in UTF-8 bytes, UTF-16 code units or code points
(UTF-32), as agreed at initialize (UTF-16 when the client offers nothing). Lines end at
``\\n``, ``\\r\\n`` or a lone ``\\r`` only (not at U+2028 or form feeds, unlike Python's
``splitlines``). Every position the server reads or sends goes through ``TextPositions``,
so diagnostics, hover, quick fixes and incremental edits agree on one model.

Out-of-range positions are clamped as the specification says: a character past the end
of its line means the line's end, a line past the end means the end of the text; a
position inside a multi-unit character stands before that character.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)
_LINE_END = re.compile(r"\r\n|\r|\n")


def negotiate(offered: list[str] | None) -> str:
    """The client's first offered encoding we support; UTF-16 (LSP's default) otherwise."""
    for encoding in offered or ():
        if encoding in ENCODINGS:
            return encoding
    return UTF16


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in ``encoding``'s code units."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _char_units(ch: str, encoding: str) -> int:
    if encoding == UTF32:
        return 1
    code = ord(ch)
    if encoding == UTF16:
        return 2 if code > 0xFFFF else 1
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


@dataclass(frozen=True)
class Pos:
    line: int
    character: int


class TextPositions:
    """Converts between offsets into ``text`` (code points) and LSP positions."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _LINE_END.finditer(text)]

    def _line_end(self, line: int) -> int:
        """Offset of the end of ``line``'s content (before its line break)."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            while end > self.starts[line] and self.text[end - 1] in "\r\n":
                end -= 1
            return end
        return len(self.text)

    def position(self, offset: int) -> Pos:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        offset = min(offset, self._line_end(line))  # an offset inside \r\n stands at the line's end
        return Pos(line, units(self.text[self.starts[line] : offset], self.encoding))

    def offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self._line_end(line)
        content = self.text[start:end]
        if self.encoding == UTF32 or content.isascii():
            return start + max(0, min(character, len(content)))
        counted = 0
        for index, ch in enumerate(content):
            width = _char_units(ch, self.encoding)
            if counted + width > character:
                return start + index  # at or inside this character: before it
            counted += width
        return end
