"""The JSONC loader: values, positions, leniencies, errors, and the escape map."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiblint.jsontree import (
    ArrayNode,
    JsonSyntaxError,
    LineIndex,
    ObjectNode,
    StringNode,
    decode_bytes,
    parse,
)


def test_values_match_the_standard_library():
    text = '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {"c": ""}}'
    assert parse(text).root.value == json.loads(text)


def test_bom_is_not_counted_in_columns():
    doc = parse('\ufeff{"a": 1}')
    assert doc.had_bom
    assert doc.lines.position(doc.root.get("a").start) == (1, 7)  # type: ignore[union-attr]


def test_comments_and_trailing_commas_are_recorded():
    text = '// head\n{\n  "a": [1, 2,],  /* mid */\n  "b": 3,\n}\n'
    doc = parse(text)
    assert [text[s:e] for s, e in doc.comments] == ["// head", "/* mid */"]
    assert [doc.lines.position(c) for c in doc.trailing_commas] == [(3, 13), (4, 9)]


def test_duplicate_keys_compare_case_insensitively():
    doc = parse('{"Name": 1, "x": 2, "name": 3}')
    ((first, later),) = doc.duplicate_keys
    assert (first.text, later.text) == ("Name", "name")
    assert isinstance(doc.root, ObjectNode)
    assert doc.root.get_ci("NAME").value == 3  # type: ignore[union-attr]


def test_pointers_escape_slash_and_tilde():
    doc = parse('{"a/b": {"c~d": [0, {"e": 1}]}}')
    nodes = {node.pointer for node in doc.walk()}
    assert "/a~1b/c~0d/1/e" in nodes


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ('{"a": 1 "b": 2}', (1, 9), "expected ',' or '}'"),
        ('{\n  "a": [1 2]\n}', (2, 11), "expected ',' or ']'"),
        ('{"a": }', (1, 7), "expected a value"),
        ("{'a': 1}", (1, 2), "double quotes"),
        ('{"a": "x', (1, 7), "unterminated string"),
        ('{"a": "\\q"}', (1, 8), "invalid escape"),
        ('{"a": "\\u12"}', (1, 8), "four hexadecimal digits"),
        ('{"a": 1} x', (1, 10), "end of file"),
        ("", (1, 1), "found end of file"),
        ("/* open", (1, 1), "unterminated /* comment"),
        ('{"a": <region>}', (1, 7), "found '<'"),
    ],
)
def test_syntax_errors_point_at_the_character(text, position, expected):
    with pytest.raises(JsonSyntaxError) as info:
        parse(text)
    doc_lines = __import__("aiblint.jsontree", fromlist=["LineIndex"]).LineIndex(text)
    assert doc_lines.position(info.value.offset) == position
    assert expected in info.value.message


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(JsonSyntaxError, match="nesting deeper"):
        parse("[" * 100_000 + "]" * 100_000)


def test_lone_surrogate_escape_becomes_replacement_character():
    doc = parse('"a\\ud800b"')
    assert isinstance(doc.root, StringNode)
    assert doc.root.text == "a\ufffdb"


def test_crlf_lines():
    doc = parse('{\r\n  "a": 1,\r\n  "b": 2\r\n}')
    node = doc.root.get("b")  # type: ignore[union-attr]
    assert doc.lines.position(node.start) == (3, 8)


def test_utf16_with_bom_decodes():
    assert decode_bytes('{"a": "é"}'.encode("utf-16")) == '{"a": "é"}'
    with pytest.raises(UnicodeDecodeError):
        decode_bytes(b'{"a": "\xff"}')


# -- the escape map --------------------------------------------------------------------

_ESCAPABLE = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f", "/": "\\/"}


def _encode(text: str, choices: list[int]) -> tuple[str, list[int]]:
    """JSON-encode ``text`` choosing among the valid spellings; return the raw offsets
    (inside the quotes) where each decoded character starts."""
    raw: list[str] = []
    offsets: list[int] = []
    position = 0
    for i, char in enumerate(text):
        choice = choices[i % len(choices)] if choices else 0
        if char in _ESCAPABLE and (choice % 2 == 0 or char not in "/"):
            piece = _ESCAPABLE[char] if choice % 3 else f"\\u{ord(char):04x}"
        elif ord(char) < 0x20:
            piece = f"\\u{ord(char):04X}"
        elif ord(char) > 0xFFFF and choice % 2:
            code = ord(char) - 0x10000
            piece = f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04X}"
        elif choice % 5 == 4:
            piece = f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else char
        else:
            piece = char
        offsets.append(position)
        raw.append(piece)
        position += len(piece)
    return "".join(raw), offsets


_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from([*list('"\\\n\t/\x08\x0c\r'), "😀", "𝄞", "é"]),
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(text=_TEXT, choices=st.lists(st.integers(0, 29), max_size=8), indent=st.integers(0, 6), before=_TEXT)
def test_every_decoded_index_maps_to_where_the_character_is_written(text, choices, indent, before):
    raw, offsets = _encode(text, choices)
    prefix_raw, _ = _encode(before, [])
    document = f'{{\n{" " * indent}"k": ["{prefix_raw}",\n{" " * indent}"{raw}"]}}'
    doc = parse(document)
    array = doc.root.get("k")  # type: ignore[union-attr]
    assert isinstance(array, ArrayNode)
    node = array.items[1]
    assert isinstance(node, StringNode)
    assert node.text == text
    for index, raw_offset in enumerate(offsets):
        assert node.file_offset(index) == node.start + 1 + raw_offset
    assert node.file_offset(len(text)) == node.end - 1  # the closing quote


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_its_own_error(text):
    try:
        doc = parse(text)
    except JsonSyntaxError as exc:
        assert 0 <= exc.offset <= len(text)
    else:
        for node in doc.walk():
            assert 0 <= node.start <= node.end <= len(doc.text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a" : "b"}', {"a": "b"}),  # the one-match paths: a plain name and its colon, a plain string
        ('{"a"/* c */:1, "b" // d\n: 2}', {"a": 1, "b": 2}),  # comments between a name and its colon
        ('{"a\\"b" : "c\\u00e9", "~/x": ["\\n", "plain"]}', {'a"b': "c\u00e9", "~/x": ["\n", "plain"]}),  # escapes
        ('{"A": 1, "a": 2,}', {"A": 1, "a": 2}),
        ('\ufeff{\r\n  "x": "y"\r\n}\r\n', {"x": "y"}),
    ],
)
def test_the_fast_paths_give_the_same_values_and_exact_spans(text, value):
    document = parse(text)
    body = text.lstrip("\ufeff")
    assert document.root.value == value
    strings = [node for node in document.walk() if isinstance(node, StringNode)]
    strings += [member.key for member in document.root.members]  # type: ignore[union-attr]
    for node in strings:
        assert json.loads(body[node.start : node.end]) == node.text  # the span is the string as written
    assert [m.key.pointer for m in document.root.members] == [  # type: ignore[union-attr]
        "/" + m.key.text.replace("~", "~0").replace("/", "~1")
        for m in document.root.members  # type: ignore[union-attr]
    ]


@pytest.mark.parametrize("text", ["", "a", "\n", "a\n", "\n\n", "ab\ncd", "a\r\nb\rc\n", "\r", "\r\n\r\n", "x\u2028y\nz"])
def test_line_starts_on_every_kind_of_line_end(text):
    import re

    expected = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    assert LineIndex(text).starts == expected  # \u2028 is not a JSON line end
