"""Issue 14 item 5: no program from the linted repository ever runs.

A ``dash`` (and ``sh``, ``bash``, ``shellcheck``) planted in the tree, with PATH holding
``.`` and an empty entry (both mean the current folder), must not run; the same program
in an absolute PATH folder outside the tree does (which proves the check runs at all).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLANTED = "#!/bin/sh\necho ran > '{marker}'\nexit 0\n"


def _plant(folder: Path, marker: Path, names: tuple[str, ...] = ("dash", "sh", "bash", "shellcheck")) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        program = folder / name
        program.write_text(PLANTED.format(marker=marker), encoding="utf-8")
        program.chmod(0o755)


def _run(tree: Path, path_value: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path_value}
    return subprocess.run(
        [sys.executable, "-m", "aiblint", *extra, "t.json"], capture_output=True, text=True, cwd=tree, env=env, timeout=120
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    # AIB400's candidate that the system shell is asked to confirm (`sh -n`)
    shutil.copy(ROOT / "fixtures" / "AIB400" / "unclosed.json", repo / "t.json")
    return repo


def test_planted_dash_with_dot_and_empty_path_entries_never_runs(tree, tmp_path):
    marker = tmp_path / "marker"
    _plant(tree, marker)
    _plant(tree / "bin", marker)
    path_value = os.pathsep.join([".", "", str(tree / "bin"), "bin", *os.environ.get("PATH", "").split(os.pathsep)])
    result = _run(tree, path_value)
    assert result.returncode in (0, 1), result.stderr
    assert not marker.exists()
    result = _run(tree, path_value, "--shellcheck")
    assert result.returncode in (0, 1), result.stderr
    assert not marker.exists()


def test_a_symlink_out_of_the_tree_into_it_is_refused(tree, tmp_path):
    marker = tmp_path / "marker"
    _plant(tree / "tools", marker)
    outside = tmp_path / "outside-bin"
    outside.mkdir()
    for name in ("dash", "sh", "bash"):
        (outside / name).symlink_to(tree / "tools" / name)
    _run(tree, os.pathsep.join([str(outside), "/nonexistent"]))
    assert not marker.exists()


def test_the_same_program_outside_the_tree_does_run(tree, tmp_path):
    marker = tmp_path / "marker"
    _plant(tmp_path / "trusted-bin", marker, ("dash", "sh"))
    result = _run(tree, os.pathsep.join([str(tmp_path / "trusted-bin"), "/usr/bin", "/bin"]))
    assert result.returncode in (0, 1), result.stderr
    assert marker.exists()  # the syntax check did ask a shell: the guard is what kept the planted one out


def test_find_uses_only_absolute_entries_outside_the_trees(tree, tmp_path, monkeypatch):
    from aiblint import programs

    marker = tmp_path / "marker"
    _plant(tree, marker)
    monkeypatch.chdir(tree)
    monkeypatch.setattr(programs, "_linted_trees", [])
    monkeypatch.setattr(programs, "SYSTEM_FOLDERS", ())
    monkeypatch.setenv("PATH", os.pathsep.join([".", "", str(tree)]))
    assert programs.find("dash") is None
    _plant(tmp_path / "elsewhere", marker)
    monkeypatch.setenv("PATH", os.pathsep.join([".", str(tmp_path / "elsewhere")]))
    assert programs.find("dash") == str(tmp_path / "elsewhere" / "dash")
    programs.distrust_trees([str(tmp_path / "elsewhere")])
    assert programs.find("dash") is None


def test_shellcheck_is_run_with_norc(tree, monkeypatch):
    from aiblint.scripts import shellcheck

    calls: list[list[str]] = []

    def fake_run(argv, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(list(argv))
        return subprocess.CompletedProcess(argv, 0, b'{"comments": []}', b"")

    monkeypatch.setattr(subprocess, "run", fake_run)
    shellcheck.run("echo $x\n", "/usr/bin/shellcheck")
    assert calls and calls[0][:2] == ["/usr/bin/shellcheck", "--norc"] and "-x" not in calls[0]


@pytest.mark.skipif(
    shutil.which("shellcheck") is None and not (Path(sys.executable).parent / "shellcheck").is_file(), reason="no shellcheck"
)
def test_a_committed_shellcheckrc_cannot_disable_checks(tmp_path):
    from tools.new_fixture import render

    (tmp_path / ".git").mkdir()
    (tmp_path / ".shellcheckrc").write_text("disable=all\n", encoding="utf-8")
    (tmp_path / "t.json").write_text(render("shell", ["echo starting", "cd $HOME/build"]), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "aiblint", "--shellcheck", "--format", "json", "t.json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert '"SC2086"' in result.stdout, result.stdout + result.stderr
