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
    assert found  # only the document's own findings: the loaded script's are in its own file
    for diagnostic in found:
        line = text.splitlines()[diagnostic.range.start.line]
        assert line[diagnostic.range.start.character :].startswith("apt-get install")
