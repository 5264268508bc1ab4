"""--check-urls against a server on 127.0.0.1 started here; no socket without the flag."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_text
from aiblint.urls import UrlResult, check

ROOT = Path(__file__).resolve().parent.parent


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, body: bool) -> None:
        if self.path.startswith("/missing"):
            self.send_response(404)
            self.end_headers()
            return
        if self.path.startswith("/nohead") and self.command == "HEAD":
            self.send_response(405)
            self.end_headers()
            return
        size = 50 * 1024 * 1024 if "big" in self.path else 10
        if self.command == "GET" and self.headers.get("Range"):
            self.send_response(206)
            self.send_header("Content-Range", f"bytes 0-0/{size}")
            self.send_header("Content-Length", "1")
            self.end_headers()
            self.wfile.write(b"x")
            return
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if body:
            self.wfile.write(b"x" * min(size, 10))

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _template(base: str) -> str:
    template = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text())
    checksum = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
    template["properties"]["customize"] += [
        {"type": "Shell", "name": "ok", "scriptUri": f"{base}/ok.sh", "sha256Checksum": checksum},
        {"type": "Shell", "name": "gone", "scriptUri": f"{base}/missing.sh", "sha256Checksum": checksum},
        {
            "type": "File",
            "name": "big",
            "sourceUri": f"{base}/big.dat",
            "destination": "/tmp/big.dat",
            "sha256Checksum": checksum,
        },
        {
            "type": "File",
            "name": "nohead",
            "sourceUri": f"{base}/nohead-big.dat",
            "destination": "/tmp/b.dat",
            "sha256Checksum": checksum,
        },
    ]
    return json.dumps(template, indent=2)


def test_check_urls_reports_404_and_large_files(server):
    result = lint_text(
        _template(server), "t.json", Config(check_urls=True, allow_private_urls=True, ignore=("AIB101",)), None, LintOptions()
    )
    found = [(d.code, d.message) for d in result.diagnostics]
    assert any(code == "AIB022" and "missing.sh' cannot be downloaded: --check-urls got HTTP 404" in m for code, m in found)
    assert sum(1 for code, m in found if code == "AIB301" and "50 MB" in m) == 2  # HEAD, and the ranged-GET fallback
    assert not any(server + "/ok.sh" in d.message for d in result.diagnostics)


def test_without_the_flag_no_socket_is_opened(server, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("aiblint opened a socket without --check-urls")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = lint_text(_template(server), "t.json", Config(), None, LintOptions())
    assert not [d for d in result.diagnostics if d.code in ("AIB022", "AIB301")]


def test_blob_storage_without_sas_is_never_unreachable():
    blob = UrlResult("https://contoso.blob.core.windows.net/scripts/setup.sh", 409, None, None)
    assert blob.identity_fetched and blob.unreachable is None
    sas = UrlResult("https://contoso.blob.core.windows.net/scripts/setup.sh?sv=1&sig=abc", 403, None, None)
    assert not sas.identity_fetched and sas.unreachable == "HTTP 403"


def test_no_answer_is_reported_with_its_reason():
    result = check("http://127.0.0.1:9/nothing-listens-here", allow_private=True)
    assert result.status is None and result.unreachable is not None


def test_a_malformed_url_is_a_result_not_a_crash():
    from aiblint import urls

    result = urls.check("http://[::1/x", allow_private=True)
    assert result.error == "not a valid URL" and result.status is None
    assert urls.UrlResult("http://[::1/x", None, None, None).identity_fetched is False
