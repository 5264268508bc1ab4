"""The language server never dies, hangs or goes deaf (issue 14 item 11), over raw stdio.

Each test writes bytes as a broken or hostile client would and then checks the server
still answers a well-formed request promptly.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

ROOT = Path(__file__).resolve().parent.parent
UBUNTU = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text())


class RawClient:
    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiblint", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = stream.read(1)
                if not byte:
                    return
                header += byte
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            self.messages.put(json.loads(stream.read(length)))

    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any], length_delta: int = 0, length: int | None = None) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        size = len(body) + length_delta if length is None else length
        self.send_raw(b"Content-Length: %d\r\n\r\n" % size + body)

    def wait(self, predicate, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, "the server did not answer"
            message = self.messages.get(timeout=remaining)
            if predicate(message):
                return message

    def response(self, msg_id: int, timeout: float = 15.0) -> dict[str, Any]:
        return self.wait(lambda m: m.get("id") == msg_id and "method" not in m, timeout)

    def ping(self, msg_id: int) -> None:
        """A well-formed request is answered: the server is alive and in sync."""
        self.send(_hover(msg_id, "file:///nowhere.json", 0, 0))
        assert self.response(msg_id) == {"jsonrpc": "2.0", "id": msg_id, "result": None}

    def initialize(self, root: Path) -> None:
        self.send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}})
        assert "capabilities" in self.response(1)["result"]
        self.send({"method": "initialized", "params": {}})

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)


def _hover(msg_id: int, uri: str, line: int, character: int) -> dict[str, Any]:
    return {
        "id": msg_id,
        "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
    }


@pytest.fixture
def raw(tmp_path: Path):
    client = RawClient(tmp_path)
    client.initialize(tmp_path)
    yield client
    client.close()


def _publications(client: RawClient, uri: str):
    return lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri


def test_huge_content_length_is_refused_and_answered(raw: RawClient):
    raw.send({"id": 2, "method": "shutdown"}, length=99999999999)
    error = raw.response(2)["error"]
    assert error["code"] == -32700 and "refused" in error["message"]
    raw.ping(3)
    assert raw.process.poll() is None


def test_understated_content_length_resynchronises(raw: RawClient):
    raw.send(_hover(2, "file:///x.json", 0, 0), length_delta=-7)
    assert raw.response(2)["error"]["code"] == -32700
    raw.ping(3)


def test_overstated_content_length_followed_by_a_message(raw: RawClient):
    raw.send(_hover(2, "file:///x.json", 0, 0), length_delta=+40)
    raw.send(_hover(3, "file:///y.json", 0, 0))
    assert raw.response(2)["result"] is None and raw.response(3)["result"] is None
    raw.ping(4)


def test_overstated_content_length_of_the_last_message(raw: RawClient):
    raw.send(_hover(2, "file:///x.json", 0, 0), length_delta=+40)
    assert raw.response(2, timeout=10)["result"] is None  # after a second of silence
    raw.ping(3)  # the 40 bytes it waited for were not taken from this one


def test_garbage_and_non_json_bodies(raw: RawClient):
    raw.send_raw(b"garbage without a header\r\n\r\n")
    raw.send_raw(b"Content-Length: 5\r\n\r\n{{{{{")
    raw.send_raw(b"Content-Length: 2\r\n\r\n[]")
    raw.send_raw(b"Content-Length: 4\r\n\r\n\xff\xfe\x00\x01")
    deep = b"[" * 100000 + b"]" * 100000
    raw.send_raw(b"Content-Length: %d\r\n\r\n" % len(deep) + deep)
    raw.send({"id": "odd", "method": "no/suchMethod", "params": {}})
    assert raw.response("odd")["error"]["code"] == -32601  # type: ignore[arg-type]
    raw.ping(2)


def test_invalid_positions_get_a_reply(raw: RawClient, tmp_path: Path):
    uri = (tmp_path / "image.json").as_uri()
    raw.send(
        {
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": json.dumps(UBUNTU)}},
        }
    )
    raw.send(_hover(2, uri, -1, 0))
    assert raw.response(2)["error"]["code"] == -32602
    raw.send(_hover(3, uri, 10**9, 10**9))
    assert raw.response(3)["result"] is None
    raw.send(
        {
            "id": 4,
            "method": "textDocument/codeAction",
            "params": {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 5, "character": 99999}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": []},
            },
        }
    )
    assert raw.response(4)["result"] == []
    raw.send({"id": 5, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri}, "position": "here"}})
    assert raw.response(5)["error"]["code"] == -32602
    raw.send(
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [
                    {"range": {"start": {"line": 99, "character": 0}, "end": {"line": 0, "character": 5}}, "text": "x"}
                ],
            },
        }
    )
    raw.ping(6)


def test_failed_lint_publishes_an_empty_list_and_logs(raw: RawClient, tmp_path: Path):
    uri = (tmp_path / "image.json").as_uri()
    template = json.loads(json.dumps(UBUNTU))
    template["properties"]["customize"][0]["inline"] = ["sudo apt-get install nginx"]
    raw.send(
        {
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": json.dumps(template)}},
        }
    )
    found = raw.wait(_publications(raw, uri))["params"]["diagnostics"]
    assert "AIB401" in [d["code"] for d in found]
    (tmp_path / ".aiblint.toml").write_text("select = 5\n")  # a broken config: the lint raises ConfigError
    raw.send({"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}})
    log = raw.wait(lambda m: m.get("method") == "window/logMessage")
    assert log["params"]["type"] == 1 and ".aiblint.toml" in log["params"]["message"]
    assert raw.wait(_publications(raw, uri))["params"]["diagnostics"] == []  # no stale findings
    raw.ping(2)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_did_save_of_an_unopened_fifo_does_not_block(raw: RawClient, tmp_path: Path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    raw.send({"method": "textDocument/didSave", "params": {"textDocument": {"uri": fifo.as_uri()}}})
    raw.send(
        {
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": fifo.as_uri(), "languageId": "json", "version": 1, "text": "{}"}},
        }
    )
    raw.send({"method": "textDocument/didSave", "params": {"textDocument": {"uri": fifo.as_uri()}}})
    started = time.monotonic()
    raw.ping(2)
    assert time.monotonic() - started < 5


def test_requests_after_shutdown_get_an_error_and_exit_ends_it(raw: RawClient):
    raw.send({"id": 2, "method": "shutdown"})
    assert raw.response(2)["result"] is None
    raw.send(_hover(3, "file:///x.json", 0, 0))
    assert raw.response(3)["error"]["code"] == -32600
    raw.send({"method": "exit"})
    assert raw.process.wait(10) == 0


def test_the_lint_has_the_command_line_size_limit(monkeypatch):
    from aiblint.config import ConfigCache
    from aiblint.lsp import server

    monkeypatch.setattr(server, "MAX_FILE_BYTES", 100)
    with pytest.raises(server.LintFailed, match="larger than"):
        server.lint_source(ConfigCache(), "file:///big.json", "{" + " " * 200 + "}")
    assert server.lint_source(ConfigCache(), "file:///notes.txt", "x" * 200) == ([], [])


async def test_frames_split_at_every_byte_and_joined():
    import asyncio

    from aiblint.lsp.transport import FrameReader

    bodies = [json.dumps({"jsonrpc": "2.0", "id": i, "method": "m", "params": {"t": "é😀" * i}}).encode() for i in range(3)]
    stream = b"".join(b"Content-Length: %d\r\n\r\n" % len(b) + b for b in bodies)
    chunks = [stream[i : i + 1] for i in range(len(stream))] + [b""]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for chunk in chunks:
        queue.put_nowait(chunk)
    reader = FrameReader(queue.get)
    assert [(await reader.next_frame()).body for _ in bodies] == bodies  # type: ignore[union-attr]
    assert await reader.next_frame() is None


def test_other_headers_before_content_length(raw: RawClient):
    body = json.dumps({"jsonrpc": "2.0", **_hover(2, "file:///x.json", 0, 0)}).encode()
    raw.send_raw(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    assert raw.response(2)["result"] is None
