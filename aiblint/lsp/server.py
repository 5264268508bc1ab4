"""The language server (pygls 2): diagnostics on open, change (debounced) and save, hover
with the rule page, and quick fixes where the fix is unambiguous.

Only JSON/JSONC documents that hold image templates get diagnostics; other JSON files get
an empty list. The configuration is found upward from each file, as on the command line.

Positions are in the encoding negotiated at initialize (aiblint.lsp.positions), for
everything sent and read. The server keeps its own copy of each open document (changes
applied incrementally in that encoding) and never reads a file the client did not open.
Each lint runs in one worker thread under the CLI's size limit, so a slow lint never
makes the server deaf; a lint that fails publishes an empty list and logs why.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from aiblint import __version__
from aiblint.config import ConfigCache
from aiblint.diagnostics import Diagnostic
from aiblint.fix import describe, newline_of
from aiblint.jsontree import LineIndex
from aiblint.lint import MAX_FILE_BYTES, LintOptions, lint_text
from aiblint.lsp.positions import UTF8, UTF16, TextPositions, units
from aiblint.report.lsp_format import to_lsp

DEBOUNCE_SECONDS = 0.15
REQUEST_LINT_SECONDS = 20.0  # a request waits this long for a lint, then answers without it
logger = logging.getLogger(__name__)


class LintFailed(Exception):
    """The document could not be linted (too large, bad config, a rule's bug)."""


@dataclass
class OpenDocument:
    text: str
    version: int | None


@dataclass
class Linted:
    text: str  # the text the diagnostics belong to
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # findings in the files the document loads (a Bicep loadTextContent script, a module,
    # a Terraform file()): that file's path -> (its text as read, its diagnostics)
    loaded: dict[str, tuple[str, list[Diagnostic]]] = field(default_factory=dict)


class AiblintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("aiblint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.configs = ConfigCache()
        self.documents: dict[str, OpenDocument] = {}
        self.latest: dict[str, Linted] = {}
        self.pending: dict[str, int] = {}
        # what each open document published for the files it loads: owner URI -> file URI -> items
        self.loaded: dict[str, dict[str, list[types.Diagnostic]]] = {}
        self.lint_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aiblint-lint")

    @property
    def encoding(self) -> str:
        try:
            chosen = self.workspace.position_encoding
        except RuntimeError:  # before initialize
            return UTF16
        return str(getattr(chosen, "value", chosen) or UTF16)

    def positions(self, text: str) -> TextPositions:
        return TextPositions(text, self.encoding)

    def documents_by_path(self) -> dict[str, str]:
        """The open documents' texts by file path (a related location names a path)."""
        return {str(path): document.text for uri, document in self.documents.items() if (path := _path(uri)) is not None}

    def log(self, message: str) -> None:
        logger.error(message)
        self.window_log_message(types.LogMessageParams(types.MessageType.Error, message[:500]))


server = AiblintServer()


def _path(uri: str) -> Path | None:
    parts = urlsplit(uri)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def _is_json(uri: str) -> bool:
    return uri.lower().endswith((".json", ".jsonc", ".bicep", ".bicepparam", ".tf"))  # bicep / terraform documents too


def lint_source(configs: ConfigCache, uri: str, text: str) -> tuple[list[Diagnostic], list[str]]:
    """The diagnostics of one document's text and the rules' internal errors (runs in the lint thread)."""
    linted, internal_errors = lint_document(configs, uri, text)
    return linted.diagnostics, internal_errors


def lint_document(configs: ConfigCache, uri: str, text: str) -> tuple[Linted, list[str]]:
    """One document's lint: its own diagnostics, those of the files it loads, and the rules'
    internal errors (runs in the lint thread)."""
    if not _is_json(uri):
        return Linted(text), []
    if len(text) > MAX_FILE_BYTES or units(text, UTF8) > MAX_FILE_BYTES:
        raise LintFailed(f"the document is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: not linted")
    path = _path(uri)
    display = str(path or uri)
    try:
        config = configs.for_path(path)
        result = lint_text(text, display, config, path, LintOptions(ignore_non_templates=True))
    except Exception as exc:  # ConfigError, InternalError, RecursionError, MemoryError's kin
        raise LintFailed(f"{type(exc).__name__}: {exc}") from exc
    linted = Linted(text, [d for d in result.diagnostics if d.file == display])
    for d in result.diagnostics:
        lines = result.other_files.get(d.file)
        if d.file != display and lines is not None and Path(d.file).is_absolute():
            linted.loaded.setdefault(d.file, (lines.text, []))[1].append(d)
    return linted, list(result.internal_errors)


async def lint_now(ls: AiblintServer, uri: str) -> Linted | None:
    """Lint the document's current text (or reuse the last lint of that very text) and publish."""
    document = ls.documents.get(uri)
    if document is None:
        return None
    text, version = document.text, document.version
    last = ls.latest.get(uri)
    if last is not None and last.text == text:
        return last
    loop = asyncio.get_running_loop()
    try:
        linted, internal_errors = await loop.run_in_executor(ls.lint_pool, lint_document, ls.configs, uri, text)
    except Exception as exc:
        ls.log(f"aiblint: {uri}: {exc}")
        linted, internal_errors = Linted(text), []
    for line in internal_errors:  # a rule crashed: its findings are missing, say so
        ls.log(f"aiblint: internal error: {line}")
    if ls.documents.get(uri) is document and document.text == text:
        ls.latest[uri] = linted
        publish(ls, uri, linted, version)
        publish_loaded(ls, uri, linted)
    return linted


def publish(ls: AiblintServer, uri: str, linted: Linted, version: int | None) -> None:
    positions = ls.positions(linted.text)
    texts = {path: text for path, (text, _) in linted.loaded.items()}
    items = [_to_type(d, positions, ls, texts) for d in linted.diagnostics]
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=items))


def publish_loaded(ls: AiblintServer, owner: str, linted: Linted) -> None:
    """A finding inside a loaded script is shown in that script's file, as on the command
    line. Several open documents may load one file: it shows what all of them found. A
    loaded file that is itself an open template speaks for itself (its own lint)."""
    before = ls.loaded.pop(owner, {})
    now: dict[str, list[types.Diagnostic]] = {}
    texts = {path: text for path, (text, _) in linted.loaded.items()}
    for path, (text, diagnostics) in linted.loaded.items():
        file_uri = Path(path).as_uri()
        if _is_json(file_uri) and file_uri in ls.documents:
            continue
        positions = ls.positions(text)
        now[file_uri] = [_to_type(d, positions, ls, texts) for d in diagnostics]
    if now:
        ls.loaded[owner] = now
    for file_uri in before.keys() | now.keys():
        items = [item for published in ls.loaded.values() for item in published.get(file_uri, [])]
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=file_uri, diagnostics=items))


def _base(text: str) -> int:
    """Diagnostics count offsets without the byte order mark; the editor's text may have it."""
    return 1 if text.startswith("\ufeff") else 0


def _range(positions: TextPositions, start: int, end: int) -> types.Range:
    base = _base(positions.text)
    first, last = positions.position(base + start), positions.position(base + max(start, end))
    return types.Range(types.Position(first.line, first.character), types.Position(last.line, last.character))


def _to_type(
    d: Diagnostic, positions: TextPositions, ls: AiblintServer | None = None, texts: dict[str, str] | None = None
) -> types.Diagnostic:
    item: dict[str, Any] = to_lsp(d, None)
    return types.Diagnostic(
        range=_range(positions, d.start, d.end),
        message=item["message"],
        severity=types.DiagnosticSeverity(item["severity"]),
        code=item["code"],
        source="aiblint",
        code_description=types.CodeDescription(href=item["codeDescription"]["href"]) if "codeDescription" in item else None,
        data=item.get("data"),
        related_information=_related(d, positions, ls, texts or {}) if ls is not None else None,
    )


@functools.lru_cache(maxsize=8)
def _line_index(text: str) -> LineIndex:
    """One line index per text: a document's diagnostics may have hundreds of related locations."""
    return LineIndex(text)


def _related(
    d: Diagnostic, positions: TextPositions, ls: AiblintServer, texts: dict[str, str]
) -> list[types.DiagnosticRelatedInformation] | None:
    """The diagnostic's second locations (the load call, the use site, the other places of a
    value), in the negotiated encoding of the text each one is in; one whose text the
    server does not have is left out rather than placed wrongly."""
    found = []
    open_texts: dict[str, str] | None = None
    for location in d.related_locations():
        if location.file == d.file:
            where = positions
        elif location.file in texts:
            where = ls.positions(texts[location.file])
        else:
            open_texts = ls.documents_by_path() if open_texts is None else open_texts
            if location.file not in open_texts:
                continue
            where = ls.positions(open_texts[location.file])
        base = _base(where.text)
        lines = _line_index(where.text[base:]) if base else _line_index(where.text)
        if location.line > len(lines.starts) or location.end_line > len(lines.starts):
            continue
        start = lines.offset(location.line, location.column)
        end = lines.offset(location.end_line, location.end_column)
        uri = Path(location.file).as_uri() if Path(location.file).is_absolute() else location.file
        found.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=_range(where, start, end)), message=location.message
            )
        )
    return found or None


async def _current(ls: AiblintServer, uri: str) -> Linted | None:
    try:
        return await asyncio.wait_for(lint_now(ls, uri), REQUEST_LINT_SECONDS)
    except asyncio.TimeoutError:
        ls.log(f"aiblint: {uri}: the lint took over {REQUEST_LINT_SECONDS:.0f} s; answered without it")
        return None


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: AiblintServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.documents[item.uri] = OpenDocument(item.text, item.version)
    ls.latest.pop(item.uri, None)
    await lint_now(ls, item.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: AiblintServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri not in ls.documents:
        ls.log(f"aiblint: didSave of {uri}, which is not open: ignored (the server reads no file itself)")
        return
    ls.configs = ConfigCache()  # a saved config file takes effect
    ls.latest.pop(uri, None)
    await lint_now(ls, uri)


def apply_changes(ls: AiblintServer, document: OpenDocument, changes: list[Any]) -> None:
    for change in changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            positions = ls.positions(document.text)
            start = positions.offset(change.range.start.line, change.range.start.character)
            end = positions.offset(change.range.end.line, change.range.end.character)
            start, end = min(start, end), max(start, end)
            document.text = document.text[:start] + change.text + document.text[end:]
        else:
            document.text = change.text


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: AiblintServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    if document is None:
        ls.log(f"aiblint: didChange of {uri}, which is not open: ignored")
        return
    apply_changes(ls, document, list(params.content_changes))
    document.version = params.text_document.version
    ticket = ls.pending.get(uri, 0) + 1
    ls.pending[uri] = ticket
    await asyncio.sleep(DEBOUNCE_SECONDS)  # typing: lint once the edits pause
    if ls.pending.get(uri) == ticket:
        await lint_now(ls, uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: AiblintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.documents.pop(uri, None)
    ls.latest.pop(uri, None)
    ls.pending.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    publish_loaded(ls, uri, Linted(""))  # what it found in the files it loads goes with it


def _offset(positions: TextPositions, position: types.Position) -> int:
    return positions.offset(position.line, position.character) - _base(positions.text)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: AiblintServer, params: types.HoverParams) -> types.Hover | None:
    from aiblint.catalog import page, section

    linted = await _current(ls, params.text_document.uri)
    if linted is None:
        return None
    here = _offset(ls.positions(linted.text), params.position)
    parts = []
    for d in linted.diagnostics:
        if d.start <= here <= max(d.start, d.end):
            text = page(d.code) or ""
            title = text.splitlines()[0].lstrip("# ") if text else d.code
            parts.append(f"**{title}**\n\n{d.message}\n\n{section(text, 'Why it matters')}")
    if not parts:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
async def code_action(ls: AiblintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Quick fixes of the diagnostics that overlap the requested range, from the current text."""
    uri = params.text_document.uri
    linted = await _current(ls, uri)
    if linted is None:
        return []
    positions = ls.positions(linted.text)
    low, high = sorted((_offset(positions, params.range.start), _offset(positions, params.range.end)))
    codes = {str(d.code) for d in params.context.diagnostics}
    actions = []
    for d in linted.diagnostics:
        if d.fix is None or not d.fix.edits or d.fix.file is not None or (codes and d.code not in codes):
            continue
        if not (d.start <= high and low <= max(d.start, d.end)):
            continue
        fix = d.fix
        base = _base(linted.text)
        newline = newline_of(linted.text)
        edits = [
            types.TextEdit(range=_range(positions, start, end), new_text=text.replace("\n", newline) if newline != "\n" else text)
            for start, end, text in fix.edits
        ]
        actions.append(
            types.CodeAction(
                title=f"{d.code}: {describe(fix, linted.text[base:])}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[_to_type(d, positions, ls)],
                edit=types.WorkspaceEdit(changes={uri: edits}),
                is_preferred=fix.safe,
            )
        )
    return actions


def serve() -> int:
    from aiblint.lsp.loop import run_stdio

    return run_stdio(server)
