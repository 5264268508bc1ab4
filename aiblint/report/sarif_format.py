"""``--format sarif``: SARIF 2.1.0, one run, as GitHub code scanning ingests it.

- ``artifactLocation.uri`` is relative to the repository root (the folder holding
  ``.git`` above the current folder; the current folder when there is none), whatever
  folder aiblint runs from, percent-encoded (RFC 3986; a file name byte that is not UTF-8
  is encoded as that byte), with ``uriBaseId`` ``%SRCROOT%`` and ``originalUriBaseIds``;
  a file outside the root gets an absolute ``file:`` URI.
- ``partialFingerprints.primaryLocationLineHash`` (the key GitHub reads) hashes the rule,
  its JSON pointer and the normalised anchor line, never a line number, so alerts survive
  edits elsewhere in the file; equal hashes in one file are told apart by ``:N``.
- Rules carry ``properties.tags``, ``precision`` and, for the security-relevant rules,
  ``security-severity``; descriptions are cut to GitHub's 1,024 characters.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiblint import __version__
from aiblint.context import FileResult
from aiblint.diagnostics import Diagnostic, RelatedLocation, Severity
from aiblint.escape import json_document

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFORMATION_URI = "https://github.com/aiblint/aiblint"
HELP_URI = INFORMATION_URI + "/blob/main/rules/{code}.md"
MAX_DESCRIPTION = 1024  # GitHub code scanning's limit for shortDescription and fullDescription

# The rules whose findings are security weaknesses (GitHub's security-severity: 0-10,
# 9+ critical, 7+ high, 4+ medium): a literal secret, a download without a checksum, a
# firewall or remote-access change that can lock the machine open or shut.
SECURITY_SEVERITY = {
    "AIB030": "8.5",
    "AIB304": "5.5",
    "AIB410": "4.0",
    "AIB411": "4.0",
    "AIB510": "4.0",
    "AIB511": "4.0",
}
# How often a finding of the rule is a real problem (GitHub's precision property).
_PRECISION_MEDIUM = {"AIB026", "AIB027", "AIB200", "AIB201", "AIB202", "AIB203", "AIB204", "AIB307", "AIB403", "AIB431", "AIB531"}
_PRECISION_VERY_HIGH = {"AIB001", "AIB005", "AIB006", "AIB010", "AIB011", "AIB012", "AIB014", "AIB400", "AIB500"}
_FAMILY_TAG = {
    "AIB0": "structure",
    "AIB1": "identity",
    "AIB2": "build-time",
    "AIB3": "customizers",
    "AIB4": "shell",
    "AIB5": "powershell",
}


def source_root(cwd: Path) -> Path:
    """%SRCROOT%: the repository holding the current folder, else the current folder."""
    from aiblint.repo import repository_root

    folder = cwd.resolve()
    return repository_root(folder) or folder


def artifact_location(file: str, cwd: Path, root: Path) -> dict[str, str]:
    """The SARIF artifactLocation of a file name as aiblint shows it (relative to cwd)."""
    path = Path(os.path.abspath(cwd.resolve() / file))
    try:
        relative = path.relative_to(root)
    except ValueError:
        return {"uri": path.as_uri()}
    return {"uri": quote(os.fsencode(relative.as_posix()), safe="/"), "uriBaseId": "%SRCROOT%"}


def fingerprint(file: str, code: str, pointer: str, anchor: str) -> str:
    """Survives edits elsewhere in the file: no line numbers in it."""
    from aiblint.baseline import stable_pointer

    key = "\0".join((Path(file).as_posix(), code, stable_pointer(pointer), " ".join(anchor.split())))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _line_hash(code: str, pointer: str, anchor: str) -> str:
    from aiblint.baseline import stable_pointer

    key = "\0".join((code, stable_pointer(pointer), " ".join(anchor.split())))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _cut(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip() + "…"


def _rule_entry(code: str) -> dict[str, Any]:
    from aiblint.catalog import page, section
    from aiblint.registry import RULES

    info = RULES.get(code)
    title = info.title if info else code
    text = page(code) or ""
    tags = ["aiblint", _FAMILY_TAG.get(code[:4], "shellcheck" if code.startswith("SC") else "other")]
    if code in SECURITY_SEVERITY:
        tags.append("security")
    if code in _PRECISION_VERY_HIGH:
        precision = "very-high"
    elif code in _PRECISION_MEDIUM or code.startswith("SC"):
        precision = "medium"
    else:
        precision = "high"
    properties: dict[str, Any] = {"tags": tags, "precision": precision}
    if code in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[code]
    words = "".join(word.capitalize() for word in title.replace("/", " ").split() if word.isalnum())
    entry: dict[str, Any] = {
        "id": code,
        "name": words[:64] or code,
        "shortDescription": {"text": _cut(title)},
        "fullDescription": {"text": _cut(section(text, "What it detects") or title)},
        "help": {"text": text or code, "markdown": text or code},
        "defaultConfiguration": {"level": _LEVEL[info.severity] if info else "warning"},
        "helpUri": f"https://www.shellcheck.net/wiki/{code}" if code.startswith("SC") else HELP_URI.format(code=code),
        "properties": properties,
    }
    return entry


def _related(index: int, item: RelatedLocation, cwd: Path, root: Path) -> dict[str, Any]:
    file, line, column, end_line, end_column, what = item
    region = {"startLine": line, "startColumn": column}
    if (end_line, end_column) > (line, column):
        region |= {"endLine": end_line, "endColumn": end_column}
    location = artifact_location(file, cwd, root)
    return {"id": index, "message": {"text": what}, "physicalLocation": {"artifactLocation": location, "region": region}}


def _result(d: Diagnostic, rule_index: int, number: int, cwd: Path, root: Path) -> dict[str, Any]:
    """One SARIF result; ``number``: how many findings of this file had its line hash so far."""
    line_hash = _line_hash(d.code, d.pointer, d.anchor)
    entry: dict[str, Any] = {}
    if d.related:  # e.g. the loadTextContent call that loaded the script
        entry["relatedLocations"] = [_related(i, item, cwd, root) for i, item in enumerate(d.related_locations())]
    return entry | {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(d.file, cwd, root),
                    "region": {
                        "startLine": d.line,
                        "startColumn": d.column,
                        "endLine": max(d.end_line, d.line),
                        "endColumn": max(d.end_column, d.column) if d.end_line <= d.line else d.end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{line_hash}:{number}",
            "aiblint/v1": fingerprint(d.file, d.code, d.pointer, d.anchor),
        },
    }


_RESULTS = "\0results\0"  # where the results array goes in the dumped document


def chunks(results: list[FileResult], *, cwd: Path | None = None, **_: object) -> Iterator[str]:
    """The document in pieces, one per result: a run over many files never holds it whole.
    Joined, the pieces are ``json.dumps(document, indent=2)`` of the full document."""
    cwd = cwd or Path.cwd()
    root = source_root(cwd)
    codes = sorted({d.code for r in results for d in r.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
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
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": _RESULTS,
            }
        ],
    }
    head, tail = json.dumps(document, indent=2, ensure_ascii=False).split(json.dumps(_RESULTS), 1)
    yield json_document(head) + "["
    seen: Counter[tuple[str, str]] = Counter()
    first = True
    for result in results:
        for d in result.diagnostics:
            key = (d.file, _line_hash(d.code, d.pointer, d.anchor))
            seen[key] += 1
            item = json.dumps(_result(d, index[d.code], seen[key], cwd, root), indent=2, ensure_ascii=False)
            yield json_document((",\n        " if not first else "\n        ") + item.replace("\n", "\n        "))
            first = False
    yield ("]" if first else "\n      ]") + json_document(tail) + "\n"


def render(results: list[FileResult], *, cwd: Path | None = None, **_: object) -> str:
    return "".join(chunks(results, cwd=cwd))
