"""The language server (pygls 2): diagnostics on open, change (debounced) and save, hover
with the rule page, and quick fixes where the fix is unambiguous.

Only JSON/JSONC documents that hold image templates get diagnostics; other JSON files get
an empty list. The configuration is found upward from each file, as on the command line.
Positions are LSP's: 0-based lines, UTF-16 code units.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from aiblint import __version__
from aiblint.config import ConfigCache, ConfigError
from aiblint.diagnostics import Diagnostic
from aiblint.jsontree import LineIndex
from aiblint.lint import InternalError, LintOptions, lint_text
from aiblint.report.lsp_format import to_lsp, utf16_column

DEBOUNCE_SECONDS = 0.15


class AiblintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("aiblint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.configs = ConfigCache()
        self.latest: dict[str, tuple[list[Diagnostic], LineIndex | None]] = {}
        self.pending: dict[str, int] = {}


server = AiblintServer()


def _path(uri: str) -> Path | None:
    parts = urlsplit(uri)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def _is_json(uri: str) -> bool:
    return uri.lower().endswith((".json", ".jsonc", ".bicep", ".bicepparam", ".tf"))  # bicep / terraform documents too


def lint_document(ls: AiblintServer, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    path = _path(uri)
    diagnostics: list[Diagnostic] = []
    lines: LineIndex | None = None
    if _is_json(uri):
        try:
            config = ls.configs.for_path(path)
            result = lint_text(document.source, str(path or uri), config, path, LintOptions(ignore_non_templates=True))
            diagnostics, lines = result.diagnostics, result.lines
            for line in result.internal_errors:  # a rule crashed: its findings are missing, say so
                ls.window_log_message(types.LogMessageParams(types.MessageType.Error, f"aiblint: internal error: {line}"))
        except (ConfigError, InternalError) as exc:
            ls.window_log_message(types.LogMessageParams(types.MessageType.Error, f"aiblint: {exc}"))
    ls.latest[uri] = (diagnostics, lines)
    own = [d for d in diagnostics if d.file == str(path or uri)]
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=document.version, diagnostics=[_to_type(to_lsp(d, lines)) for d in own])
    )


def _to_type(item: dict[str, Any]) -> types.Diagnostic:
    r = item["range"]
    return types.Diagnostic(
        range=types.Range(types.Position(**r["start"]), types.Position(**r["end"])),
        message=item["message"],
        severity=types.DiagnosticSeverity(item["severity"]),
        code=item["code"],
        source="aiblint",
        code_description=types.CodeDescription(href=item["codeDescription"]["href"]) if "codeDescription" in item else None,
        data=item.get("data"),
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: AiblintServer, params: types.DidOpenTextDocumentParams) -> None:
    lint_document(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: AiblintServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.configs = ConfigCache()  # a saved config file takes effect
    lint_document(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: AiblintServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    ticket = ls.pending.get(uri, 0) + 1
    ls.pending[uri] = ticket
    await asyncio.sleep(DEBOUNCE_SECONDS)  # typing: lint once the edits pause
    if ls.pending.get(uri) == ticket:
        lint_document(ls, uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: AiblintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.latest.pop(uri, None)
    ls.pending.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _covers(d: Diagnostic, lines: LineIndex | None, position: types.Position) -> bool:
    if lines is None:
        return False
    start = (d.line - 1, utf16_column(lines.line_text(d.line), d.column))
    end = (d.end_line - 1, utf16_column(lines.line_text(d.end_line), d.end_column))
    here = (position.line, position.character)
    return start <= here <= end


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: AiblintServer, params: types.HoverParams) -> types.Hover | None:
    from aiblint.catalog import page, section

    diagnostics, lines = ls.latest.get(params.text_document.uri, ([], None))
    parts = []
    for d in diagnostics:
        if _covers(d, lines, params.position):
            text = page(d.code) or ""
            title = text.splitlines()[0].lstrip("# ") if text else d.code
            parts.append(f"**{title}**\n\n{d.message}\n\n{section(text, 'Why it matters')}")
    if not parts:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_action(ls: AiblintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    diagnostics, lines = ls.latest.get(uri, ([], None))
    if lines is None:
        return []
    actions = []
    wanted = {(d.range.start.line, d.range.start.character, str(d.code)) for d in params.context.diagnostics}
    for d in diagnostics:
        if d.fix is None:
            continue
        item = to_lsp(d, lines)
        key = (item["range"]["start"]["line"], item["range"]["start"]["character"], d.code)
        if wanted and key not in wanted:
            continue
        if not wanted and not _covers(d, lines, params.range.start):
            continue
        offset, text = d.fix
        line, column = lines.position(offset)
        at = types.Position(line - 1, utf16_column(lines.line_text(line), column))
        edit = types.TextEdit(range=types.Range(at, at), new_text=text)
        actions.append(
            types.CodeAction(
                title=f"{d.code}: insert {text.strip()[:40]}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[_to_type(item)],
                edit=types.WorkspaceEdit(changes={uri: [edit]}),
                is_preferred=True,
            )
        )
    return actions


def serve() -> int:
    server.start_io()
    return 0
