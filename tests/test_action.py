"""Issue 19 item 9: the composite GitHub Action, tested by running its steps' commands in a
temporary repository exactly as the runner would (inputs through the environment)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def test_action_is_composite_and_pastes_no_input_into_a_script():
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), f"{step['name']}: an expression inside a script is an injection"
        assert step.get("shell") == "bash"
    install = ACTION["runs"]["steps"][0]
    assert install["env"]["AIBLINT_ACTION_PATH"] == "${{ github.action_path }}"


def _expand(value: str, inputs: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(ROOT)
        if expression.startswith("inputs."):
            return inputs[expression[len("inputs.") :]]
        raise AssertionError(f"unexpected expression {expression}")

    return _EXPRESSION.sub(one, value)


def _run_steps(
    repo: Path, runner_temp: Path, steps: list[dict], **given: str
) -> tuple[list[subprocess.CompletedProcess[str]], dict]:
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs.update(given)
    output_file = runner_temp / "github_output"
    output_file.write_text("", encoding="utf-8")
    done = []
    for step in steps:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIBLINT", "VIRTUAL_ENV"))}
        env.update({"RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output_file)})
        env.update({key: _expand(str(value), inputs) for key, value in step.get("env", {}).items()})
        result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
        done.append(result)
    outputs = dict(line.split("=", 1) for line in output_file.read_text(encoding="utf-8").splitlines() if "=" in line)
    return done, outputs


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The install step, run once: a fresh venv with aiblint from the action's checkout."""
    runner_temp = tmp_path_factory.mktemp("runner")
    (install,), _ = _run_steps(runner_temp, runner_temp, ACTION["runs"]["steps"][:1], python=sys.executable)
    assert install.returncode == 0, install.stderr
    assert install.stdout.strip().startswith("aiblint ")
    return runner_temp


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / "templates" / "with space").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(ROOT / "examples" / "ubuntu-hazards.json", repo / "templates" / "with space" / "hazards.json")
    shutil.copy(ROOT / "examples" / "ubuntu-good.json", repo / "templates" / "good.json")
    return repo


@pytest.mark.slow
def test_annotations_and_sarif_for_a_folder(installed, repo):
    (sarif, annotations), outputs = _run_steps(
        repo, installed, ACTION["runs"]["steps"][1:], paths="templates", args="--ignore AIB101 --fail-on error"
    )
    assert sarif.returncode == 0, sarif.stderr
    assert annotations.returncode == 1  # findings at or above --fail-on fail the step
    lines = annotations.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any("file=templates/with space/hazards.json" in line and "title=AIB401" in line for line in lines)
    document = json.loads((repo / outputs["sarif-file"]).read_text(encoding="utf-8"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"templates/with%20space/hazards.json"}


@pytest.mark.slow
def test_paths_one_per_line_keep_their_spaces_and_no_sarif_when_asked(installed, repo):
    (sarif, annotations), outputs = _run_steps(
        repo, installed, ACTION["runs"]["steps"][1:], paths="templates/good.json\ntemplates/with space/hazards.json\n"
    )
    assert sarif.returncode == 0, sarif.stderr
    assert annotations.returncode == 1 and "with space/hazards.json" in annotations.stdout
    (repo / "aiblint.sarif").unlink()
    (sarif, annotations), outputs = _run_steps(
        repo, installed, ACTION["runs"]["steps"][1:], paths="templates/good.json", args="--ignore AIB101", **{"sarif-file": ""}
    )
    assert outputs["sarif-file"] == "" and annotations.returncode == 0 and annotations.stdout == ""
    assert not (repo / "aiblint.sarif").exists()
