"""Compact cases for script rules: a few script lines and the findings they must give.

A ``fixtures/<CODE>/*.cases`` file holds any number of cases::

    == AIB430: an hour's sleep
    sleep 3600
    -> AIB430 1:1

    == AIB430 near miss: short pauses and a quoted word
    sleep 30
    echo "sleep 3600"
    -> nothing

A case starts at ``== CODE[ near miss]: what it shows``; the lines up to ``->`` are the
script (a Shell script, or PowerShell when CODE's rule is a PowerShell rule or the header
says ``(PowerShell)``); each ``-> CODE line:column, ...`` line lists findings expected at
script positions (1-based, in the script line as written, before JSON escaping);
``-> nothing`` expects none. The findings compared are every finding that points into the
script; the template around it is examples/ubuntu-good.json or examples/windows-good.json,
whose own script the case replaces. Lines starting with ``#`` outside a script are comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_HEADER = re.compile(r"^== (AIB\d{3})( near miss)?(?: \((PowerShell|Shell)\))?: (.+)$")
_EXPECTED = re.compile(r"^(AIB\d{3}|SC\d+) (\d+):(\d+)$")


@dataclass
class Case:
    path: Path
    line: int  # of the header, for messages
    code: str
    near_miss: bool
    title: str
    language: str  # "shell" | "powershell"
    script: list[str] = field(default_factory=list)
    expected: set[tuple[str, int, int]] = field(default_factory=set)

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


def _language(code: str, written: str | None) -> str:
    if written:
        return written.lower()
    from aiblint.rules import load_all

    info = load_all().get(code)
    return "powershell" if info is not None and info.scope == "powershell" else "shell"


def parse_cases(path: Path) -> list[Case]:
    cases: list[Case] = []
    current: Case | None = None
    in_script = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            code, near, language, title = header.groups()
            current = Case(path, number, code, bool(near), title, _language(code, language))
            cases.append(current)
            in_script = True
        elif current is not None and line.startswith("->"):
            in_script = False
            body = line[2:].strip()
            if body != "nothing":
                for item in body.split(","):
                    match = _EXPECTED.match(item.strip())
                    if match is None:
                        raise ValueError(f"{path}:{number}: expected `-> CODE line:column, ...` or `-> nothing`")
                    current.expected.add((match.group(1), int(match.group(2)), int(match.group(3))))
        elif current is not None and in_script:
            current.script.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"{path}:{number}: outside a case (a case starts with `== CODE: title`)")
    return cases


def case_files() -> list[Path]:
    return sorted((ROOT / "fixtures").rglob("*.cases"))


def template_text(case: Case) -> tuple[str, int]:
    """The base template with the case's script, and the 1-based file line of its first line."""
    windows = case.language == "powershell"
    base = json.loads((ROOT / "examples" / ("windows-good.json" if windows else "ubuntu-good.json")).read_text(encoding="utf-8"))
    kind = "powershell" if windows else "shell"
    step = next(s for s in base["properties"]["customize"] if s["type"].lower() == kind)
    step["inline"] = case.script
    text = json.dumps(base, indent=2)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip() == '"inline": [') + 2
    return text, first


def script_position(text_line: str, column: int) -> int:
    """The column in the script line of file column ``column`` (1-based) of a JSON string line."""
    opening = text_line.index('"') + 1
    prefix = text_line[opening : column - 1]
    return len(json.loads(f'"{prefix}"')) + 1


def run_case(case: Case) -> set[tuple[str, int, int]]:
    """The findings (code, script line, script column) that point into the case's script."""
    from aiblint.config import ConfigCache
    from aiblint.lint import LintOptions, lint_text

    text, first = template_text(case)
    lines = text.splitlines()
    config = ConfigCache().for_path(case.path)  # fixtures/.aiblint.toml: opt-in rules on
    result = lint_text(text, "case.json", config, None, LintOptions())
    found = set()
    for diagnostic in result.diagnostics:
        index = diagnostic.line - first
        if 0 <= index < len(case.script):
            found.add((diagnostic.code, index + 1, script_position(lines[diagnostic.line - 1], diagnostic.column)))
    return found
