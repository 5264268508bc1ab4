"""Reading LSP's ``Content-Length`` framing so that no input kills, hangs or deafens the server.

pygls reads ``Content-Length`` bytes in one call: a header of 99999999999 kills it, and a
length that is wrong by one byte desynchronises it for good. This reader keeps a bounded
buffer and always finds its way back to the next header:

- a length over ``MAX_MESSAGE_BYTES`` is refused; the bytes are skipped (never buffered)
  up to the next header, and a request whose id can be read gets an error response;
- a length that is too short leaves the body unparsable: it is answered with an error and
  the reader resynchronises at the next ``Content-Length:``;
- a length that is too long is detected when a complete JSON value is followed by the next
  header, or when the client falls silent after sending one.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

MAX_MESSAGE_BYTES = 160 * 1024 * 1024  # a 64 MB document, escaped, inside didOpen
MAX_HEADER_BYTES = 8192
SILENCE_SECONDS = 1.0  # a complete body, then nothing: the declared length was too long
MARKER = b"Content-Length:"
_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\d{1,20})[ \t]*", re.IGNORECASE)
_HEADERS = re.compile(rb"(?:[A-Za-z0-9-]{1,64}[ \t]*:[^\r\n]*\r\n)*")  # other header lines, e.g. Content-Type
_ID = re.compile(rb'"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")')


@dataclass
class Frame:
    """One message body, or a framing error (``error`` set) with the id it seemed to carry."""

    body: bytes = b""
    error: str = ""
    guessed_id: int | str | None = None


def guess_id(data: bytes) -> int | str | None:
    """The request id near the start of a body that could not be read whole."""
    match = _ID.search(data[:4096])
    if not match:
        return None
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return None
    return value if isinstance(value, (int, str)) else None


def _complete_json(data: bytes) -> bool:
    stripped = data.strip()
    if not stripped.startswith((b"{", b"[")):
        return False
    try:
        json.loads(stripped)
    except (ValueError, RecursionError):
        return False
    return True


class FrameReader:
    """Frames from a byte source; ``read`` returns what is available, ``b""`` at the end."""

    def __init__(self, read: Callable[[], Awaitable[bytes]]) -> None:
        self._read = read
        self._buffer = bytearray()
        self._pending: asyncio.Future[bytes] | None = None
        self._eof = False
        self._skipping = False  # inside an oversized body: drop bytes up to the next header

    async def _more(self, timeout: float | None = None) -> bool:
        """Append the next chunk; False at the end of input or when ``timeout`` passed."""
        if self._eof:
            return False
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._read())
        done, _ = await asyncio.wait({self._pending}, timeout=timeout)
        if not done:
            return False
        chunk = self._pending.result()
        self._pending = None
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _drop_to_marker(self, start: int = 1) -> bool:
        """Drop bytes before the next header at or after ``start``; keep a tail that may begin one."""
        at = self._buffer.find(MARKER, start)
        if at >= 0:
            del self._buffer[:at]
            return True
        keep = len(MARKER) - 1
        if len(self._buffer) > keep:
            del self._buffer[: len(self._buffer) - keep]
        return False

    async def next_frame(self) -> Frame | None:
        """The next frame; None at the end of input."""
        while True:
            if self._skipping:
                self._skipping = not self._drop_to_marker(0)
                if self._skipping:
                    if not await self._more():
                        return None
                    continue
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEADER_BYTES:
                    self._drop_to_marker()
                if not await self._more():
                    return None
                continue
            header = bytes(self._buffer[:end])
            match = _LENGTH.search(header)
            if match is None:
                del self._buffer[: end + 4]
                return Frame(error="a message without a Content-Length header was skipped")
            if not _HEADERS.fullmatch(header[: match.start()]):
                # the rest of a body whose length was understated, then the next header
                del self._buffer[: match.start()]
                return Frame(error="bytes before a Content-Length header were skipped")
            length = int(match.group(1))
            del self._buffer[: end + 4]
            if length > MAX_MESSAGE_BYTES:
                return await self._skip_oversized(length)
            return await self._body(length)

    async def _skip_oversized(self, length: int) -> Frame:
        """Answer now (with the id, if the body's start shows it); skip the body as it comes."""
        while len(self._buffer) < 4096 and MARKER not in self._buffer and await self._more(SILENCE_SECONDS):
            pass
        guessed = guess_id(bytes(self._buffer))
        self._skipping = True
        limit = MAX_MESSAGE_BYTES // (1024 * 1024)
        return Frame(error=f"a message of {length} bytes was refused (the limit is {limit} MB)", guessed_id=guessed)

    async def _body(self, length: int) -> Frame:
        searched = 0
        while len(self._buffer) < length:
            at = self._buffer.find(MARKER, max(0, searched - len(MARKER)))
            searched = len(self._buffer)
            if at >= 0 and _complete_json(bytes(self._buffer[:at])):
                return self._take(at)  # the declared length was too long: the next message has begun
            if not await self._more(SILENCE_SECONDS):
                if self._buffer and _complete_json(bytes(self._buffer)):
                    return self._take(len(self._buffer))  # too long, and the client waits for us
                if self._eof:
                    return Frame(error="the input ended inside a message", guessed_id=guess_id(bytes(self._buffer)))
        at = self._buffer.find(MARKER, 0, length)
        if at >= 0 and not _complete_json(bytes(self._buffer[:length])) and _complete_json(bytes(self._buffer[:at])):
            return self._take(at)  # too long, and the next message had already arrived
        return self._take(length)

    def _take(self, length: int) -> Frame:
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return Frame(body=body)
