"""Scripts built to make the analysis quadratic stay within the budgets (issue 14, item 9).

Every input under 1 MB must lint in under 2 s and 300 MB. Each attack is built here, written
beside nothing else, and linted through the CLI in a fresh process after a warm-up lint of a
small template (so the grammars' loading is not counted). The child reports the lint's CPU
time and its peak resident memory (VmHWM); the test bounds both, and checks that the script
was analysed (a finding after the attack is still reported), not skipped.

Time: the bound is 2 s of CPU time times SLACK (default 3, env AIBLINT_TIME_SLACK), because CI
machines are shared and slower than a laptop; CPU time, not wall time, so the load of other
jobs on the machine does not count. Memory is not scaled. A child that runs past 60 s is killed.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 2.0
SLACK = float(os.environ.get("AIBLINT_TIME_SLACK", "3"))
PEAK_MB = 300
SIZE_LIMIT = 1_000_000  # the budget is stated for inputs under 1 MB

_CHILD = r"""
import contextlib, io, json, sys, time
from aiblint.cli import main
attack, warm = sys.argv[1], sys.argv[2]
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main([warm, "--format", "json", "--no-check-urls"])
out, err = io.StringIO(), io.StringIO()
cpu, wall = time.process_time(), time.perf_counter()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = main([attack, "--format", "json", "--no-check-urls"])
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
found = [(d["code"], d["line"], d["message"]) for d in json.loads(out.getvalue())["diagnostics"]]
print(json.dumps({"cpu": cpu, "wall": wall, "peak_mb": peak, "exit": code, "found": found, "stderr": err.getvalue()}))
"""


def _linux() -> dict:
    return json.loads((ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8"))


def _windows() -> dict:
    return json.loads((ROOT / "examples" / "windows-good.json").read_text(encoding="utf-8"))


def _with_inline(template: dict, lines: list[str]) -> dict:
    template = copy.deepcopy(template)
    template["properties"]["customize"][0]["inline"] = lines
    return template


def _deployment(resource: dict) -> dict:
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"p": {"type": "string", "defaultValue": "jq"}},
        "resources": [resource],
    }


def _lint(tmp_path: Path, template: dict) -> dict:
    attack = tmp_path / "attack.json"
    attack.write_text(json.dumps(template), encoding="utf-8")
    assert attack.stat().st_size < SIZE_LIMIT, "the budget is for inputs under 1 MB: shrink the attack"
    warm = tmp_path / "warm.json"
    warm.write_text(json.dumps(_linux()), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(attack), str(warm)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    # shown with `pytest -s`: the figures the README and the session note quote
    print(
        f"{attack.stat().st_size / 1e6:.2f} MB: {result['cpu']:.2f} s CPU, {result['wall']:.2f} s wall, {result['peak_mb']:.0f} MB peak"
    )
    assert result["exit"] in (0, 1), result["stderr"]
    assert "internal error" not in result["stderr"] and "nested too deeply" not in result["stderr"], result["stderr"]
    assert result["cpu"] < SECONDS * SLACK, f"{result['cpu']:.2f} s of CPU (wall {result['wall']:.2f} s)"
    assert result["peak_mb"] < PEAK_MB, f"{result['peak_mb']:.0f} MB at peak"
    return result


def _codes(result: dict) -> set[str]:
    return {code for code, _, _ in result["found"]}


def test_nul_characters_in_a_shell_script(tmp_path):
    # NUL made tree-sitter-bash's parse quadratic; it is mapped before the parse.
    result = _lint(tmp_path, _with_inline(_linux(), ["echo " + "a\x00" * 50_000, "apt-get install jq"]))
    assert "AIB401" in _codes(result)  # the line after the attack is still analysed


def test_20000_here_documents_on_one_line(tmp_path):
    lines = ["cat " + "<<A " * 20_000, *(["A"] * 20_000), "apt-get install jq"]
    result = _lint(tmp_path, _with_inline(_linux(), lines))
    assert "AIB401" in _codes(result)


def test_sudo_repeated_100000_times(tmp_path):
    result = _lint(tmp_path, _with_inline(_linux(), ["sudo " * 100_000 + "apt-get install jq"]))
    assert "AIB401" in _codes(result)  # seen through every sudo


def test_50000_comment_lines(tmp_path):
    result = _lint(tmp_path, _with_inline(_linux(), ["# a comment"] * 50_000 + ["apt-get install jq"]))
    assert "AIB401" in _codes(result)


def test_50000_comment_lines_with_a_directive_still_suppress(tmp_path):
    # Only directive comments are turned into suppressions; the others cost nothing, and a
    # directive among 50,000 comments still works.
    lines = ["# a comment"] * 50_000 + ["apt-get install jq # aiblint: disable=AIB401"]
    result = _lint(tmp_path, _with_inline(_linux(), lines))
    assert "AIB401" not in _codes(result) and "AIB090" not in _codes(result)


def test_10000_powershell_splats(tmp_path):
    lines = ["$a = @{ Name = 'x' }", *(["Invoke-Thing @a"] * 10_000), "Start-Process -FilePath C:\\temp\\setup.exe -Wait"]
    result = _lint(tmp_path, _with_inline(_windows(), lines))
    assert "AIB502" in _codes(result)  # the installer run with no arguments, after the splats


def test_12000_arm_expressions_in_one_file(tmp_path):
    # A deployment template: every script line is an expression the deployment evaluates.
    lines = [f"[concat('echo ', parameters('p'), '{i}')]" for i in range(12_000)]
    lines.append("[concat('apt-get install ', parameters('p'))]")
    result = _lint(tmp_path, _deployment(_with_inline(_linux(), lines)))
    assert "AIB401" in _codes(result)  # evaluated: `apt-get install jq`


def test_12000_arm_expression_tags(tmp_path):
    resource = _linux()
    resource["tags"] = {f"t{i}": f"[concat('team-', parameters('p'), '-{i}')]" for i in range(12_000)}
    resource = _with_inline(resource, ["apt-get install jq"])
    assert "AIB401" in _codes(_lint(tmp_path, _deployment(resource)))


@pytest.mark.parametrize("commands", [400, 5_000])
def test_flat_and_chain_is_analysed_not_too_deep(tmp_path, commands):
    chain = " && ".join(["echo a"] * (commands - 1) + ["apt-get install jq"])
    result = _lint(tmp_path, _with_inline(_linux(), [chain]))
    assert "AIB401" in _codes(result)  # the last command of the chain
    assert not any("nested" in message for _, _, message in result["found"])


@pytest.mark.parametrize("configured", [True, False])
def test_6000_customizers_share_package_config_in_linear_time(tmp_path, configured):
    # AIB401/AIB402 read the apt/yum configuration earlier customizers wrote. Each script used to
    # rescan every earlier one: quadratic, 2.5 s of CPU for 3,000 customizers and about 8 s for
    # 6,000 (over the bound even with SLACK); the facts are now folded once each (0.7 s, 1.4 s).
    write = "echo 'APT::Get::Assume-Yes \"true\";' | sudo tee /etc/apt/apt.conf.d/90assumeyes"
    customize = [{"type": "Shell", "name": "conf", "inline": [write if configured else "echo conf"]}]
    customize += [{"type": "Shell", "name": f"s{i}", "inline": [f"echo {i}"]} for i in range(5_998)]
    customize.append({"type": "Shell", "name": "last", "inline": ["sudo apt-get install jq"]})
    template = _linux()
    template["properties"]["customize"] = customize
    result = _lint(tmp_path, template)  # within SECONDS x SLACK
    # the first customizer's apt.conf snippet still answers the last one's prompt
    assert ("AIB401" in _codes(result)) is not configured
