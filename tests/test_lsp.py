"""The language server over real stdio (pytest-lsp): open, edit, hover, fix, close."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
UBUNTU = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text())


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "aiblint", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


def _template(lines: list[str]) -> str:
    template = json.loads(json.dumps(UBUNTU))
    template["properties"]["customize"][0]["inline"] = lines
    return json.dumps(template, indent=2, ensure_ascii=False)


def _open(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="json", version=version, text=text))
    )


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return [d for d in client.diagnostics.get(uri, []) if d.code != "AIB101"]


async def test_open_change_hover_fix_close(client: LanguageClient, tmp_path):
    uri = (tmp_path / "image.json").as_uri()
    text = _template(["sudo apt-get update", "sudo apt-get install nginx", "echo 😀 done"])
    _open(client, uri, text)
    found = await _diagnostics(client, uri)
    assert [d.code for d in found] == ["AIB401"]
    diagnostic = found[0]
    assert diagnostic.source == "aiblint" and diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description is not None and diagnostic.code_description.href.endswith("AIB401.md")
    line = text.splitlines()[diagnostic.range.start.line]
    assert line[diagnostic.range.start.character :].startswith("apt-get install nginx")

    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), diagnostic.range.start))
    assert hover is not None and "AIB401" in hover.contents.value  # type: ignore[union-attr]

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext(diagnostics=[diagnostic])
        )
    )
    assert actions and actions[0].edit is not None
    edit = actions[0].edit.changes[uri][0]  # type: ignore[index]
    fixed_line = line[: edit.range.start.character] + edit.new_text + line[edit.range.start.character :]
    assert "apt-get install -y nginx" in fixed_line

    # the edit, applied as a change: the finding goes away
    new_text = text.replace("sudo apt-get install nginx", "sudo apt-get install -y nginx")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=new_text)],
        )
    )
    assert await _diagnostics(client, uri) == []

    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert not client.diagnostics.get(uri)


async def test_other_json_files_get_no_diagnostics(client: LanguageClient, tmp_path):
    uri = (tmp_path / "package.json").as_uri()
    _open(client, uri, '{"name": "x", "version": "1.0.0",}')
    assert await _diagnostics(client, uri) == []


async def test_positions_are_utf16(client: LanguageClient, tmp_path):
    uri = (tmp_path / "astral.json").as_uri()
    text = _template(["echo '😀😀' && sudo apt-get install nginx"])
    _open(client, uri, text)
    (diagnostic,) = await _diagnostics(client, uri)
    line = text.splitlines()[diagnostic.range.start.line]
    utf16 = line.encode("utf-16-le")
    assert utf16[diagnostic.range.start.character * 2 :].decode("utf-16-le").startswith("apt-get install nginx")


async def test_windows_restart_quick_fix(client: LanguageClient, tmp_path):
    template = json.loads((ROOT / "examples" / "windows-good.json").read_text())
    template["properties"]["source"].update(
        {"publisher": "MicrosoftWindowsDesktop", "offer": "windows-11", "sku": "win11-23h2-avd"}
    )
    template["properties"]["customize"] = template["properties"]["customize"][:3]
    text = json.dumps(template, indent=2)
    uri = (tmp_path / "win.json").as_uri()
    _open(client, uri, text)
    found = [d for d in await _diagnostics(client, uri) if d.code == "AIB303"]
    assert found
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), found[0].range, types.CodeActionContext(diagnostics=found))
    )
    edit = actions[0].edit.changes[uri][0]  # type: ignore[index,union-attr]
    lines = text.splitlines(keepends=True)
    offset = sum(len(x) for x in lines[: edit.range.start.line]) + edit.range.start.character
    fixed = json.loads(text[:offset] + edit.new_text + text[offset:])
    assert fixed["properties"]["customize"][-1]["type"] == "WindowsRestart"


async def test_relint_after_change_is_fast(client: LanguageClient, tmp_path):
    uri = (tmp_path / "big.json").as_uri()
    lines = [f"echo step {i} && sudo apt-get install -y pkg{i}" for i in range(1000)]
    _open(client, uri, _template(lines))
    await _diagnostics(client, uri)
    started = time.perf_counter()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=_template([*lines, "sudo apt-get install nginx"]))],
        )
    )
    found = await _diagnostics(client, uri)
    elapsed = time.perf_counter() - started
    assert [d.code for d in found] == ["AIB401"]
    assert elapsed < 0.15 + 1.0  # debounce plus a generous bound for a loaded CI machine


async def test_quick_fix_uses_the_current_text_not_the_last_lint(client: LanguageClient, tmp_path):
    """An edit arrives and the code action is asked for before the debounced lint runs."""
    uri = (tmp_path / "stale.json").as_uri()
    text = _template(["sudo apt-get install nginx"])
    _open(client, uri, text)
    await _diagnostics(client, uri)
    new_text = _template(["echo '😀 first'", "echo 'ünïcode' && sudo apt-get install nginx"])
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=new_text)],
        )
    )
    lines = new_text.splitlines()
    number = next(i for i, line in enumerate(lines) if "ünïcode" in line)
    column = len(lines[number][: lines[number].index("install")].encode("utf-16-le")) // 2
    here = types.Position(number, column)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), types.Range(here, here), types.CodeActionContext(diagnostics=[])
        )
    )
    assert actions and actions[0].edit is not None
    edit = actions[0].edit.changes[uri][0]  # type: ignore[index]
    line = lines[edit.range.start.line]
    utf16 = line.encode("utf-16-le")
    fixed = (
        utf16[: edit.range.start.character * 2] + edit.new_text.encode("utf-16-le") + utf16[edit.range.start.character * 2 :]
    ).decode("utf-16-le")
    assert fixed.endswith("\"echo 'ünïcode' && sudo apt-get install -y nginx\"")
