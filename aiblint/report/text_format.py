"""The default format: ``file:line:col: severity CODE message``, a caret on terminals."""

from __future__ import annotations

from aiblint.context import FileResult
from aiblint.diagnostics import Severity
from aiblint.escape import terminal, terminal_path
from aiblint.report import summary_counts

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(results: list[FileResult], *, color: bool = False, source: bool = False, quiet: bool = False, **_: object) -> str:
    out: list[str] = []
    for result in results:
        for d in result.diagnostics:
            label = d.severity.label
            file = terminal_path(d.file)
            if color:
                label = f"{_COLORS[d.severity]}{label}{_RESET}"
                where = f"{_BOLD}{file}:{d.line}:{d.column}:{_RESET}"
            else:
                where = f"{file}:{d.line}:{d.column}:"
            out.append(f"{where} {label} {d.code} {terminal(d.message)}")
            lines = result.lines if d.file == result.path else result.other_files.get(d.file)
            if source and lines is not None and d.line <= len(lines.starts):
                out.extend(_excerpt(lines.line_text(d.line), d.column, d.end_column if d.end_line == d.line else None, color))
            if source:
                out.extend(_related_line(*item) for item in d.related)
    if quiet:
        return "\n".join(out) + ("\n" if out else "")
    out.append(summary_line(summary_counts(results)))
    return "\n".join(out) + "\n"


def summary_line(counts: dict[str, int]) -> str:
    """``2 errors, 1 warning in 3 files`` (infos only when there are some)."""
    parts = [_plural(counts["errors"], "error"), _plural(counts["warnings"], "warning")]
    if counts["infos"]:
        parts.append(_plural(counts["infos"], "info"))
    return f"{', '.join(parts)} in {_plural(counts['files'], 'file')}"


def _related_line(file: str, line: int, column: int, what: str) -> str:
    """A second location under the excerpt; its file name and label are data, escaped."""
    return f"  = {terminal(what)}: {terminal(file)}:{line}:{column}"


def _excerpt(line: str, column: int, end_column: int | None, color: bool) -> list[str]:
    """The source line, control characters shown escaped; the caret under the escaped text."""
    line = line.expandtabs(1)[:400]
    end = len(line) + 1 if end_column is None else end_column
    before = terminal(line[: column - 1])
    inside = terminal(line[column - 1 : max(end, column + 1) - 1])
    shown = terminal(line)
    width = max(1, len(inside))
    width = min(width, max(1, len(shown) - len(before)))
    if end_column is None:
        width = 1
    caret = " " * len(before) + "^" * width
    if color:
        return [f"  {_DIM}|{_RESET} {shown}", f"  {_DIM}|{_RESET} {_BOLD}{caret}{_RESET}"]
    return [f"  | {shown}", f"  | {caret}"]
