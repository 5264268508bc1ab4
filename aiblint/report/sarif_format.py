"""``--format sarif``: SARIF 2.1.0, one run, for GitHub code scanning and friends."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from aiblint import __version__
from aiblint.context import FileResult
from aiblint.diagnostics import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFORMATION_URI = "https://pypi.org/project/aiblint/"


def _uri(file: str, cwd: Path) -> tuple[str, bool]:
    """(uri, relative to %SRCROOT%)."""
    path = Path(file)
    try:
        relative = os.path.relpath(path.resolve(), cwd.resolve()) if path.is_absolute() else os.path.normpath(file)
    except ValueError:
        relative = None
    if relative is not None and not relative.startswith(".."):
        return Path(relative).as_posix(), True
    return path.resolve().as_uri(), False


def fingerprint(file: str, code: str, pointer: str, anchor: str) -> str:
    """Survives edits elsewhere in the file: no line numbers in it."""
    from aiblint.baseline import stable_pointer

    key = "\0".join((Path(file).as_posix(), code, stable_pointer(pointer), " ".join(anchor.split())))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _rule_entry(code: str) -> dict[str, Any]:
    from aiblint.catalog import page, section
    from aiblint.registry import RULES

    info = RULES.get(code)
    text = page(code) or ""
    entry: dict[str, Any] = {
        "id": code,
        "name": "".join(word.capitalize() for word in (info.title if info else code).replace("/", " ").split() if word.isalnum())[
            :64
        ]
        or code,
        "shortDescription": {"text": info.title if info else code},
        "fullDescription": {"text": section(text, "What it detects") or (info.title if info else code)},
        "help": {"text": text or code, "markdown": text or code},
        "defaultConfiguration": {"level": _LEVEL[info.severity] if info else "warning"},
    }
    if code.startswith("SC"):
        entry["helpUri"] = f"https://www.shellcheck.net/wiki/{code}"
    return entry


def _related(index: int, item: tuple[str, int, int, str], cwd: Path) -> dict[str, Any]:
    file, line, column, what = item
    uri, relative = _uri(file, cwd)
    location: dict[str, Any] = {"uri": uri}
    if relative:
        location["uriBaseId"] = "%SRCROOT%"
    region = {"startLine": line, "startColumn": column}
    return {"id": index, "message": {"text": what}, "physicalLocation": {"artifactLocation": location, "region": region}}


def render(results: list[FileResult], *, cwd: Path | None = None, **_: object) -> str:
    cwd = cwd or Path.cwd()
    codes = sorted({d.code for r in results for d in r.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    sarif_results = []
    for result in results:
        for d in result.diagnostics:
            uri, relative = _uri(d.file, cwd)
            location: dict[str, Any] = {"uri": uri}
            if relative:
                location["uriBaseId"] = "%SRCROOT%"
            entry: dict[str, Any] = {}
            if d.related:  # e.g. the loadTextContent call that loaded the script
                entry["relatedLocations"] = [_related(i, item, cwd) for i, item in enumerate(d.related)]
            sarif_results.append(
                entry
                | {
                    "ruleId": d.code,
                    "ruleIndex": index[d.code],
                    "level": _LEVEL[d.severity],
                    "message": {"text": d.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": location,
                                "region": {
                                    "startLine": d.line,
                                    "startColumn": d.column,
                                    "endLine": d.end_line,
                                    "endColumn": max(d.end_column, d.column),
                                },
                            }
                        }
                    ],
                    "partialFingerprints": {"aiblint/v1": fingerprint(d.file, d.code, d.pointer, d.anchor)},
                }
            )
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aiblint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_entry(c) for c in codes],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": cwd.resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
