"""Baselines: record today's findings, then report only new ones.

A finding is keyed by file, code, JSON pointer and its anchor (the normalised script line
or value), never by line number, so a baseline survives edits above the finding. Keys are
counted: two identical findings in the baseline hide at most two.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import Counter
from dataclasses import replace
from pathlib import Path

from aiblint import __version__
from aiblint.context import FileResult
from aiblint.diagnostics import Diagnostic


class BaselineError(Exception):
    pass


def normalise(text: str) -> str:
    return " ".join(text.split())


def stable_pointer(pointer: str) -> str:
    """A script line's pointer without its index: inserting a line above must not change it."""
    return re.sub(r"(/inline)/\d+$", r"\1", pointer)


def key(diagnostic: Diagnostic) -> tuple[str, str, str, str]:
    file = Path(diagnostic.file).as_posix()
    return (file, diagnostic.code, stable_pointer(diagnostic.pointer), normalise(diagnostic.anchor))


def write(path: Path, results: list[FileResult]) -> None:
    entries = [
        {"file": k[0], "code": k[1], "pointer": k[2], "anchor": k[3]}
        for k in sorted(key(d) for r in results for d in r.diagnostics)
    ]
    data = {"aiblint_baseline": 1, "version": __version__, "findings": entries}
    try:
        with path.open("w", encoding="utf-8") as handle:  # the error of a full disk comes at close
            handle.write(json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise BaselineError(f"--write-baseline: {path}: {exc.strerror or exc}") from None


MAX_BASELINE_BYTES = 64 * 1024 * 1024


def _read(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the run
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise BaselineError(f"--baseline: {path}: not a regular file")
            data = handle.read(MAX_BASELINE_BYTES + 1)
    except OSError as exc:
        raise BaselineError(f"--baseline: {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_BASELINE_BYTES:
        raise BaselineError(f"--baseline: {path}: larger than {MAX_BASELINE_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BaselineError(f"--baseline: {path}: not a baseline file (not UTF-8: invalid byte at offset {exc.start})") from None


def load(path: Path) -> Counter[tuple[str, str, str, str]]:
    text = _read(path)
    try:
        data = json.loads(text)
    except RecursionError:
        raise BaselineError(f"--baseline: {path}: not a baseline file (nested too deeply)") from None
    except ValueError as exc:
        raise BaselineError(f"--baseline: {path}: not a baseline file ({exc})") from None
    if not isinstance(data, dict) or data.get("aiblint_baseline") != 1 or not isinstance(data.get("findings"), list):
        raise BaselineError(f"--baseline: {path}: not an aiblint baseline file")
    known: Counter[tuple[str, str, str, str]] = Counter()
    for entry in data["findings"]:
        if isinstance(entry, dict):
            known[(str(entry.get("file")), str(entry.get("code")), str(entry.get("pointer")), str(entry.get("anchor")))] += 1
    return known


def filter_known(path: Path, results: list[FileResult]) -> list[FileResult]:
    known = load(path)
    filtered = []
    for result in results:
        kept = []
        for diagnostic in result.diagnostics:
            k = key(diagnostic)
            if known[k] > 0:
                known[k] -= 1
            else:
                kept.append(diagnostic)
        filtered.append(replace(result, diagnostics=kept))  # notes and internal errors are kept
    return filtered
