"""Issue 14 item 13 (config, baseline and output parts): a bad config file or baseline, or
a report that cannot be written, is one line naming the file (and the key), exit 2, never
an "internal error"; the other files' findings are never lost to a file name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copy(ROOT / "examples" / "ubuntu-good.json", tmp_path / "t.json")
    return tmp_path


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiblint", *args], capture_output=True, text=True, cwd=cwd, timeout=60, errors="replace"
    )


def _one_error_line(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("aiblint: error: "), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


CONFIGS = {
    "tool-int": (".aiblint.toml", b"tool = 5\n", ("tool", "expected a table")),
    "tool-aiblint-int": (".aiblint.toml", b"[tool]\naiblint = 5\n", ("tool.aiblint", "expected a table")),
    "pyproject-tool-aiblint-str": ("pyproject.toml", b'[tool]\naiblint = "x"  # [tool.aiblint\n', ("tool.aiblint",)),
    "invalid-utf8": (".aiblint.toml", b'select = ["\xff"]\n', ("not UTF-8", "offset 11")),
    "utf16": (".aiblint.toml", '\ufeffselect = ["AIB4"]\n'.encode("utf-16-le"), ("UTF-16",)),
    "deep-arrays": (".aiblint.toml", b"a = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", ("nested too deeply",)),
    "deep-tables": (".aiblint.toml", b"a = " + b"{b=" * 5_000 + b"1" + b"}" * 5_000 + b"\n", ("invalid TOML",)),
    "nul-in-script-roots": (
        ".aiblint.toml",
        b'[script-roots]\n"https://x/" = "a\\u0000b"\n',
        ("script-roots.https://x/", "NUL"),
    ),
    "bad-key-type": (".aiblint.toml", b"fail-on = 5\n", ("fail-on",)),
    "not-bool": (".aiblint.toml", b'check-urls = "yes"\n', ("check-urls", "true or false")),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_bad_config_is_one_line_naming_file_and_key(repo, name):
    file, content, expected = CONFIGS[name]
    (repo / file).write_bytes(content)
    _one_error_line(_cli(repo, "t.json"), file, *expected)
    _one_error_line(_cli(repo, "--config", file, "t.json"), file, *expected)


def test_write_baseline_failures(repo):
    (repo / "folder").mkdir()
    _one_error_line(_cli(repo, "--write-baseline", "folder", "t.json"), "--write-baseline: folder")
    _one_error_line(_cli(repo, "--write-baseline", "missing/b.json", "t.json"), "--write-baseline: missing/b.json")
    if Path("/dev/full").exists():
        _one_error_line(_cli(repo, "--write-baseline", "/dev/full", "t.json"), "--write-baseline: /dev/full")


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000, b"\xff\xfe", b"5", b'{"aiblint_baseline": 1}'],
)
def test_bad_baselines(repo, content):
    (repo / "b.json").write_bytes(content)
    _one_error_line(_cli(repo, "--baseline", "b.json", "t.json"), "--baseline: b.json")


def test_baseline_that_is_a_fifo_or_a_folder(repo):
    os.mkfifo(repo / "fifo")
    _one_error_line(_cli(repo, "--baseline", "fifo", "t.json"), "not a regular file")
    _one_error_line(_cli(repo, "--baseline", ".", "t.json"), "--baseline: .")


def test_output_failures(repo):
    (repo / "folder").mkdir()
    _one_error_line(_cli(repo, "--output", "folder", "t.json"), "--output: folder")
    _one_error_line(_cli(repo, "--output", "missing/x", "t.json"), "--output: missing/x")
    if Path("/dev/full").exists():
        _one_error_line(_cli(repo, "--output", "/dev/full", "t.json"), "--output: /dev/full")


def test_a_baseline_round_trip_with_a_non_utf8_file_name(repo):
    name = os.fsencode(repo) + b"/bad\xff name.json"
    with open(name, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"type": "Microsoft.VirtualMachineImages/imageTemplates", "properties": {}}))
    first = _cli(repo, "--write-baseline", "b.json", ".")
    assert first.returncode == 1, first.stderr
    second = _cli(repo, "--baseline", "b.json", ".")
    assert second.returncode == 0, second.stdout + second.stderr
