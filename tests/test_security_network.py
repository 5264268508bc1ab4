"""Issue 14 items 3 and 4: no network unless the command line asks, and --check-urls is
no SSRF or port-scan tool. Every server here listens on 127.0.0.1; no other address is
ever connected to (a guard fails the test if one is)."""

from __future__ import annotations

import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from aiblint import urls
from aiblint.urls import Budget, check, check_all, is_public

ROOT = Path(__file__).resolve().parent.parent
BANNER = b"SSH-2.0-OpenSSH_9.6 secret-banner-4711\r\n"


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode("ascii", "replace").split("?", 1)[0]
        self.server.seen.append(path)  # type: ignore[attr-defined]
        send = self.request.sendall
        if path == "/banner":
            send(BANNER)
        elif path == "/trickle":
            for byte in b"HTTP/1.1 200 OK\r\n":
                send(bytes([byte]))
                time.sleep(4)
        elif path == "/headers101":
            send(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(101)) + b"\r\n")
        elif path == "/bigheader":
            send(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
        elif path == "/garbage":
            send(b"HTTP/1.1 abc garbage\r\n\r\n")
        elif path.startswith("/hop/"):
            number = int(path.rsplit("/", 1)[1])
            send(b"HTTP/1.1 302 Found\r\nLocation: /hop/%d\r\nContent-Length: 0\r\n\r\n" % (number + 1))
        elif path in ("/to-ftp", "/to-metadata", "/chain"):
            target = {
                "/to-ftp": b"ftp://127.0.0.1/x",
                "/to-metadata": b"http://169.254.169.254/latest/meta-data/",
                "/chain": b"/chain2",
            }[path]
            send(b"HTTP/1.1 301 Moved\r\nLocation: " + target + b"\r\nContent-Length: 0\r\n\r\n")
        elif path == "/chain2":
            send(b"HTTP/1.1 302 Found\r\nLocation: /missing\r\nContent-Length: 0\r\n\r\n")
        elif path == "/missing":
            send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        else:
            send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


@pytest.fixture
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []  # type: ignore[attr-defined]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _base(httpd: _Server) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch):
    """Any connection to an address other than 127.0.0.1 fails the test before it is made."""
    real = socket.create_connection

    def guarded(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        assert address[0] == "127.0.0.1", f"aiblint tried to connect to {address}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    monkeypatch.setattr(urls, "RUN", Budget(60))


@pytest.fixture
def loopback_counts_as_public(monkeypatch):
    """Let the test server stand in for a public host while every other address keeps the real policy."""
    real = urls.is_public
    monkeypatch.setattr(urls, "is_public", lambda address: address == "127.0.0.1" or real(address))


def test_address_policy():
    refused = [
        "127.0.0.1", "127.8.9.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.251", "239.1.1.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
        "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::1", "fe80::1%eth0",
        "not-an-ip",
    ]  # fmt: skip
    assert [a for a in refused if is_public(a)] == []
    assert all(is_public(a) for a in ("8.8.8.8", "20.50.2.1", "2606:4700:4700::1111"))


def test_loopback_is_refused_before_any_connection(server):
    result = check(f"{_base(server)}/ok")
    assert result.note is not None and "--allow-private-urls" in result.note and result.unreachable is None
    assert server.seen == []
    assert check(f"{_base(server)}/ok", allow_private=True).status == 200
    assert server.seen == ["/ok"]


def test_localhost_by_name_is_refused_after_resolution(server):
    result = check(f"http://localhost:{server.server_address[1]}/ok")
    assert result.note is not None and server.seen == []


def test_redirect_to_link_local_metadata_is_not_followed(server, loopback_counts_as_public):
    result = check(f"{_base(server)}/to-metadata")
    assert result.note is not None and "169.254.169.254" in result.note and "redirect" in result.note
    assert result.chain == ("http://169.254.169.254/latest/meta-data/",)
    assert server.seen == ["/to-metadata"]


def test_redirect_to_ftp_is_not_followed(server):
    result = check(f"{_base(server)}/to-ftp", allow_private=True)
    assert result.unreachable is not None and "redirects to a ftp: URL" in result.unreachable
    assert result.unreachable.endswith("after redirect to ftp://127.0.0.1/x")


def test_at_most_five_redirects(server):
    result = check(f"{_base(server)}/hop/0", allow_private=True)
    assert result.note == "not checked past 5 redirects" and len(result.chain) == 5
    assert server.seen == [f"/hop/{i}" for i in range(6)]


def test_the_chain_is_named_in_the_finding(server):
    result = check(f"{_base(server)}/chain", allow_private=True)
    assert result.status == 404
    assert result.unreachable == f"HTTP 404 after 2 redirects to {_base(server)}/missing"


@pytest.mark.parametrize("path", ["/banner", "/headers101", "/bigheader", "/garbage"])
def test_protocol_errors_are_answers_and_the_banner_is_never_echoed(server, path):
    result = check(f"{_base(server)}{path}", allow_private=True)
    assert result.status is None and result.unreachable == "no valid HTTP answer"
    assert "secret" not in repr(result) and "OpenSSH" not in repr(result)


def test_a_trickling_server_is_cut_at_the_url_deadline(server, monkeypatch):
    monkeypatch.setattr(urls, "URL_DEADLINE_SECONDS", 2.0)
    started = time.monotonic()
    result = check(f"{_base(server)}/trickle", allow_private=True)
    elapsed = time.monotonic() - started
    assert result.unreachable == "no answer within 2 s"
    assert elapsed < 3.5, elapsed


def test_one_budget_for_every_url_of_the_run(server, monkeypatch):
    monkeypatch.setattr(urls, "RUN", Budget(2.0))
    monkeypatch.setattr(urls, "WORKERS", 2)
    many = [f"{_base(server)}/trickle?{i}" for i in range(10)]
    started = time.monotonic()
    results = check_all(many, allow_private=True)
    assert time.monotonic() - started < 4.5
    assert len(results) == 10
    assert all(r.note == urls.RUN.note() for r in results.values()), results
    later = check_all([f"{_base(server)}/ok"], allow_private=True)  # the budget is spent for the rest of the run
    assert later[f"{_base(server)}/ok"].note == urls.RUN.note()


# -- who may switch the network on -----------------------------------------------------------


def _repo_with_template(tmp_path: Path, base: str, config: str) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".aiblint.toml").write_text(config, encoding="utf-8")
    template = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8"))
    template["properties"]["customize"].append(
        {"type": "Shell", "name": "s", "scriptUri": f"{base}/missing", "sha256Checksum": "ab" * 32}
    )
    (tmp_path / "t.json").write_text(json.dumps(template), encoding="utf-8")
    return tmp_path


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "AIBLINT_CHECK_URLS"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "aiblint", "--format", "json", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env=environment,
    )


def test_a_config_file_in_the_tree_cannot_switch_the_network_on(server, tmp_path):
    repo = _repo_with_template(tmp_path, _base(server), "check-urls = true\n")
    result = _cli("t.json", cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    assert server.seen == []
    assert not [d for d in json.loads(result.stdout)["diagnostics"] if "--check-urls got" in d["message"]]


def test_the_command_line_and_the_environment_can(server, tmp_path):
    repo = _repo_with_template(tmp_path, _base(server), "check-urls = false\n")
    result = _cli("--check-urls", "t.json", cwd=repo)
    assert server.seen == [] and "--allow-private-urls" in result.stderr  # loopback: refused, with a note
    result = _cli("--check-urls", "--allow-private-urls", "t.json", cwd=repo)
    assert server.seen == ["/missing"]
    assert any("--check-urls got HTTP 404" in d["message"] for d in json.loads(result.stdout)["diagnostics"])
    _cli("--allow-private-urls", "t.json", cwd=repo, env={"AIBLINT_CHECK_URLS": "1"})
    assert server.seen == ["/missing", "/missing"]
    _cli("--no-check-urls", "--allow-private-urls", "t.json", cwd=repo, env={"AIBLINT_CHECK_URLS": "1"})
    assert server.seen == ["/missing", "/missing"]


def test_config_lookup_stops_at_the_repository_root(tmp_path):
    outer = tmp_path / "outer"
    repo = outer / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / ".git").mkdir()
    (outer / ".aiblint.toml").write_text('select = ["AIB0"]\nbroken = 1\n', encoding="utf-8")
    template = (ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8")
    (repo / "sub" / "t.json").write_text(template, encoding="utf-8")
    result = _cli("sub/t.json", cwd=repo)
    assert result.returncode == 0, result.stderr  # the outer (broken) config was never read
    (repo / ".git").rmdir()
    result = _cli("sub/t.json", cwd=repo)
    assert result.returncode == 0, result.stderr  # no repository: the lookup stops at the current folder
    result = _cli("repo/sub/t.json", cwd=outer)
    assert result.returncode == 2 and "broken" in result.stderr  # inside the current folder it is found


def test_config_lookup_never_reaches_the_file_system_root(tmp_path):
    from aiblint.repo import search_folders

    (tmp_path / "a" / "b").mkdir(parents=True)
    folders = search_folders(tmp_path / "a" / "b")
    assert Path("/") not in folders
    home = Path.home().resolve()
    assert all(f == home or home not in f.parents or f.is_relative_to(home) for f in folders)
