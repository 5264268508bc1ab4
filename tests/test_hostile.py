"""Hostile input never crashes aiblint, never hangs, and stays within memory bounds.

Each case runs the real CLI in a child process with a time limit; the child reports its
peak RSS. `pytest -s tests/test_hostile.py` prints the table quoted in the notes.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiblint.config import Config
from aiblint.jsontree import JsonSyntaxError, decode_bytes, parse
from aiblint.lint import LintOptions, lint_bytes
from tests.conftest import corpus_files

ROOT = Path(__file__).resolve().parent.parent
GOOD = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text())
WIN = json.loads((ROOT / "examples" / "windows-good.json").read_text())

_CHILD = (
    "import resource, sys, time, json\n"
    "from aiblint.cli import main\n"
    "start = time.perf_counter()\n"
    "rc = main(['--format', 'json', '--quiet'] + sys.argv[1:])\n"
    "print(json.dumps({'rc': rc, 'seconds': round(time.perf_counter() - start, 2), 'peak_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}), file=sys.stderr)\n"
)


def _run(path: Path, limit: float) -> tuple[dict, dict | None, str]:
    result = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, timeout=limit, cwd=ROOT)
    lines = result.stderr.strip().splitlines()
    stats = json.loads(lines[-1])
    assert "Traceback" not in result.stderr
    output = json.loads(result.stdout) if result.stdout.strip() else None
    return stats, output, "\n".join(lines[:-1])


def _bytes(name: str, data: bytes):
    return (name, lambda p: p.write_bytes(data))


def _template(name: str, build):
    return (name, lambda p: p.write_text(json.dumps(build()), encoding="utf-8"))


def _many_customizers():
    t = json.loads(json.dumps(GOOD))
    t["properties"]["customize"] = [
        {"type": "Shell", "name": f"s{i}", "inline": [f"echo {i}", "sudo apt-get install -y jq"]} for i in range(10_000)
    ]
    return t


def _long_line():
    t = json.loads(json.dumps(GOOD))
    t["properties"]["customize"][0]["inline"] = ["echo " + "x" * 5_000_000 + " && sudo apt-get install nginx"]
    return t


def _fifty_mb():
    """50 MB the way large templates get large: configuration text embedded in scripts."""
    t = json.loads(json.dumps(GOOD))
    line = 'echo "' + "setting.value=" * 78 + '" | sudo tee -a /etc/app.conf'
    t["properties"]["customize"] = [{"type": "Shell", "name": f"s{i}", "inline": [line] * 100} for i in range(460)]
    return t


def _deep_scripts():
    t = json.loads(json.dumps(GOOD))
    t["properties"]["customize"][0]["inline"] = ["(" * 20_000 + "echo a" + ")" * 20_000, "$(" * 5_000 + "ls" + ")" * 5_000]
    w = json.loads(json.dumps(WIN))
    t["properties"]["customize"].append(dict(w["properties"]["customize"][0], inline=["&{" * 20_000 + "Get-Date" + "}" * 20_000]))
    return t


CASES = [
    _bytes("empty file", b""),
    _bytes("BOM only", b"\xef\xbb\xbf"),
    _bytes("NUL bytes", b'{"type": "Microsoft.VirtualMachineImages/imageTemplates",\x00\x00 "x": 1}'),
    _bytes("invalid UTF-8", b'{"type": "\xff\xfe\xfa"}'),
    _bytes("UTF-16 with BOM", json.dumps(GOOD).encode("utf-16")),
    _bytes("UTF-16 without BOM", json.dumps(GOOD).encode("utf-16-le")),
    _bytes("100,000 levels of nesting", b"[" * 100_000 + b"]" * 100_000),
    _bytes("lone surrogate escapes", json.dumps(GOOD).replace('"set -eu"', '"\\ud800 set -eu \\udfff"').encode()),
    _template("5 MB single inline line", _long_line),
    _template("10,000 customizers", _many_customizers),
    _template("50 MB template", _fifty_mb),
    _template("20,000 nested subshells and script blocks", _deep_scripts),
]
LIMITS = {"50 MB template": 240.0, "10,000 customizers": 120.0}


@pytest.mark.parametrize(("name", "write"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input(name, write, tmp_path):
    path = tmp_path / "input.json"
    write(path)
    stats, output, errors = _run(path, LIMITS.get(name, 60.0))
    assert stats["rc"] in (0, 1, 2)
    if stats["rc"] == 2:
        assert errors.count("\n") == 0 and errors.startswith("aiblint:"), errors  # one line, no traceback
    size = path.stat().st_size
    print(f"\n{name}: {size / 1e6:.1f} MB -> exit {stats['rc']}, {stats['seconds']} s, peak RSS {stats['peak_mb']} MB", end="")
    if name == "50 MB template":
        assert stats["rc"] == 1 and size > 50_000_000
        assert stats["peak_mb"] < 1_500  # 293 MB measured: models are freed script by script
    if name.startswith("20,000 nested"):
        assert stats["rc"] in (0, 1) and "nested too deeply to analyse" in errors
    if name in ("empty file", "BOM only", "NUL bytes", "invalid UTF-8", "100,000 levels of nesting", "UTF-16 without BOM"):
        assert output is not None and [d["code"] for d in output["diagnostics"]] == ["AIB001"]


def _mutations(seed: int, count: int):
    rng = random.Random(seed)
    files = corpus_files() or sorted((ROOT / "fixtures").rglob("*.json"))
    for _ in range(count):
        data = rng.choice(files).read_bytes()
        kind = rng.randrange(4)
        if kind == 0 and data:
            data = data[: rng.randrange(len(data))]
        elif kind == 1 and data:
            start = rng.randrange(len(data))
            data = data[:start] + data[start + rng.randrange(1, 64) :]
        elif kind == 2:
            start = rng.randrange(len(data) + 1)
            data = data[:start] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16))) + data[start:]
        else:
            data = data.replace(
                b'"inline": [',
                rng.choice([b'"inline": 42, "x": [', b'"inline": {"a": [', b'"inline": ["a", 1, null, {}], "y": [']),
                1,
            )
        yield data


def test_mutated_templates_never_crash():
    config = Config()
    for data in _mutations(1234, 300):
        result = lint_bytes(data, "m.json", config, None, LintOptions())
        for d in result.diagnostics:
            assert d.line >= 1 and d.column >= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_decoded_and_parsed_or_refused(data):
    try:
        text = decode_bytes(data)
    except UnicodeDecodeError:
        return
    try:
        parse(text)
    except JsonSyntaxError as exc:
        assert 0 <= exc.offset <= len(text)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["type", "properties", "customize", "inline", "source", "name", "x"]), children, max_size=4
        )
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(body=_JSON)
def test_any_json_value_in_a_template_gives_findings_inside_the_file(body):
    template = {"type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2024-02-01", "properties": body}
    text = json.dumps(template, indent=1)
    first = lint_bytes(text.encode(), "t.json", Config(), None, LintOptions())
    lines = text.count("\n") + 1
    for d in first.diagnostics:
        assert 1 <= d.line <= lines and 1 <= d.end_line <= lines
    second = lint_bytes(text.encode(), "t.json", Config(), None, LintOptions())
    assert first.diagnostics == second.diagnostics  # deterministic


SHELL_WORDS = [
    "sudo",
    "apt-get",
    "install",
    "-y",
    "&&",
    "||",
    "|",
    ";",
    "$(",
    ")",
    "'",
    '"',
    "sh",
    "-c",
    "`",
    "\\",
    "if",
    "then",
    "fi",
    "for",
    "do",
    "done",
    "<<EOF",
    "EOF",
    "\n",
    "#",
    "$x",
    "${x//a/b}",
    "[[",
    "]]",
    "(",
    "{",
    "}",
    "=",
    "rm",
    "-rf",
    "/tmp/*",
]
PS_WORDS = [
    "Install-Module",
    "-Force",
    "@p",
    "$p",
    "=",
    "@{",
    "}",
    "{",
    "(",
    ")",
    "'",
    '"',
    "`",
    "|",
    ";",
    "Start-Process",
    "-ArgumentList",
    "cmd",
    "/c",
    "msiexec",
    "/qn",
    "@'",
    "'@",
    "\n",
    "#",
    "<#",
    "#>",
    "[",
    "]",
    "::",
]


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(SHELL_WORDS) | st.text(max_size=6), max_size=40))
def test_shell_model_never_crashes(words):
    from aiblint.scripts.shell import analyse
    from aiblint.scripts.shell_syntax import check

    text = " ".join(words)
    model = analyse(text)
    for command in model.commands:
        assert 0 <= command.start <= command.end <= len(text)
    check(text)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(PS_WORDS) | st.text(max_size=6), max_size=40))
def test_powershell_model_never_crashes(words):
    from aiblint.scripts.powershell import analyse
    from aiblint.scripts.powershell_syntax import check

    text = " ".join(words)
    model = analyse(text)
    for command in model.commands:
        assert 0 <= command.start <= command.end <= len(text) + 1
    check(text)


def test_fuzz_target_runs_without_atheris():
    import tests.fuzz_lint as fuzz

    for data in _mutations(7, 20):
        fuzz.one_input(data)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_nothing_is_written_to_a_read_only_tree(tmp_path):
    import shutil

    tree = tmp_path / "repo"
    shutil.copytree(ROOT / "fixtures", tree)
    before = {p: p.stat().st_mtime_ns for p in tree.rglob("*")}
    for path in tree.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    tree.chmod(0o555)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "aiblint", "--quiet", str(tree)], capture_output=True, text=True, timeout=300, cwd=tree
        )
        assert result.returncode in (0, 1), result.stderr
        assert {p: p.stat().st_mtime_ns for p in tree.rglob("*")} == before
    finally:
        for path in [tree, *tree.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_no_socket_and_nothing_executed_from_templates(monkeypatch):
    import socket

    from aiblint.cli import main

    def refuse(*args, **kwargs):
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    started: list[list[str]] = []

    class Recording(subprocess.Popen):  # every child process goes through Popen
        def __init__(self, args, *rest, **kwargs):
            started.append([str(a) for a in args])
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Recording)
    paths = [str(p) for p in corpus_files()] or [str(ROOT / "fixtures")]
    assert main(["--quiet", "--exit-zero", *paths, str(ROOT / "fixtures")]) == 0
    # only a shell's parse-only mode, to confirm AIB400: the scripts themselves never run
    assert all(Path(argv[0]).name in ("dash", "sh", "bash") and argv[1:] == ["-n"] for argv in started), started


def test_regression_tree_sitter_bash_segfault_on_non_ascii_heredoc():
    # Found by test_shell_model_never_crashes: this input crashed tree-sitter-bash's scanner.
    text = 'M\x86ð ) ·\x8d\U0006d2c4\U000b9c9f <<EOF \U000ade50b{\U0008db39\U000f0063\x1b "  ]] ; \x93´\U001083eaa\U000c0ab9\U00106b29 \\ ;'
    code = "import sys\nfrom aiblint.scripts.shell import analyse\nfor _ in range(300):\n    analyse(sys.argv[1])\nprint('ok')"
    result = subprocess.run([sys.executable, "-c", code, text], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.returncode
