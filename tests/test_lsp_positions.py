"""aiblint.lsp.positions: offsets <-> LSP positions in UTF-8, UTF-16 and UTF-32."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from aiblint.lsp.positions import UTF8, UTF16, UTF32, TextPositions, negotiate

SIZES = {
    UTF8: lambda s: len(s.encode("utf-8", "surrogatepass")),
    UTF16: lambda s: len(s.encode("utf-16-le", "surrogatepass")) // 2,
    UTF32: len,
}
TEXT = st.lists(st.sampled_from(["a", " ", "é", "日", "😀", "\n", "\r", "\r\n", "\u2028", "\x0c", "\ud800"]), max_size=30).map(
    "".join
)


def test_negotiation_follows_the_client_order():
    assert negotiate(["utf-32", "utf-8"]) == UTF32
    assert negotiate(["utf-8", "utf-16"]) == UTF8
    assert negotiate(["latin-1"]) == UTF16
    assert negotiate(None) == UTF16 and negotiate([]) == UTF16


def test_known_columns():
    line = 'x="😋" é日'
    for encoding, quote in ((UTF8, 7), (UTF16, 5), (UTF32, 4)):
        positions = TextPositions(line, encoding)
        assert positions.position(line.index('"', 3)).character == quote
        assert positions.offset(0, quote) == line.index('"', 3)


def test_clamping_as_the_specification_says():
    text = "ab😀c\nd"
    utf8 = TextPositions(text, UTF8)
    assert utf8.offset(0, 3) == 2 and utf8.offset(0, 5) == 2  # inside the emoji: before it
    assert utf8.offset(0, 99) == 4  # past the line's end: its end, not the next line
    assert utf8.offset(7, 0) == len(text) and utf8.offset(-1, 0) == 0
    assert TextPositions(text, UTF16).offset(0, 3) == 2


def test_only_lsp_line_breaks_count():
    text = "a\u2028b\x0cc\r\nd\re"
    positions = TextPositions(text, UTF16)
    assert positions.position(text.index("c")).line == 0
    assert positions.position(text.index("d")).line == 1 and positions.position(text.index("e")).line == 2
    assert positions.position(text.index("\n")).character == positions.position(text.index("\r")).character


@given(TEXT)
def test_round_trip_against_an_independent_count(text: str):
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    for encoding, size in SIZES.items():
        positions = TextPositions(text, encoding)
        for offset in range(len(text) + 1):
            if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
                continue  # between \r and \n is no position of its own
            position = positions.position(offset)
            line = max(i for i, s in enumerate(starts) if s <= offset)
            assert position.line == line
            assert position.character == size(text[starts[line] : offset])
            assert positions.offset(position.line, position.character) == offset
