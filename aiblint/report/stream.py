"""The run's output, built file by file: what is kept does not grow with each file's findings.

The line formats (text, github, azure) and json render a file's findings as soon as its lint
completes (the terminal excerpt too, while the file's lines still exist) into a spool that
holds 256 K characters in memory and the rest in a temporary file; of the result only its
notes and internal errors are kept, if it has any. sarif, junit and lsp need the whole run
first (totals, one rule list), so each result is compacted instead: no text, no line index
(lsp keeps just the lines its findings stand on), no fix edits, and one help string per code;
sarif and junit are then written result by result (never one document string).
The output is written at the end, as before, so a run that fails on a bad config prints no
half report; it is byte for byte what the renderers give for the full result list.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from aiblint.context import FileResult
from aiblint.diagnostics import Diagnostic, Severity
from aiblint.report import renderer, summary_counts

LINE_FORMATS = ("text", "github", "azure")
STREAMED = (*LINE_FORMATS, "json")  # json is written in pieces too (report/json_format.py)
_SPOOL_CHARS = 256 * 1024  # kept in memory (StringIO may hold 4 bytes a character); the rest goes to a temporary file


class _Lines:
    """The few lines of a file that its findings stand on: what the lsp renderer reads
    (``line_text`` and the line count) without the file's text."""

    def __init__(self, lines: Any, wanted: set[int]) -> None:
        count = len(lines.starts)
        self.starts = range(count)  # len() only: no list of offsets is kept
        self._texts = {n: lines.line_text(n) for n in wanted if 1 <= n <= count}

    def line_text(self, line: int) -> str:
        return self._texts.get(line, "")


class Output:
    """Collects a run's output; ``add`` each result in order, then ``write`` once."""

    def __init__(self, fmt: str, *, streaming: bool, color: bool, source: bool, quiet: bool, cwd: Path) -> None:
        self.fmt = fmt
        self.options = {"color": color, "source": source, "quiet": quiet, "cwd": cwd}
        self.streaming = streaming and fmt in STREAMED
        self.spool: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed in write()
            max_size=_SPOOL_CHARS, mode="w+", encoding="utf-8", errors="surrogatepass", newline=""
        )
        self.severities: set[Severity] = set()
        self.counts = {"files": 0, "errors": 0, "warnings": 0, "infos": 0}
        self._help: dict[str, str] = {}
        self._any_item = False  # json: a diagnostic was written (the next one needs a comma)
        if self.streaming and fmt == "json":
            from aiblint.report import json_format

            self.spool.write(json_format.head())

    def add(self, result: FileResult) -> FileResult | None:
        """What the run keeps of ``result`` (give it back to baseline, statistics or the renderer);
        streamed, only its notes and internal errors, if any (nothing per file stays alive)."""
        self.severities.update(d.severity for d in result.diagnostics)
        if not self.streaming:
            return self._compact(result)
        if self.fmt == "json":
            from aiblint.report import json_format

            self.spool.write(json_format.body(result, not self._any_item))
            self._any_item = self._any_item or bool(result.diagnostics)
        else:
            self.spool.write(renderer(self.fmt)([result], **{**self.options, "quiet": True}))
        for key, value in summary_counts([result]).items():
            self.counts[key] += value
        if not (result.notes or result.internal_errors):
            return None
        return FileResult(result.path, [], templates=result.templates, notes=result.notes, internal_errors=result.internal_errors)

    def _compact(self, result: FileResult) -> FileResult:
        lines, others = result.lines, result.other_files
        if self.fmt == "lsp":
            lines = self._lines_of(result, result.path, lines)
            others = {name: self._lines_of(result, name, index) for name, index in others.items()}
        else:
            lines, others = None, {}
        diagnostics = [self._lean(d) for d in result.diagnostics]
        return replace(result, diagnostics=diagnostics, lines=lines, other_files=others)  # type: ignore[arg-type]

    def _lean(self, d: Diagnostic) -> Diagnostic:
        help_text = self._help.setdefault(d.code, d.help) if d.help is not None else None
        return replace(d, help=help_text, fix=None) if d.fix is not None or help_text is not d.help else d

    @staticmethod
    def _lines_of(result: FileResult, name: str, lines: Any) -> Any:
        if lines is None:
            return None
        wanted: set[int] = set()
        for d in result.diagnostics:
            if d.file == name:  # lsp_format reads its own lines for it and its same-file related locations
                wanted.update((d.line, d.end_line))
                wanted.update(
                    n for file, line, _, end_line, _, _ in d.related_locations() if file == name for n in (line, end_line)
                )
        return _Lines(lines, wanted)

    def text(self, results: list[FileResult]) -> IO[str]:
        """The whole output, rewound, for the results ``add`` returned (after any baseline filter)."""
        if self.streaming and self.fmt == "json":
            from aiblint.report import json_format

            self.spool.write(json_format.tail(self.counts, self._any_item))
        elif self.streaming:
            if self.fmt == "text" and not self.options["quiet"]:
                from aiblint.report.text_format import summary_line

                self.spool.write(summary_line(self.counts) + "\n")
        elif self.fmt in ("sarif", "junit"):  # in pieces: the whole document is never one string
            import importlib

            module = importlib.import_module(f"aiblint.report.{self.fmt}_format")
            for piece in module.chunks(results, cwd=self.options["cwd"]):
                self.spool.write(piece)
        else:
            self.spool.write(renderer(self.fmt)(results, **self.options))
        self.spool.seek(0)
        return self.spool

    def write(self, results: list[FileResult], destination: IO[str]) -> None:
        try:
            shutil.copyfileobj(self.text(results), destination, 64 * 1024)
        finally:
            self.spool.close()
