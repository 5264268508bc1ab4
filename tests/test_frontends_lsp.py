"""The language server lints Bicep and Terraform documents like JSON ones."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "frontends"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "aiblint", "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


@pytest.mark.parametrize(("path", "language"), [("bicep_linux/main.bicep", "bicep"), ("terraform_azapi/main.tf", "terraform")])
async def test_bicep_and_terraform_documents(client: LanguageClient, path: str, language: str):
    file = CASES / path
    uri = file.as_uri()
    text = file.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    found = [d for d in client.diagnostics.get(uri, []) if d.code == "AIB401"]
    assert found  # only the document's own findings: the loaded script's are published for that file
    for diagnostic in found:
        line = text.splitlines()[diagnostic.range.start.line]
        assert line[diagnostic.range.start.character :].startswith("apt-get install")


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    """The text with LSP edits applied (positions in UTF-16 units: the fixtures are ASCII)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    spans = sorted(
        (
            (starts[e.range.start.line] + e.range.start.character, starts[e.range.end.line] + e.range.end.character, e.new_text)
            for e in edits
        ),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


@pytest.mark.parametrize(("path", "language"), [("fix_bicep/main.bicep", "bicep"), ("fix_terraform/main.tf", "terraform")])
async def test_quick_fixes_in_bicep_and_terraform(client: LanguageClient, path: str, language: str):
    """Each quick fix, applied as the editor would, removes its finding and no syntax error appears."""
    file = CASES / path
    uri = file.as_uri()
    text = file.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    fixable = [d for d in client.diagnostics.get(uri, []) if d.code in ("AIB024", "AIB303", "AIB501", "AIB502")]
    assert {d.code for d in fixable} == {"AIB024", "AIB303", "AIB501", "AIB502"}
    for version, diagnostic in enumerate(fixable, start=2):
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext(diagnostics=[diagnostic])
            )
        )
        mine = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.title.startswith(str(diagnostic.code))]
        assert mine and mine[0].edit is not None
        fixed = _apply(text, mine[0].edit.changes[uri])  # type: ignore[index]
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangeWholeDocument(text=fixed)],
            )
        )
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        after = client.diagnostics.get(uri, [])
        assert not [d for d in after if d.code == "AIB001"]
        same = [d for d in after if d.code == diagnostic.code and d.range.start.line == diagnostic.range.start.line]
        assert len(same) < len(
            [d for d in fixable if d.code == diagnostic.code and d.range.start.line == diagnostic.range.start.line]
        )
        # back to the original text for the next fix
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version + 100),
                [types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


async def _diagnostics_of(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """Waits for the server to publish diagnostics for ``uri`` (other files come first or later)."""
    for _ in range(10):
        if uri in client.diagnostics:
            return client.diagnostics[uri]
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics.get(uri, [])


async def test_a_loaded_scripts_findings_are_shown_in_the_script(client: LanguageClient):
    # The CLI reports scripts/setup.sh:3:6 (loaded by main.bicep:64:11); the editor shows it there too,
    # with the load call as related information, and forgets it when main.bicep closes.
    file = CASES / "bicep_linux" / "main.bicep"
    script = (CASES / "bicep_linux" / "scripts" / "setup.sh").resolve()
    uri, script_uri = file.resolve().as_uri(), script.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="bicep", version=1, text=file.read_text()))
    )
    found = [d for d in await _diagnostics_of(client, script_uri) if d.code == "AIB401"]
    assert len(found) == 1
    start = found[0].range.start
    assert (start.line, start.character) == (2, 5)
    assert script.read_text().splitlines()[2][5:].startswith("apt-get install")
    (related,) = found[0].related_information or []
    assert related.location.uri == uri
    assert (related.location.range.start.line, related.location.range.start.character) == (63, 10)
    assert related.message == "the script is loaded here"
    assert all(d.code != "AIB401" or d.range.start.line != 2 for d in client.diagnostics.get(uri, []))

    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    for _ in range(10):
        if not client.diagnostics.get(script_uri):
            break
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert script_uri in client.diagnostics and len(client.diagnostics[script_uri]) == 0
