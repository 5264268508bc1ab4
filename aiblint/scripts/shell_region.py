"""One parsed Shell text (the script, or a string re-parsed for ``sh -c``) and its words.

Maps tree-sitter nodes to script offsets and reads words' static values (quotes removed,
known variables expanded) for the walk in ``aiblint.scripts.shell``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiblint.scripts.shell_model import Word
from aiblint.scripts.spans import CharOffsets


class Region:
    """A parsed text and the map from its character offsets to the script's."""

    def __init__(self, text: str, chars: CharOffsets, to_script: Callable[[int], int] | None) -> None:
        # parse_tree shows tree-sitter ASCII only, so its byte offsets are character offsets
        self.text = text
        self.chars = chars
        self.to_script = to_script  # None: this region is the script itself

    def span(self, node: Any) -> tuple[int, int]:
        to = self.to_script
        if to is None:
            return node.start_byte, node.end_byte
        return to(node.start_byte), to(node.end_byte)

    def node_text(self, node: Any) -> str:
        return self.text[node.start_byte : node.end_byte]

    def word(self, node: Any, variables: dict[str, str] | None = None, kind: str | None = None) -> Word:
        first, last = node.start_byte, node.end_byte
        to = self.to_script
        start, end = (first, last) if to is None else (to(first), to(last))
        raw = self.text[first:last]
        kind = kind or node.type
        if kind == "word" and "\\" not in raw:
            return Word(raw, start, end, raw, None, first)  # the common case, kept cheap
        value = _static_value(node, self, variables)
        expansion = None
        if kind == "simple_expansion" or kind == "expansion":
            named = node.named_children
            if kind == "simple_expansion" or len(named) == 1:
                names = [c for c in named if c.type == "variable_name"]
                if names:
                    expansion = self.node_text(names[0])
        return Word(raw, start, end, value, expansion, first)

    def script_offset(self, local: int) -> int:
        return local if self.to_script is None else self.to_script(local)

    def inner_text(self, word: Word) -> tuple[str, Callable[[int], int]] | None:
        """The text a shell string hands to `sh -c`, and the map back to the script."""
        local_start = word.local if word.local >= 0 else None
        raw = word.raw
        if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
            base = word.start + 1
            return raw[
                1:-1
            ], lambda offset: self.script_offset(local_start + 1 + offset) if local_start is not None else base + offset
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            text, positions = _unescape_double(raw[1:-1])

            def mapping(offset: int) -> int:
                index = positions[min(offset, len(positions) - 1)]
                return self.script_offset(local_start + 1 + index) if local_start is not None else word.start + 1 + index

            return text, mapping
        if word.value is not None and "'" not in raw and '"' not in raw and "\\" not in raw:
            return (
                raw,
                lambda offset: self.script_offset(local_start + offset) if local_start is not None else word.start + offset,
            )
        return None


_NO_BACKSLASH = re.compile(r"[^\\]+")


def _unescape_double(raw: str) -> tuple[str, list[int]]:
    """Inside double quotes a backslash escapes only $ ` " \\ and newline."""
    out: list[str] = []
    positions: list[int] = []
    i = 0
    while i < len(raw):
        run = _NO_BACKSLASH.match(raw, i)
        if run is not None:  # kept as written, in one step
            out.append(run.group())
            positions.extend(range(i, run.end()))
            i = run.end()
            continue
        char = raw[i]
        if char == "\\" and i + 1 < len(raw) and raw[i + 1] in '$`"\\\n':
            if raw[i + 1] != "\n":
                out.append(raw[i + 1])
                positions.append(i + 1)
            i += 2
            continue
        out.append(char)
        positions.append(i)
        i += 1
    positions.append(len(raw))
    return "".join(out), positions


def _static_value(node: Any, region: Region, variables: dict[str, str] | None) -> str | None:
    kind = node.type
    if kind in ("word", "number"):
        text = region.node_text(node)
        if "\\" in text:
            out = []
            i = 0
            while i < len(text):
                if text[i] == "\\" and i + 1 < len(text):
                    out.append(text[i + 1])
                    i += 2
                else:
                    out.append(text[i])
                    i += 1
            return "".join(out)
        return text
    if kind == "raw_string":
        return region.node_text(node)[1:-1]
    if kind == "string":
        parts = []
        for child in node.named_children:
            if child.type == "string_content":
                parts.append(_unescape_double(region.node_text(child))[0])
            elif child.type in ("simple_expansion", "expansion") and variables is not None:
                names = [c for c in child.named_children if c.type == "variable_name"]
                if len(child.named_children) == 1 and names and region.node_text(names[0]) in variables:
                    parts.append(variables[region.node_text(names[0])])
                else:
                    return None
            else:
                return None
        return "".join(parts)
    if kind == "concatenation":
        parts = []
        for child in node.named_children:
            value = _static_value(child, region, variables)
            if value is None:
                return None
            parts.append(value)
        return "".join(parts)
    if kind in ("simple_expansion", "expansion") and variables is not None:
        names = [c for c in node.named_children if c.type == "variable_name"]
        if len(node.named_children) == 1 and names and region.node_text(names[0]) in variables:
            return None  # unquoted: split by the caller
    return None
