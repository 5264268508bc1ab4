"""`aiblint diagnose` is bounded for real (issue 14 items 10 and 14): only regular files or stdin are
read, a long line or a long log costs bounded memory, step state is bounded and linear, every
pattern is linear on hostile lines, and nothing from the log reaches the terminal raw."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiblint.diagnose import _ERRORISH, _candidate, diagnose, diagnose_bytes, diagnose_stream, reader, steps, unknown
from aiblint.diagnose import __name__ as _pkg  # noqa: F401  (the package under test)
from aiblint.diagnose.reader import InputError, printable
from aiblint.diagnose.signatures import load, prefilter
from tests.conftest import PEAK_MB_SOURCE

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "aiblint" / "data" / "signatures.json"


def run(*args: str, stdin=None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiblint", "diagnose", *args],
        capture_output=True,
        text=True,
        stdin=stdin,
        timeout=timeout,
        cwd=ROOT,
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


# -- special files ---------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_symlink_to_dev_zero_is_refused_before_reading(tmp_path):
    link = tmp_path / "customization.log"
    link.symlink_to("/dev/zero")
    started = time.perf_counter()
    assert "not a regular file" in _one_line_error(run(str(link)))
    assert time.perf_counter() - started < 30


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_as_the_log_or_template_does_not_block(tmp_path):
    fifo = tmp_path / "customization.log"
    os.mkfifo(fifo)
    assert "not a regular file" in _one_line_error(run(str(fifo), timeout=30))
    log = tmp_path / "real.log"
    log.write_text("Packer build command has failed: exit status 1\n")
    assert "--template" in _one_line_error(run(str(log), "--template", str(fifo), timeout=30))


def test_folder_missing_file_and_dangling_link_are_one_line_errors(tmp_path):
    _one_line_error(run(str(tmp_path)))
    _one_line_error(run(str(tmp_path / "missing.log")))
    dangling = tmp_path / "dangling.log"
    dangling.symlink_to(tmp_path / "nowhere")
    _one_line_error(run(str(dangling)))


def test_input_over_the_limit_is_too_large_not_a_silent_cut():
    with pytest.raises(InputError, match="too large"):
        diagnose_stream(io.BytesIO(b"Packer build command has failed\n" * 100_000), limit=1_000_000)
    assert diagnose_stream(io.BytesIO(b"Packer build command has failed\n" * 1000), limit=1_000_000).failures


def test_file_over_the_limit_is_refused_from_its_size(tmp_path):
    path = tmp_path / "big.log"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match="too large"):
        reader.open_regular(str(path), limit=1000)


# -- bounded memory and linear time ---------------------------------------------------------


def test_long_line_keeps_max_line_characters_and_the_line_after_it_counts():
    data = b"y" * (3 * reader.CHUNK + 17) + b"\nScript exited with non-zero exit status: 1603\n"
    blocks = list(reader.blocks(io.BytesIO(data)))
    assert max(len(line) for block in blocks for line in block.split("\n")) <= reader.MAX_LINE
    result = diagnose_bytes(data)
    assert result.failures[0].line == 2 and result.failures[0].exit is not None and result.failures[0].exit.code == 1603
    assert result.lines == 2


def test_line_numbers_hold_across_chunk_boundaries_and_crlf_split_between_chunks():
    line = "[x] PACKER OUT noise line\r\n"
    filler = line * (reader.CHUNK // len(line) + 3)
    data = (filler + "Packer build command has failed\r\n").encode()
    result = diagnose_bytes(data)
    assert result.failures[0].line == filler.count("\n") + 1


_MEMORY = (
    "import sys, json\n" + PEAK_MB_SOURCE + "from aiblint.cli import main\n"
    "before = peak_mb()\n"
    "rc = main(['diagnose', '--format', 'json', sys.argv[1]])\n"
    "print(json.dumps({'rc': rc, 'grew_mb': peak_mb() - before, 'peak_mb': peak_mb()}), file=sys.stderr)\n"
)


def _peak_growth(path: Path) -> tuple[dict, dict]:
    result = subprocess.run([sys.executable, "-c", _MEMORY, str(path)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    return json.loads(result.stderr.strip().splitlines()[-1]), json.loads(result.stdout)


def test_a_64_mb_line_costs_bounded_memory(tmp_path):
    path = tmp_path / "one-line.log"
    with path.open("wb") as handle:
        for _ in range(64):
            handle.write(b"z" * (1 << 20))
        handle.write(b"\nPacker build command has failed: exit status 1\n")
    stats, data = _peak_growth(path)
    assert data["failures"][0]["id"] == "packer-build-command-failure" and data["failures"][0]["evidence"]["line"] == 2
    assert stats["grew_mb"] < 30 and stats["peak_mb"] < 60, stats  # the README's bound is 60 MB in all


def test_many_steps_keep_bounded_state_in_linear_time():
    count = 20_000
    log = [f"[a] PACKER ERR (telemetry) Starting provisioner p{i % 7}\n" for i in range(count)]
    log += ["[a] PACKER ERR (telemetry) ending p3\n"] * count  # ends without starts
    log.append("Script exited with non-zero exit status: 1\n")
    started = time.perf_counter()
    result = diagnose(log)
    elapsed = time.perf_counter() - started
    assert len(result.steps) <= steps.MAX_STEPS and result.tracker.total_steps == count
    assert all(len(stack) <= 16 for stack in result.tracker._open.values())
    assert result.failed_step is not None
    assert elapsed < 30, elapsed
    # linear: half the input takes about half the time (generous: the machine is shared)
    started = time.perf_counter()
    diagnose(log[: count // 2] + log[count : count + count // 2])
    assert time.perf_counter() - started < elapsed * 0.9 + 1


def test_json_output_of_many_steps_is_bounded():
    log = ["(telemetry) Starting provisioner shell\n(telemetry) ending shell\n" for _ in range(5000)]
    data = diagnose(log).to_json()
    assert len(data["customizers"]) <= steps.MAX_STEPS and data["customizers_total"] == 5000


# -- every pattern is linear on hostile lines ------------------------------------------------


def _all_patterns() -> list[re.Pattern[str]]:
    found: list[re.Pattern[str]] = [_candidate(), prefilter(), _ERRORISH, unknown._WORD]
    for signature in load():
        for pattern in signature.patterns:
            found.extend(pattern.parts)
        if signature.unless is not None:
            found.append(signature.unless)
        for variant in signature.variants:
            found.extend(variant["pattern"].parts)
    for module in (reader, steps):
        for value in vars(module).values():
            if isinstance(value, re.Pattern):
                found.append(value)
            elif isinstance(value, list):
                found.extend(v[1] for v in value if isinstance(v, tuple) and isinstance(v[1], re.Pattern))
    return found


def _hostile(pattern: re.Pattern[str]) -> list[str]:
    pieces = [p for p in re.split(r"\\.|[()\[\]{}.*+?^$|]", pattern.pattern) if p.strip()] or ["a"]
    size = 100_000
    strings = [" " * size, "1" * size, "a" * size, "\x1b[" * (size // 2), "> " * (size // 2), "[" * size, "**" * (size // 2)]
    for piece in pieces[:6]:
        strings.append((piece * (size // len(piece) + 1))[:size])
        strings.append(((piece + " ") * (size // (len(piece) + 1) + 1))[:size])
    return strings


def test_every_diagnose_pattern_is_linear_on_100k_hostile_strings():
    slowest = (0.0, "")
    for pattern in _all_patterns():
        for text in _hostile(pattern):
            started = time.perf_counter()
            pattern.search(text)
            elapsed = time.perf_counter() - started
            slowest = max(slowest, (elapsed, pattern.pattern[:60]))
    assert slowest[0] < 0.5, slowest


def test_signature_patterns_have_no_unbounded_wildcard():
    text = DATA.read_text(encoding="utf-8")
    for item in json.loads(text)["signatures"]:
        for spec in item["patterns"]:
            for part in [spec] if isinstance(spec, str) else spec:
                assert not re.search(r"\.[*+]|\[\^[^\]]*\][*+]|\\S[*+]", part), (item["id"], part)


# -- nothing raw reaches the terminal ----------------------------------------------------------


def test_control_characters_from_the_log_are_escaped_in_text_output():
    hostile = "Packer build command has failed \x1b]0;owned\x07 \x08\x08 \x9b2J \u202eevil\r\n"
    result = run("-", stdin=None) if False else subprocess.run(
        [sys.executable, "-m", "aiblint", "diagnose", "-"], input=hostile.encode(), capture_output=True, timeout=60, cwd=ROOT
    )  # fmt: skip
    out = result.stdout.decode()
    assert result.returncode == 0 and "Packer build command failure" in out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", out)
    assert "\\x08" in out and "\\u202e" in out
    assert printable("a\x1bb") == "a\\x1bb"
