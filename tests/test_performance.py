"""Guards against slow paths coming back. The figures themselves come from benchmarks/run.py;
the bounds here are loose (a loaded CI machine must pass) but fail on anything quadratic."""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

import pytest

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_text

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.050  # issues 4 and 5: a 1000-line inline script, every rule, under 50 ms


def _shell_lines(count: int) -> list[str]:
    return [
        f"# step {i}" if i % 10 == 0 else f"sudo apt-get install -y pkg{i} && echo 'step {i}' | tee -a /tmp/log"
        for i in range(count)
    ]


def _powershell_lines(count: int) -> list[str]:
    return [f"# step {i}" if i % 10 == 0 else f"Install-Module Mod{i} -Force; Write-Host 'step {i}'" for i in range(count)]


def _document(language: str, lines: list[str]) -> str:
    if language == "shell":
        template = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8"))
        template["properties"]["customize"] = [{"type": "Shell", "name": "big", "inline": lines}]
    else:
        template = json.loads((ROOT / "examples" / "windows-good.json").read_text(encoding="utf-8"))
        template["properties"]["customize"][0]["inline"] = lines
    return json.dumps(template, indent=2)


def _median_seconds(text: str, runs: int = 5) -> float:
    # CPU time of this process, not wall time: other jobs on a shared CI machine must not
    # make a linear path look quadratic (wall-clock ratios reached 9x under load)
    config = Config()
    lint_text(text, "t.json", config, None, LintOptions())  # grammars and schema load once
    samples = []
    for _ in range(runs):
        gc.collect()  # a collection triggered by earlier garbage is not this lint's time
        start = time.process_time()
        lint_text(text, "t.json", config, None, LintOptions())
        samples.append(time.process_time() - start)
    return min(samples)


@pytest.mark.parametrize(("language", "lines"), [("shell", _shell_lines), ("powershell", _powershell_lines)])
def test_a_1000_line_script_is_analysed_quickly_and_linearly(language, lines):
    one = _median_seconds(_document(language, lines(1000)))
    four = _median_seconds(_document(language, lines(4000)))
    assert one < 4 * TARGET_SECONDS, f"{one * 1000:.0f} ms for 1000 lines (benchmark target: 50 ms)"
    # linear gives ~4x, quadratic 16x: 10x leaves room for the collector's generations
    assert four < 10 * one, f"4x the lines took {four / one:.1f}x the time: something grew faster than linearly"


def test_each_script_model_is_freed_after_its_rules(monkeypatch):
    # Template rules run after the script pass and read summaries, so a file's models are
    # never all in memory at once (a 55 MB template of commands: 3.0 GB before, 0.34 GB now).
    from aiblint.scripts import collect

    released: list[collect.Script] = []
    original = collect.Script.release_model

    def recording(script: collect.Script) -> None:
        released.append(script)
        original(script)
        assert "model" not in script.__dict__

    monkeypatch.setattr(collect.Script, "release_model", recording)
    text = (ROOT / "fixtures" / "AIB030" / "secrets.json").read_text(encoding="utf-8")
    template = json.loads(text)
    template["properties"]["customize"].append({"type": "Shell", "name": "wait", "inline": ["sleep 3000"]})
    result = lint_text(json.dumps(template, indent=2), "t.json", Config(), None, LintOptions())
    assert len(released) == 2
    codes = [d.code for d in result.diagnostics]
    assert codes.count("AIB030") == 3  # the two script secrets come from the summaries
    from aiblint.estimate import script_costs

    assert script_costs(released[1]) == [("sleeps", 50.0)]  # what the build estimate adds up
    assert "model" not in released[1].__dict__  # read from the kept script facts, not a re-parse
