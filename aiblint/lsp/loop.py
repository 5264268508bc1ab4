"""The server's message loop over stdio, in place of pygls's: every request gets a response.

pygls drops a request whose parameters do not validate (a negative position, a wrong
type) without replying, and dies on a huge ``Content-Length``. Here frames come from
aiblint.lsp.transport, and each one is either handed to pygls's protocol or answered
with a JSON-RPC error: parse error, invalid request, invalid params, internal error.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import threading
from typing import Any, BinaryIO

from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from aiblint.lsp.transport import Frame, FrameReader, guess_id

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INTERNAL_ERROR = -32603
logger = logging.getLogger(__name__)


def _id(data: dict[str, Any]) -> int | str | None:
    value = data.get("id")
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else None


def _reply_error(server: LanguageServer, msg_id: int | str | None, code: int, message: str) -> None:
    server.protocol._send_response(msg_id, None, ResponseError(code=code, message=message))  # type: ignore[arg-type]


def dispatch(server: LanguageServer, frame: Frame) -> None:
    """Hand one frame to the protocol, or answer it with an error. Never raises (but SystemExit)."""
    if frame.error:
        logger.error("aiblint lsp: %s", frame.error)
        if frame.guessed_id is not None:
            _reply_error(server, frame.guessed_id, PARSE_ERROR, frame.error)
        return
    try:
        data = json.loads(frame.body)
    except (ValueError, RecursionError):
        guessed = guess_id(frame.body)
        logger.error("aiblint lsp: a message that is not JSON was skipped")
        if guessed is not None:
            _reply_error(server, guessed, PARSE_ERROR, "the message is not JSON (was its Content-Length right?)")
        return
    if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
        msg_id = _id(data) if isinstance(data, dict) else None
        if msg_id is not None:
            _reply_error(server, msg_id, INVALID_REQUEST, "not a JSON-RPC 2.0 message")
        return
    msg_id = _id(data)
    is_request = "method" in data and "id" in data
    protocol: Any = server.protocol
    if is_request and protocol._shutdown and data.get("method") != "exit":
        _reply_error(server, msg_id, INVALID_REQUEST, "the server is shutting down")
        return
    try:
        message = protocol.structure_message(data)
    except JsonRpcException as exc:
        if is_request:
            server.protocol._send_response(msg_id, None, exc.to_response_error())  # type: ignore[arg-type]
        return
    except Exception as exc:
        if is_request:
            _reply_error(server, msg_id, INTERNAL_ERROR, f"{type(exc).__name__}")
        return
    try:
        protocol.handle_message(message)
    except Exception as exc:  # pygls answers a failing handler; this is its own failure
        logger.exception("aiblint lsp: message handling failed")
        if is_request:
            _reply_error(server, msg_id, INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"[:300])


def _reader_thread(stdin: BinaryIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes]) -> None:
    """Feed stdin's chunks to the loop; a daemon thread, so a blocked read never holds up exit."""
    read = getattr(stdin, "read1", None) or (lambda n: os.read(stdin.fileno(), n))
    while True:
        try:
            chunk = read(65536)
        except (OSError, ValueError):
            chunk = b""
        loop.call_soon_threadsafe(queue.put_nowait, chunk)
        if not chunk:
            return


async def _serve(server: LanguageServer, stdin: BinaryIO) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    threading.Thread(target=_reader_thread, args=(stdin, loop, queue), daemon=True, name="aiblint-stdin").start()
    frames = FrameReader(queue.get)
    while True:
        frame = await frames.next_frame()
        if frame is None:
            return
        dispatch(server, frame)
        await asyncio.sleep(0)  # let handlers scheduled by this message run


def run_stdio(server: LanguageServer, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    code = 0
    try:
        asyncio.run(_serve(server, stdin or sys.stdin.buffer))
    except SystemExit as exc:  # the exit notification
        code = exc.code if isinstance(exc.code, int) else 0
    except (BrokenPipeError, KeyboardInterrupt):
        code = 1
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    os._exit(code)  # a lint still running in its thread must not hold the process
