"""``--fix`` / ``--diff``: apply the rules' unambiguous fixes to a file's bytes.

A fix is a few edits at offsets of the text the rules saw (aiblint.diagnostics.Fix), so
every byte outside them stays as written: escapes, indentation, comments, the byte order
mark, the encoding (UTF-8 or UTF-16) and the line endings (a ``\\n`` in a fix becomes the
file's own). Fixes whose edits touch are applied one per pass; the file is linted again
after each pass, up to ``MAX_PASSES``, so a later fix always sees the current text.
"""

from __future__ import annotations

import difflib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiblint.diagnostics import Diagnostic, Fix

MAX_PASSES = 8


@dataclass(frozen=True)
class Applied:
    code: str
    line: int
    column: int
    title: str


def describe(fix: Fix, text: str) -> str:
    """What the fix does, for --show-fixes and the editor's quick-fix title."""
    parts = []
    for start, end, new in fix.edits:
        old = text[start:end]
        shown = " ".join(new.split())[:60]
        if start == end:
            parts.append(f"insert {shown}")
        elif not new:
            parts.append(f"delete {old[:40]}")
        else:
            parts.append(f"replace {old[:40]} with {shown}")
    return "; ".join(parts)


def newline_of(text: str) -> str:
    if "\r\n" in text:
        return "\r\n"
    return "\r" if "\r" in text and "\n" not in text else "\n"


def _overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def choose(diagnostics: list[Diagnostic], unsafe: bool) -> list[Diagnostic]:
    """The fixable diagnostics whose edits can be applied together (first come, first served)."""
    chosen: list[Diagnostic] = []
    taken: list[tuple[int, int, str]] = []
    seen: set[Fix] = set()
    for d in sorted(diagnostics, key=lambda d: (d.fix.edits[0][0] if d.fix and d.fix.edits else 0, d.code)):
        fix = d.fix
        if fix is None or not fix.edits or (not fix.safe and not unsafe) or fix in seen:
            continue
        if any(_overlaps(edit, other) for edit in fix.edits for other in taken):
            continue  # the next pass, on the new text
        seen.add(fix)
        taken.extend(fix.edits)
        chosen.append(d)
    return chosen


def apply(text: str, fixes: list[Fix]) -> str:
    newline = newline_of(text)
    edits = sorted((edit for fix in fixes for edit in fix.edits), key=lambda e: (e[0], e[1]))
    out = []
    at = 0
    for start, end, new in edits:
        out.append(text[at:start])
        out.append(new.replace("\n", newline) if newline != "\n" else new)
        at = end
    out.append(text[at:])
    return "".join(out)


def fix_text(text: str, lint: Callable[[str], list[Diagnostic]], unsafe: bool) -> tuple[str, list[Applied]]:
    """The text with every applicable fix applied, and what was applied (``text`` without BOM)."""
    applied: list[Applied] = []
    for _ in range(MAX_PASSES):
        chosen = choose(lint(text), unsafe)
        if not chosen:
            break
        applied.extend(Applied(d.code, d.line, d.column, describe(d.fix, text)) for d in chosen if d.fix)
        text = apply(text, [d.fix for d in chosen if d.fix])
    return text, applied


def split_bom(data: bytes) -> tuple[str, bytes, str]:
    """(text without BOM, the BOM bytes, codec) of a file's bytes; UnicodeDecodeError as lint has it."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec), bom, codec
    return data.decode("utf-8"), b"", "utf-8"


def fix_bytes(data: bytes, lint: Callable[[str], list[Diagnostic]], unsafe: bool) -> tuple[bytes, list[Applied]]:
    """``data`` with its fixes applied, in its own encoding; unchanged bytes when nothing applies."""
    try:
        text, bom, codec = split_bom(data)
    except UnicodeDecodeError:
        return data, []  # AIB001 says why; nothing to fix
    fixed, applied = fix_text(text, lint, unsafe)
    if fixed == text:
        return data, []
    return bom + fixed.encode(codec, errors="surrogatepass"), applied


def unified_diff(display: str, before: bytes, after: bytes) -> str:
    """The change as a unified diff, control characters shown escaped (no raw byte reaches a terminal)."""
    old = split_bom(before)[0].splitlines(keepends=True)
    new = split_bom(after)[0].splitlines(keepends=True)
    safe_name = _printable(display)
    lines = difflib.unified_diff(old, new, f"a/{safe_name}", f"b/{safe_name}")
    return "".join(_printable(line.rstrip("\r\n")) + "\n" for line in lines)


def _printable(text: str) -> str:
    return "".join(
        ch if ch.isprintable() or ch == "\t" else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}" for ch in text
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Replace the file's bytes in one step (a crash leaves the old file), keeping its mode."""
    temporary = path.with_name(f".{path.name}.aiblint-fix.tmp")
    try:
        temporary.write_bytes(data)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


@dataclass
class FixSession:
    """What --fix / --diff did across files: the diffs to print and the fixes to list."""

    write: bool
    unsafe: bool
    diffs: list[str] = field(default_factory=list)
    applied: list[tuple[str, Applied]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    # Fixes a Bicep or Terraform file cannot take (the JSON twin would): "file:line:col: CODE: why"
    withheld: list[tuple[str, int, int, str, str]] = field(default_factory=list)  # file, line, column, code, why

    def run(self, display: str, path: Path | None, data: bytes, lint: Callable[[str], list[Diagnostic]]) -> bytes:
        """The file's bytes after fixing (written to disk unless --diff)."""
        last_withheld: list[tuple[str, int, int, str, str]] = []

        def own(text: str) -> list[Diagnostic]:
            found = lint(text)
            last_withheld[:] = [_withheld(d) for d in found if d.fix is not None and d.fix.withheld]
            return [d for d in found if d.file == display]

        fixed, applied = fix_bytes(data, own, self.unsafe)
        self.withheld.extend(last_withheld)
        if not applied:
            return data
        if path is None or path.is_symlink():
            self.refused.append(f"{_printable(display)}: not fixed ({'stdin' if path is None else 'a symbolic link'})")
            return data
        self.applied.extend((display, a) for a in applied)
        if not self.write:
            self.diffs.append(unified_diff(display, data, fixed))
            return data
        write_atomically(path, fixed)
        return fixed

    def summary(self) -> list[str]:
        verb = "fixed" if self.write else "would fix"
        lines = [
            f"{_printable(display)}:{a.line}:{a.column}: {a.code} {verb}: {_printable(a.title)}" for display, a in self.applied
        ]
        return lines

    def withheld_summary(self) -> list[str]:
        """How many fixes a Bicep or Terraform file could not take, and why (always printed);
        one a place, and not one that the run fixed in the file it is written in."""
        fixed = {(display, a.line, a.column, a.code) for display, a in self.applied}
        lines = list(
            dict.fromkeys(
                f"{f}:{line}:{column}: {code}: {why}"
                for f, line, column, code, why in self.withheld
                if (f, line, column, code) not in fixed
            )
        )
        if not lines:
            return []
        head = f"{len(lines)} fix{'es' if len(lines) > 1 else ''} not offered (the JSON twin would get them):"
        return [head, *(f"  {_printable(line)}" for line in lines)]


def _withheld(d: Diagnostic) -> tuple[str, int, int, str, str]:
    assert d.fix is not None
    return (d.file, d.line, d.column, d.code, d.fix.withheld)
