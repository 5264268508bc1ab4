"""Issue 14 item 2: a scriptUri mapped through script-roots is read only when it resolves,
symlinks included, inside its mapped folder (and that folder inside the repository);
findings in a mapped script point into that script at its own line and column."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "https://raw.githubusercontent.com/o/r/main/"
SECRET_SCRIPT = "#!/bin/bash\nsudo apt-get install nginx\nDB_PASSWORD=OutsideSecret123\n"


def _template(uris: list[str]) -> str:
    template = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8"))
    template["properties"]["customize"] = [
        {"type": "Shell", "name": f"s{i}", "scriptUri": uri, "sha256Checksum": "ab" * 32} for i, uri in enumerate(uris)
    ]
    return json.dumps(template, indent=2)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "secret.sh").write_text(SECRET_SCRIPT, encoding="utf-8")  # outside the repository
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    (repo / ".git").mkdir()
    (repo / "private.sh").write_text(SECRET_SCRIPT, encoding="utf-8")  # in the repository, outside the mapped folder
    (repo / ".aiblint.toml").write_text(f'[script-roots]\n"{PREFIX}" = "scripts"\n', encoding="utf-8")
    (repo / "scripts" / "ok.sh").write_text(
        "#!/bin/bash\nset -e\n  sudo apt-get install nginx\nexport API_TOKEN=InsideSecret987\n", encoding="utf-8"
    )
    return repo


def _lint(repo: Path, uris: list[str]) -> tuple[list[dict], str]:
    (repo / "t.json").write_text(_template(uris), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "aiblint", "--format", "json", "--ignore", "AIB101", "t.json"],
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=60,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "OutsideSecret123" not in result.stdout + result.stderr
    return json.loads(result.stdout)["diagnostics"], result.stderr


ESCAPES = [
    "../secret.sh",
    "../../secret.sh",
    "../private.sh",
    "%2e%2e/private.sh",
    "%2E%2E%2F..%2Fsecret.sh",
    "nested/../../../secret.sh",
    "/" + "/".join(["..", "secret.sh"]),
    "//etc/passwd",
    "%2Fetc%2Fpasswd",
    "ok.sh%00.txt",
]


@pytest.mark.parametrize("rest", ESCAPES)
def test_traversal_and_absolute_remainders_are_refused(repo, rest):
    found, stderr = _lint(repo, [PREFIX + rest])
    assert all(d["file"] == "t.json" for d in found), found
    assert "script-roots:" in stderr and "not read" in stderr
    assert len([line for line in stderr.splitlines() if "script-roots" in line]) == 1


def test_a_symlink_inside_the_folder_to_outside_is_refused(repo):
    (repo / "scripts" / "link.sh").symlink_to(repo.parent / "secret.sh")
    (repo / "scripts" / "dirlink").symlink_to(repo.parent)
    found, stderr = _lint(repo, [PREFIX + "link.sh", PREFIX + "dirlink/secret.sh"])
    assert all(d["file"] == "t.json" for d in found)
    assert stderr.count("resolves outside its mapped folder") == 2


def test_a_fifo_in_the_folder_is_not_read(repo):
    os.mkfifo(repo / "scripts" / "pipe.sh")
    found, stderr = _lint(repo, [PREFIX + "pipe.sh"])
    assert "is not a regular file" in stderr and all(d["file"] == "t.json" for d in found)


def test_a_mapped_folder_outside_the_repository_is_refused(repo):
    (repo / ".aiblint.toml").write_text(f'[script-roots]\n"{PREFIX}" = ".."\n', encoding="utf-8")
    found, stderr = _lint(repo, [PREFIX + "secret.sh"])
    assert all(d["file"] == "t.json" for d in found)
    assert "lies outside the repository of its config file" in stderr


def test_findings_in_a_mapped_script_point_into_it(repo):
    found, stderr = _lint(repo, [PREFIX + "ok.sh", PREFIX + "sub/../ok.sh"])
    assert not stderr
    where = {(d["file"], d["line"], d["column"], d["code"]) for d in found if d["file"] != "t.json"}
    ok = str(Path("scripts") / "ok.sh")
    assert (ok, 3, 8, "AIB401") in where
    assert (ok, 4, 8, "AIB030") in where  # a secret found by a template-level rule, at its own position
    secret = next(d for d in found if d["code"] == "AIB030")
    text = (repo / "scripts" / "ok.sh").read_text(encoding="utf-8").splitlines()[secret["line"] - 1]
    assert text[secret["column"] - 1 :].startswith("API_TOKEN=")
