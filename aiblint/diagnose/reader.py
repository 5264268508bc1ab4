"""Reading what a user gives `aiblint diagnose`, in bounded memory.

Only a regular file or stdin is read (a symlink to /dev/zero or a FIFO named as the log is refused
before a byte is read). The bytes are decoded the way users save them: UTF-8 (with or without a
BOM), UTF-16 with a BOM (Windows PowerShell 5.1's `>`), or UTF-16 without one when every other byte
of the start is NUL. Lines end at CRLF, LF or a lone CR. A line longer than MAX_LINE characters
keeps its first MAX_LINE characters; the rest is skipped, never held. Past MAX_INPUT bytes the
input is "too large" (an error, not a silent cut).
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterator
from typing import BinaryIO

CHUNK = 1 << 20  # bytes read at a time
MAX_LINE = 8192  # characters of one line that are looked at
MAX_INPUT = 1 << 30  # bytes: 1 GiB
MAX_TEMPLATE = 16 << 20  # bytes of a --template file


class InputError(Exception):
    """The input cannot be read: one line for the user."""


def open_regular(path: str, limit: int = MAX_INPUT) -> BinaryIO:
    """Open a path for reading only if it is a regular file (after symlinks), never blocking on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("not a regular file (a device, FIFO or folder is not read)")
        if info.st_size > limit:
            raise InputError(f"too large ({info.st_size} bytes; the limit is {limit})")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _decoder(head: bytes) -> tuple[codecs.IncrementalDecoder, int]:
    """The decoder the first bytes call for, and how many BOM bytes to skip."""
    if head.startswith(codecs.BOM_UTF8):
        return codecs.getincrementaldecoder("utf-8")("replace"), 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return codecs.getincrementaldecoder("utf-16-le")("replace"), 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return codecs.getincrementaldecoder("utf-16-be")("replace"), 2
    sample = head[:64]
    if len(sample) >= 8 and sample[1::2].count(0) == len(sample) // 2 and sample[0::2].count(0) == 0:
        return codecs.getincrementaldecoder("utf-16-le")("replace"), 0
    if len(sample) >= 8 and sample[0::2].count(0) == len(sample) // 2 and sample[1::2].count(0) == 0:
        return codecs.getincrementaldecoder("utf-16-be")("replace"), 0
    return codecs.getincrementaldecoder("utf-8")("replace"), 0


def text_chunks(stream: BinaryIO, limit: int = MAX_INPUT) -> Iterator[str]:
    """Decoded text in chunks of about CHUNK characters, with every line end turned into \\n."""
    head = stream.read(CHUNK)
    total = len(head)
    decoder, skip = _decoder(head)
    pending_cr = False
    data = head[skip:]
    while True:
        final = not data
        text = decoder.decode(data, final=final)
        if pending_cr:
            text = "\r" + text
        pending_cr = text.endswith("\r") and not final
        if pending_cr:
            text = text[:-1]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text:
            yield text
        if final:
            return
        data = stream.read(CHUNK)
        total += len(data)
        if total > limit:
            raise InputError(f"too large (more than {limit} bytes)")


def blocks(stream: BinaryIO, limit: int = MAX_INPUT) -> Iterator[str]:
    """The input as blocks of whole lines, each line ended by \\n; a line's text past MAX_LINE
    characters that spans chunks is never held (a 1 GB line costs MAX_LINE, not 1 GB)."""
    carry = ""
    skipping = False  # inside the unread rest of an over-long line
    for chunk in text_chunks(stream, limit):
        if skipping:
            end = chunk.find("\n")
            if end < 0:
                continue
            chunk = chunk[end + 1 :]
            skipping = False
            yield carry + "\n"
            carry = ""
        last = chunk.rfind("\n")
        if last < 0:
            carry += chunk[: MAX_LINE - len(carry)]
            skipping = len(carry) >= MAX_LINE
            continue
        yield carry + chunk[: last + 1]
        carry = chunk[last + 1 : last + 1 + MAX_LINE]
        skipping = len(chunk) - last - 1 >= MAX_LINE
    if carry or skipping:
        yield carry + "\n"


def lines(stream: BinaryIO, limit: int = MAX_INPUT) -> Iterator[str]:
    """Every line (without its end), each cut to MAX_LINE characters."""
    for block in blocks(stream, limit):
        for line in block[:-1].split("\n"):
            yield line[:MAX_LINE]


# What a paste adds around a log line: markdown quotes and bold, a DevOps or ISO timestamp,
# the AIB `[guid] PACKER OUT|ERR` prefix (or the 2023 `[<log_id>] PACKER`), packer's own timestamps.
_ANSI = re.compile(r"\x1b(?:\[[0-?]{0,32}[ -/]{0,8}[@-~]|\][^\x07\x1b\n]{0,512}(?:\x07|\x1b\\)?|[@-Z\\-_])")
_QUOTE = re.compile(r"^[ \t]{0,8}(?:>[ \t]?){1,16}")
_STAMP = re.compile(r"^(?:\s{0,16}\d{4}-\d\d-\d\dT[\d:.]{1,20}Z?\s{1,4}){1,2}")
_PACKER = re.compile(r"^\s{0,16}(?:\[[^\]\s]{1,64}\]\s{0,4})?(?:PACKER(?: (?:OUT|ERR))?(?:\s|$))?")
FENCE = re.compile(r"^\s{0,16}(?:```|~~~)")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text) if "\x1b" in text else text


def normalise(text: str) -> str:
    """The log line inside what a paste wrapped it in."""
    text = strip_ansi(text)
    if ">" in text[:24]:
        text = _QUOTE.sub("", text, count=1)
    if "**" in text:
        text = text.replace("**", "")
    text = _STAMP.sub("", text, count=1)
    text = _PACKER.sub("", text, count=1)
    return text.strip()


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Evidence for a terminal: control and bidi characters shown as escapes, never raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)
