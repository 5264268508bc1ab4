"""A finding in a script that a Bicep file loads (``loadTextContent``) names the load call as
its second location, in every output format: main.bicep:64:11 for bicep_linux's setup.sh."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "tests/frontends/bicep_linux/main.bicep"
SCRIPT = "tests/frontends/bicep_linux/scripts/setup.sh"
LOAD_LINE, LOAD_COLUMN = 64, 11  # loadTextContent('scripts/setup.sh') in main.bicep


def _run(fmt: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "aiblint", "--format", fmt, TEMPLATE], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert run.returncode == 1, run.stderr
    return run.stdout


def _names_the_load_call(value: Any) -> bool:
    """Somewhere in ``value`` (JSON) a location in main.bicep at line 64 (1-based) or 63 (0-based)."""
    if isinstance(value, dict):
        texts = [v for v in value.values() if isinstance(v, str)]
        numbers = [v for k, v in value.items() if "line" in k.lower() and isinstance(v, int)]
        if any(t.endswith("main.bicep") for t in texts) and any(n in (LOAD_LINE, LOAD_LINE - 1) for n in numbers):
            return True
        if any(re.search(rf"main\.bicep:{LOAD_LINE}:{LOAD_COLUMN}\b", t) for t in texts):
            return True
        nested_file = any(t.endswith("main.bicep") for t in texts)
        if nested_file and any(_has_line(v) for v in value.values() if isinstance(v, (dict, list))):
            return True
        return any(_names_the_load_call(v) for v in value.values())
    if isinstance(value, list):
        return any(_names_the_load_call(v) for v in value)
    return isinstance(value, str) and re.search(rf"main\.bicep:{LOAD_LINE}:{LOAD_COLUMN}\b", value) is not None


def _has_line(value: Any) -> bool:
    if isinstance(value, dict):
        if any("line" in k.lower() and v in (LOAD_LINE, LOAD_LINE - 1) for k, v in value.items()):
            return True
        return any(_has_line(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_line(v) for v in value)
    return False


def test_text() -> None:
    """On a terminal (the caret excerpts are shown), under the finding."""
    from aiblint.config import Config
    from aiblint.lint import LintOptions, lint_bytes
    from aiblint.report.text_format import render

    path = ROOT / TEMPLATE
    result = lint_bytes(path.read_bytes(), TEMPLATE, Config(), path, LintOptions())
    out = render([result], source=True)
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(SCRIPT))
    following = [line for line in lines[first + 1 :] if not line.startswith("tests/")][:6]
    assert f"  = the script is loaded here: {TEMPLATE}:{LOAD_LINE}:{LOAD_COLUMN}" in following


def test_sarif() -> None:
    log = json.loads(_run("sarif"))
    results = [r for r in log["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == SCRIPT]
    assert results
    related = results[0]["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == TEMPLATE
    assert (related["region"]["startLine"], related["region"]["startColumn"]) == (LOAD_LINE, LOAD_COLUMN)


def test_lsp_format() -> None:
    published = json.loads(_run("lsp"))
    items = next(v for k, v in published.items() if k.endswith("scripts/setup.sh"))
    related = items[0]["relatedInformation"][0]["location"]
    assert related["uri"].endswith("bicep_linux/main.bicep")
    assert (related["range"]["start"]["line"], related["range"]["start"]["character"]) == (LOAD_LINE - 1, LOAD_COLUMN - 1)


def test_json() -> None:
    report = json.loads(_run("json"))
    diagnostics = report["diagnostics"] if isinstance(report, dict) and "diagnostics" in report else report
    found = [d for d in _dicts(diagnostics) if d.get("file") == SCRIPT]
    assert found and all(_names_the_load_call({k: v for k, v in d.items() if k != "file"}) for d in found)


def _dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value, *(d for v in value.values() for d in _dicts(v))]
    if isinstance(value, list):
        return [d for v in value for d in _dicts(v)]
    return []


def _annotation_names_the_load_call(lines: list[str], script_marker: str, template_marker: str) -> bool:
    """The script's annotation quotes main.bicep:64:11, or a second annotation sits at the call."""
    for line in lines:
        if script_marker in line and f"main.bicep:{LOAD_LINE}:{LOAD_COLUMN}" in line:
            return True
        if template_marker in line:
            return True
    return False


def test_github() -> None:
    lines = _run("github").splitlines()
    assert any(SCRIPT in line for line in lines)
    assert _annotation_names_the_load_call(lines, f"file={SCRIPT}", f"file={TEMPLATE},line={LOAD_LINE},col={LOAD_COLUMN}")


def test_azure() -> None:
    lines = _run("azure").splitlines()
    assert any(SCRIPT in line for line in lines)
    template_marker = f"sourcepath={TEMPLATE};linenumber={LOAD_LINE};columnnumber={LOAD_COLUMN}"
    assert _annotation_names_the_load_call(lines, f"sourcepath={SCRIPT}", template_marker)


def test_junit() -> None:
    tree = ElementTree.fromstring(_run("junit"))
    cases = [c for c in tree.iter("testcase") if SCRIPT in (c.get("name") or "")]
    assert cases
    text = ElementTree.tostring(cases[0], encoding="unicode")
    assert f"{TEMPLATE}:{LOAD_LINE}:{LOAD_COLUMN}" in text
