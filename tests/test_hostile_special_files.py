"""Special files never hang, exhaust or end a run (issue 14, item 6).

A symlink to /dev/zero or /dev/urandom, a FIFO, a symlink loop, a dangling symlink, a file
failing with EIO, a folder tree 1,100 levels deep: in folder mode each is passed over with
one note and the good template beside it is still linted; named on the command line each is
a one-line error (exit 2). Runs are child processes with a time limit, so a hang fails the
test instead of freezing the suite.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiblint import safe_read

ROOT = Path(__file__).resolve().parent.parent
GOOD = (ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8")
posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, /dev/zero and symlinks as on Linux and macOS")


def _run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "aiblint", "--format", "json", *args],
        capture_output=True,
        input=stdin,
        timeout=60,
        cwd=cwd or ROOT,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), stderr)


def _specials(folder: Path) -> dict[str, str]:
    """Name -> the words its note must contain."""
    (folder / "zero.json").symlink_to("/dev/zero")
    (folder / "random.json").symlink_to("/dev/urandom")
    os.mkfifo(folder / "fifo.json")
    (folder / "loop.json").symlink_to(folder / "loop.json")
    (folder / "dangling.json").symlink_to(folder / "nothing-here.json")
    return {
        "zero.json": "not a regular file (a device)",
        "random.json": "not a regular file (a device)",
        "fifo.json": "not a regular file (a FIFO)",
        "loop.json": "symbolic link loop",
        "dangling.json": "dangling symbolic link",
    }


@posix_only
def test_folder_mode_notes_each_special_file_and_lints_the_good_one(tmp_path):
    expected = _specials(tmp_path)
    (tmp_path / "good.json").write_text(GOOD, encoding="utf-8")
    result = _run(str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert {Path(d["file"]).name for d in json.loads(result.stdout)["diagnostics"]} == {"good.json"}
    notes = result.stderr.strip().splitlines()
    assert len(notes) == len(expected)
    for name, words in expected.items():
        assert any(name in line and words in line and line.startswith("aiblint: note:") for line in notes), (name, notes)


@posix_only
@pytest.mark.parametrize("name", ["zero.json", "random.json", "fifo.json", "loop.json", "dangling.json"])
def test_named_special_file_is_a_one_line_error(tmp_path, name):
    words = _specials(tmp_path)[name]
    result = _run(str(tmp_path / name))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and words in result.stderr and result.stderr.startswith("aiblint: error:")


@posix_only
def test_named_special_file_does_not_cost_the_other_files(tmp_path):
    _specials(tmp_path)
    (tmp_path / "good.json").write_text(GOOD, encoding="utf-8")
    result = _run(str(tmp_path / "fifo.json"), str(tmp_path / "good.json"))
    assert result.returncode == 2
    assert {Path(d["file"]).name for d in json.loads(result.stdout)["diagnostics"]} == {"good.json"}


def test_folder_tree_1100_levels_deep(tmp_path):
    folder = tmp_path
    for _ in range(1100):  # one mkdir at a time: os.makedirs itself recurses
        folder = folder / "d"
        folder.mkdir()
    (folder / "deep.json").write_text(GOOD, encoding="utf-8")
    (tmp_path / "top.json").write_text(GOOD, encoding="utf-8")
    try:
        result = _run(".", cwd=tmp_path)
    finally:  # removed bottom-up here: pytest's later clean-up (shutil.rmtree) recurses past the limit
        (folder / "deep.json").unlink()
        while folder != tmp_path:
            folder.rmdir()
            folder = folder.parent
    assert result.returncode in (0, 2)
    files = {Path(d["file"]).name for d in json.loads(result.stdout)["diagnostics"]}
    assert "top.json" in files
    # deep.json's path is 2,200 characters: linted where the system allows it, else one note
    assert "deep.json" in files or ("deep.json" in result.stderr and result.stderr.count("\n") == 1)


def test_stdin_over_the_limit_is_too_large_not_cut():
    with pytest.raises(safe_read.ReadError, match="too large"):
        safe_read.read_stream_limited(io.BytesIO(b"{" * 1001), limit=1000)
    assert safe_read.read_stream_limited(io.BytesIO(b"{}"), limit=1000) == b"{}"


def test_stdin_over_the_limit_through_the_cli(monkeypatch, capsys):
    from aiblint.cli import main

    monkeypatch.setattr(safe_read, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD.encode() * 10)))
    assert main(["-", "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert "too large" in err and "AIB001" not in out


def test_file_growing_past_the_limit_while_read(tmp_path, monkeypatch):
    path = tmp_path / "t.json"
    path.write_text(GOOD, encoding="utf-8")
    real_fstat = os.fstat

    def lying_fstat(fd):  # st_size says small (procfs, FUSE, a file still growing)
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    monkeypatch.setattr(os, "fstat", lying_fstat)
    with pytest.raises(safe_read.ReadError, match="too large"):
        safe_read.read_limited(path, limit=100)


def test_eio_in_folder_mode_is_a_note(tmp_path, monkeypatch, capsys):
    from aiblint.cli import main

    (tmp_path / "bad.json").write_text(GOOD, encoding="utf-8")
    (tmp_path / "good.json").write_text(GOOD, encoding="utf-8")
    real_read = safe_read._read_fd

    def failing(fd, limit):
        if os.readlink(f"/proc/self/fd/{fd}").endswith("bad.json"):
            raise OSError(errno.EIO, "Input/output error")
        return real_read(fd, limit)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell the files apart")
    monkeypatch.setattr(safe_read, "_read_fd", failing)
    assert main([str(tmp_path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert {Path(d["file"]).name for d in json.loads(out)["diagnostics"]} == {"good.json"}
    assert "bad.json: Input/output error" in err and err.count("\n") == 1


@posix_only
def test_baseline_that_is_a_fifo_is_a_clean_error(tmp_path):
    os.mkfifo(tmp_path / "baseline.json")
    (tmp_path / "good.json").write_text(GOOD, encoding="utf-8")
    result = _run(str(tmp_path / "good.json"), "--baseline", str(tmp_path / "baseline.json"))
    assert result.returncode == 2 and "not a regular file" in result.stderr and result.stderr.count("\n") == 1


def test_folder_mode_lints_image_templates_only(tmp_path):
    """Issue 19, item 2: a repository's other JSON files never fail `aiblint .`."""
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"strict": true,},}', encoding="utf-8")
    (tmp_path / "jsconfig.json").write_text('{"compilerOptions": {"checkJs": true,}, // comment\n}', encoding="utf-8")
    (tmp_path / ".devcontainer").mkdir()
    (tmp_path / ".devcontainer" / "devcontainer.json").write_text('{"name": "x",}', encoding="utf-8")
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2,}', encoding="utf-8")
    (tmp_path / "data.json").write_text('{"broken": ', encoding="utf-8")
    (tmp_path / "image.json").write_text(GOOD, encoding="utf-8")
    result = _run("--fail-on", "info", "--ignore", "AIB101", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["diagnostics"] == [] and result.stderr == ""
    # a broken file that looks like a template is still reported in folder mode
    (tmp_path / "broken-template.json").write_text('{"type": "Microsoft.VirtualMachineImages/imageTemplates", ', encoding="utf-8")
    codes = [d["code"] for d in json.loads(_run(".", cwd=tmp_path).stdout)["diagnostics"]]
    assert "AIB001" in codes
    # named explicitly, a file keeps today's behaviour
    codes = [d["code"] for d in json.loads(_run("tsconfig.json", cwd=tmp_path).stdout)["diagnostics"]]
    assert "AIB004" in codes or "AIB002" in codes


def test_prefilter_decides_from_the_bytes():
    from aiblint.prefilter import might_hold_template

    assert might_hold_template(b'{"type": "Microsoft.VirtualMachineImages/imageTemplates"}')
    assert might_hold_template(b'{"Properties": {"Customize": []}}')
    assert might_hold_template(GOOD.encode("utf-16"))
    assert not might_hold_template(b'{"name": "x", "lockfileVersion": 3, "packages": {"": {"source": 1}}}')
    assert not might_hold_template(b'{"compilerOptions": {"strict": true,},}')
