"""Every byte aiblint prints may come from an attacker: the one place output is made safe.

A template value, a script line, a config key or a file name can hold terminal escape
sequences, carriage returns that start a forged CI logging command, bidi overrides that
reorder what a reviewer reads, characters XML forbids, or lone surrogates (a JSON
``\\ud800`` escape, a file name byte that is not UTF-8) that no UTF-8 stream can encode.
Each output channel has its own rule here; reporters and error paths call only these.

CI log commands: GitHub runs a workflow command only when a line starts with ``::``;
the Azure Pipelines agent runs ``##vso[`` wherever it appears in a line. So no line
may start with ``::`` unless aiblint wrote it, and ``##vso[`` never appears in data.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line and
# paragraph separators, lone surrogates; and the Azure Pipelines command prefix.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]|##vso\\[", re.IGNORECASE)
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(char: str) -> str:
    """A character shown as a Python-style escape; a lone surrogate from a file name
    byte that is not UTF-8 (os.fsdecode's surrogateescape) is shown as that byte."""
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _terminal_match(match: re.Match[str]) -> str:
    found = match.group()
    return found[:5] + "\\x5b" if len(found) > 1 else _visible(found)


def terminal(text: str) -> str:
    """For a terminal or a CI log (the text format, stderr): every unsafe character escaped."""
    if text.isprintable() and "##" not in text:
        return text  # the common case, without the regex
    return _UNSAFE.sub(_terminal_match, text)


def line_start(text: str) -> str:
    """``text`` opens a line of plain output (a file name in the text format): it must
    not read as a GitHub workflow command (a file named ``::error::x.json``)."""
    if text.lstrip().startswith("::"):
        return "./" + text
    return text


def terminal_path(path: str) -> str:
    return line_start(terminal(path))


# -- JSON documents (json, sarif, lsp) --------------------------------------------------
# Applied to the text json.dumps produced: these characters occur only inside strings
# there, so a JSON escape keeps every value exactly while the document stays plain
# printable UTF-8 (lone surrogates become \\udXXX escapes, which JSON parsers read back).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]|##vso\\[", re.IGNORECASE)


def _json_match(match: re.Match[str]) -> str:
    found = match.group()
    return found[:5] + "\\u005b" if len(found) > 1 else f"\\u{ord(found):04x}"


def json_document(dumped: str) -> str:
    return _JSON_UNSAFE.sub(_json_match, dumped)


# -- XML 1.0 (junit) ---------------------------------------------------------------------
# XML 1.0 allows only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]:
# anything else cannot be written even as a character reference, so it is shown escaped.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_XML_SPECIAL = re.compile('[&<>"\n\r\t\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|##vso\\[', re.IGNORECASE)


def _xml_match(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) > 1:
        return found[:5] + "&#91;"
    return _XML_ENTITIES.get(found) or f"&#x{ord(found):X};"


def xml(text: str) -> str:
    """Text for an XML element or the inside of a double-quoted attribute: always
    well-formed, every value kept or shown escaped. Line breaks are references too, so
    every line of the document is one aiblint wrote (a ``::`` line cannot be forged)."""
    text = _XML_FORBIDDEN.sub(lambda m: _visible(m.group()), text)
    return _XML_SPECIAL.sub(_xml_match, text)


# -- CI logging commands -------------------------------------------------------------------


def _controls_visible(text: str) -> str:
    """What is left after a CI system's own escaping: other controls shown escaped."""
    return _UNSAFE.sub(_terminal_match, text) if not text.isprintable() or "##" in text else text


def github_data(text: str) -> str:
    """The message of a GitHub workflow command (actions/toolkit escapeData)."""
    return _controls_visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def github_property(text: str) -> str:
    """A property value of a GitHub workflow command (actions/toolkit escapeProperty)."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")
    return _controls_visible(escaped)


def azure_data(text: str) -> str:
    """The message of an Azure Pipelines logging command (azure-pipelines-task-lib escapedata)."""
    return _controls_visible(text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A"))


def azure_property(text: str) -> str:
    """A property value of an Azure Pipelines logging command (task-lib escape)."""
    escaped = text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A").replace("]", "%5D").replace(";", "%3B")
    return _controls_visible(escaped)
