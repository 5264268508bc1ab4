"""Scripts outside the template (script-roots) and the optional ShellCheck pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aiblint.scripts import shellcheck

ROOT = Path(__file__).resolve().parent.parent
MAPPED = Path(__file__).resolve().parent / "mapped_repo"


def lint(*args: str, cwd: Path = MAPPED) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "aiblint", "--format", "json", "--ignore", "AIB101", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["diagnostics"]


def test_mapped_shell_script_findings_point_into_the_script_file():
    found = [(d["file"], d["line"], d["column"], d["code"]) for d in lint("linux.json")]
    assert ("scripts/setup.sh", 5, 6, "AIB401") in found
    assert not any(code == "AIB404" for *_, code in found)  # a scriptUri script runs under its own shebang
    assert all(f in ("scripts/setup.sh", "linux.json") for f, *_ in found)


def test_mapped_powershell_script():
    found = [(d["file"], d["line"], d["column"], d["code"]) for d in lint("windows.json")]
    assert ("scripts/setup.ps1", 2, 1, "AIB501") in found


def test_unmapped_urls_are_left_alone(tmp_path):
    template = json.loads((MAPPED / "linux.json").read_text())
    (tmp_path / "linux.json").write_text(json.dumps(template))
    assert not [d for d in lint("linux.json", cwd=tmp_path) if d["file"] != "linux.json"]


needs_shellcheck = pytest.mark.skipif(shellcheck.executable() is None, reason="shellcheck is not installed")


@needs_shellcheck
def test_shellcheck_findings_at_exact_json_positions(tmp_path):
    from tools.new_fixture import render

    (tmp_path / "t.json").write_text(render("shell", ["echo starting", "cd $HOME/build"]))
    found = {(d["code"], d["line"], d["column"]) for d in lint("--shellcheck", "t.json", cwd=tmp_path)}
    assert ("SC2164", 34, 12) in found and ("SC2086", 34, 15) in found
    ignored = {d["code"] for d in lint("--shellcheck", "--ignore", "SC2164", "t.json", cwd=tmp_path)}
    assert "SC2164" not in ignored and "SC2086" in ignored
    assert not {d["code"] for d in lint("--shellcheck", "--ignore", "SC", "t.json", cwd=tmp_path)} & {"SC2164", "SC2086"}


@needs_shellcheck
def test_shellcheck_directives_in_the_script_are_honoured(tmp_path):
    from tools.new_fixture import render

    (tmp_path / "t.json").write_text(render("shell", ["# shellcheck disable=SC2164", "cd /tmp"]))
    assert "SC2164" not in {d["code"] for d in lint("--shellcheck", "t.json", cwd=tmp_path)}


def test_missing_shellcheck_is_one_note(tmp_path, monkeypatch, capsys):
    from aiblint.cli import main
    from tools.new_fixture import render

    monkeypatch.setattr(shellcheck, "executable", lambda: None)
    (tmp_path / "t.json").write_text(render("shell", ["cd $HOME"]))
    assert main(["--shellcheck", "--ignore", "AIB101", str(tmp_path / "t.json")]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no shellcheck binary" in err
