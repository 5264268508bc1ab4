"""The language server in each position encoding a client can negotiate (issue 19 item 1).

Clients offer UTF-8, UTF-16, UTF-32 or nothing (UTF-16). On lines with accents, CJK and
emoji before and inside a finding, the test converts every position it receives or sends
with its own codec (strict: a position inside a character fails), checks the range covers
exactly the text the command line reports, applies every quick fix through an
incremental change at a range that overlaps the finding without sharing its start, and
checks the finding is gone and the JSON still parses.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from aiblint.config import Config  # noqa: E402
from aiblint.lint import LintOptions, lint_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OFFERS = {"utf-8": ["utf-8"], "utf-16": ["utf-16"], "utf-32": ["utf-32"], "none": None, "utf-32 first": ["utf-32", "utf-8"]}
EXPECTED = {"utf-8": "utf-8", "utf-16": "utf-16", "utf-32": "utf-32", "none": "utf-16", "utf-32 first": "utf-32"}


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "aiblint", "lsp"]),
    params=list(OFFERS),
)
async def client(lsp_client: LanguageClient, request):
    capabilities = client_capabilities("visual-studio-code")
    assert capabilities.general is not None
    capabilities.general.position_encodings = OFFERS[request.param]  # type: ignore[assignment]
    result = await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities, root_uri=ROOT.as_uri()))
    lsp_client.encoding = EXPECTED[request.param]  # type: ignore[attr-defined]
    assert result.capabilities.position_encoding == EXPECTED[request.param]
    yield
    await lsp_client.shutdown_session()


# -- the test's own codec, independent of the server's ------------------------------------


def _lines(text: str) -> list[tuple[int, str]]:
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    ends = [m.start() for m in re.finditer(r"\r\n|\r|\n", text)] + [len(text)]
    return [(s, text[s:e]) for s, e in zip(starts, ends, strict=True)]


def to_offset(text: str, position: types.Position, encoding: str) -> int:
    start, content = _lines(text)[position.line]
    n = position.character
    if encoding == "utf-8":
        prefix = content.encode("utf-8")[:n].decode("utf-8")  # strict: inside a character fails
    elif encoding == "utf-16":
        prefix = content.encode("utf-16-le")[: 2 * n].decode("utf-16-le")
    else:
        prefix = content[:n]
    assert len(prefix.encode("utf-32-le")) // 4 <= len(content)
    return start + len(prefix)


def to_position(text: str, offset: int, encoding: str) -> types.Position:
    for number, (start, content) in enumerate(_lines(text)):
        if start <= offset <= start + len(content):
            prefix = content[: offset - start]
            size = {"utf-8": len(prefix.encode("utf-8")), "utf-16": len(prefix.encode("utf-16-le")) // 2}
            return types.Position(number, size.get(encoding, len(prefix)))
    raise AssertionError(offset)


def apply(text: str, edit: types.TextEdit, encoding: str) -> str:
    start, end = (to_offset(text, edit.range.start, encoding), to_offset(text, edit.range.end, encoding))
    return text[:start] + edit.new_text + text[end:]


# -- documents -----------------------------------------------------------------------------

UBUNTU = (ROOT / "examples" / "ubuntu-good.json").read_text()
WINDOWS = (ROOT / "examples" / "windows-good.json").read_text()


def _shell_template(lines: list[str]) -> str:
    template = json.loads(UBUNTU)
    template["properties"]["customize"] = [{"type": "Shell", "name": "naïve 日本 😀", "inline": lines}]
    return json.dumps(template, indent=2, ensure_ascii=False)


def _windows_template(lines: list[str], update: bool) -> str:
    """Compact customizers: the last one on one line, with non-ASCII text before its end."""
    template = json.loads(WINDOWS)
    template["properties"]["source"].update(
        {"publisher": "MicrosoftWindowsDesktop", "offer": "windows-11", "sku": "win11-23h2-avd"}
    )
    template["properties"]["customize"] = []
    text = json.dumps(template, indent=2, ensure_ascii=False)
    steps = [json.dumps({"type": "PowerShell", "name": "Grüße 日本 😀", "inline": lines}, ensure_ascii=False)]
    if update:
        steps.append('{"type": "WindowsUpdate", "name": "é😀日"}')
    return text.replace('"customize": []', '"customize": [\n      ' + ",\n      ".join(steps) + "\n    ]")


def _cli_ranges(text: str, code: str) -> list[str]:
    result = lint_text(text, "t.json", Config(), None, LintOptions(ignore_non_templates=True))
    return [text[d.start : d.end] for d in result.diagnostics if d.code == code]


def _open(client: LanguageClient, uri: str, text: str) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="json", version=1, text=text))
    )


async def _published(client: LanguageClient, uri: str, code: str) -> list[types.Diagnostic]:
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return [d for d in client.diagnostics.get(uri, []) if d.code == code]


async def _fix_round_trip(client: LanguageClient, tmp_path: Path, text: str, code: str, inserted: str) -> str:
    """Open, check ranges, apply each quick fix as an incremental change; return the final text."""
    encoding: str = client.encoding  # type: ignore[attr-defined]
    uri = (tmp_path / "image.json").as_uri()
    _open(client, uri, text)
    found = await _published(client, uri, code)
    expected = _cli_ranges(text, code)
    assert (
        expected
        and [text[to_offset(text, d.range.start, encoding) : to_offset(text, d.range.end, encoding)] for d in found] == expected
    )
    version = 1
    while found:
        diagnostic = found[0]
        start = to_offset(text, diagnostic.range.start, encoding)
        end = to_offset(text, diagnostic.range.end, encoding)
        # a cursor strictly inside the finding, past its non-ASCII text: not the same start
        inside = to_position(text, max(start + 1, end - 1), encoding)
        hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), inside))
        assert hover is not None and code in hover.contents.value  # type: ignore[union-attr]
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri),
                types.Range(inside, inside),
                types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        assert actions, f"no quick fix for {diagnostic}"
        edit = actions[0].edit.changes[uri][0]  # type: ignore[index,union-attr]
        assert inserted.strip() in edit.new_text
        text = apply(text, edit, encoding)
        json.loads(text)  # the fixed document still parses
        version += 1
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)],
            )
        )
        found = await _published(client, uri, code)
    # the server's copy, built from incremental changes, is the text the client has
    assert _cli_ranges(text, code) == []
    return text


async def test_apt_and_yum_yes(client: LanguageClient, tmp_path: Path):
    lines = [
        "echo 'Grüße 日本語 😀' && sudo apt-get install café-😀 nginx",
        "printf '😀😀' ; sudo yum install 日本 'ü😀'",
    ]
    text = await _fix_round_trip(client, tmp_path, _shell_template(lines), "AIB401", " -y")
    inline = json.loads(text)["properties"]["customize"][0]["inline"]
    assert inline == [
        "echo 'Grüße 日本語 😀' && sudo apt-get install -y café-😀 nginx",
        "printf '😀😀' ; sudo yum install -y 日本 'ü😀'",
    ]


async def test_powershell_force_and_qn(client: LanguageClient, tmp_path: Path):
    lines = [
        "Write-Host 'Grüße 日本 😀'; Install-PackageProvider -Name 'NüGet😀'",
        "Write-Host '日本'; msiexec /i C:\\tmp\\café😀.msi",
    ]
    text = await _fix_round_trip(client, tmp_path, _windows_template(lines[:1], False), "AIB501", " -Force")
    inline = json.loads(text)["properties"]["customize"][0]["inline"]
    assert inline == ["Write-Host 'Grüße 日本 😀'; Install-PackageProvider -Name 'NüGet😀' -Force"]
    (tmp_path / "second").mkdir()
    text = await _fix_round_trip(client, tmp_path / "second", _windows_template(lines[1:], False), "AIB502", " /qn")
    inline = json.loads(text)["properties"]["customize"][0]["inline"]
    assert inline == ["Write-Host '日本'; msiexec /i C:\\tmp\\café😀.msi /qn"]


async def test_windows_restart(client: LanguageClient, tmp_path: Path):
    text = await _fix_round_trip(client, tmp_path, _windows_template(["Write-Host 'é'"], True), "AIB303", "WindowsRestart")
    steps = json.loads(text)["properties"]["customize"]
    assert [s["type"] for s in steps] == ["PowerShell", "WindowsUpdate", "WindowsRestart"]
