"""Issue 14 item 1: no output format can be turned into a CI logging command, a terminal
escape sequence or malformed XML/JSON by a template value, a script or a file name."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aiblint import escape
from aiblint.diagnostics import Diagnostic, Severity
from aiblint.jsontree import LineIndex
from aiblint.lint import FileResult
from aiblint.report import FORMATS, renderer

ROOT = Path(__file__).resolve().parent.parent

# Everything an attacker would put in a value: a forged Azure command after a carriage
# return, a forged GitHub command after a line feed, ANSI colour/title/OSC sequences,
# BEL, a C1 CSI, bidi overrides and isolates, a line separator, XML-forbidden controls,
# a lone surrogate (a JSON \ud800 escape) and a file name byte that is not UTF-8.
HOSTILE = (
    "/opt/x\r##vso[task.setvariable variable=X]owned\r"
    "\n::error file=a.json::forged\n"
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J \u202egnp.exe\u202c \u2066iso\u2069 \u2028sep "
    "\x00\x01\x0b\x0c\ufffe 50% ; ] [ , : \ud800 \udcff"
)
HOSTILE_FILE = "dir/::warning::x\r\n##vso[task.complete]\x1b[2J\u202e\udcff.json"

FORBIDDEN_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _results(file: str = "t.json", message: str = HOSTILE) -> list[FileResult]:
    diagnostics = [
        Diagnostic(
            code,
            severity,
            message,
            file,
            1,
            2,
            1,
            9,
            "/properties/customize/0/destination",
            anchor=message,
            related=((HOSTILE_FILE, 3, 4, message),),  # a second location's file and label are data too
        )
        for code, severity in (("AIB302", Severity.ERROR), ("AIB401", Severity.WARNING), ("AIB100", Severity.INFO))
    ]
    lines = LineIndex('{"a": "' + message + '"}\n')
    return [FileResult(file, diagnostics, lines)]


def _render(fmt: str, results: list[FileResult], **options: object) -> str:
    text = renderer(fmt)(results, color=False, source=True, quiet=False, cwd=ROOT, **options)
    text.encode("utf-8")  # strict: no lone surrogate reaches the stream
    return text


@pytest.mark.parametrize("file", ["t.json", HOSTILE_FILE])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_line_of_every_format_is_one_aiblint_wrote(fmt, file):
    text = _render(fmt, _results(file))
    assert "\r" not in text
    lines = text.splitlines()
    for line in lines:
        # GitHub runs a line that starts with ::, Azure runs ##vso[ anywhere in a line
        assert not line.lstrip().startswith("::") or (fmt == "github" and re.match(r"::(error|warning|notice) file=", line))
        assert line.lower().count("##vso[") == (1 if fmt == "azure" else 0), line
        if fmt == "azure":
            assert line.startswith("##vso[task.logissue type=")
        if fmt != "text":
            assert not FORBIDDEN_RAW.search(line), (fmt, line)
    if fmt == "text":
        assert not FORBIDDEN_RAW.search(text.replace("\n", "")), text


def test_azure_escapes_as_the_task_library():
    (line,) = [x for x in _render("azure", _results()).splitlines() if "AIB302" in x]
    properties, message = line[len("##vso[task.logissue ") :].split("]", 1)
    assert properties.startswith("type=error;sourcepath=t.json;")
    assert message.startswith("/opt/x%0D##vso\\x5btask.setvariable variable=X]owned%0D%0A::error file=a.json::forged%0A")
    assert "50%AZP25 ; ]" in message  # data: %, CR, LF only
    (path_line,) = [x for x in _render("azure", _results(HOSTILE_FILE)).splitlines() if "AIB302" in x]
    assert "sourcepath=dir/::warning::x%0D%0A##vso\\x5btask.complete%5D\\x1b" in path_line
    assert escape.azure_property("a;b]c%d\re\nf") == "a%3Bb%5Dc%AZP25d%0De%0Af"


def test_github_escapes_as_the_actions_toolkit():
    (line,) = [x for x in _render("github", _results(HOSTILE_FILE)).splitlines() if "AIB302" in x]
    assert line.startswith("::error file=dir/%3A%3Awarning%3A%3Ax%0D%0A##vso\\x5btask.complete]\\x1b[2J\\u202e\\xff.json,line=1,")
    assert "::/opt/x%0D##vso\\x5btask.setvariable variable=X]owned%0D%0A::error file=a.json::forged%0A" in line
    assert "50%25 ; ] [ , :" in line  # data: %, CR, LF only; properties also : and ,
    assert escape.github_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_text_shows_controls_escaped_and_the_caret_under_them():
    text = _render("text", _results(HOSTILE_FILE))
    assert "\\x1b[31mred\\x1b[0m" in text and "\\u202egnp.exe\\u202c" in text and "\\x9b2J" in text
    assert "\\r##vso\\x5b" in text and "\\n::error" in text and "\\xff.json" in text
    first = text.splitlines()[0]
    assert first.startswith("dir/::warning::x\\r\\n##vso\\x5btask.complete]\\x1b[2J\\u202e\\xff.json:1:2: error AIB302 ")
    # a file named so that the text line would start with :: gets ./ in front
    assert escape.terminal_path("::error::x.json") == "./::error::x.json"
    excerpt = escape.terminal('{"a": "\x1b[31m"}')
    assert excerpt == '{"a": "\\x1b[31m"}'


def test_text_caret_stays_under_the_finding_after_escaping():
    line = 'x\x1b[1my = "v"'
    result = FileResult("t.json", [Diagnostic("AIB302", Severity.ERROR, "m", "t.json", 1, 6, 1, 7, "")], LineIndex(line + "\n"))
    shown, caret = _render("text", [result]).splitlines()[1:3]
    assert shown == '  | x\\x1b[1my = "v"'
    assert caret.index("^") == shown.index("y")


def test_junit_is_well_formed_and_keeps_every_value():
    text = _render("junit", _results(HOSTILE_FILE))
    root = ET.fromstring(text.encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert message.startswith("AIB302 /opt/x\r##vso[task.setvariable")  # references: the value itself
    assert "\\x00\\x01\\x0b\\x0c\\ufffe" in message  # XML 1.0 cannot carry these at all: shown escaped
    assert "\\ud800 \\xff" in message


@pytest.mark.parametrize("fmt", ["json", "sarif", "lsp"])
def test_json_formats_keep_values_exactly_and_print_safely(fmt):
    text = _render(fmt, _results())
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text and "##vso[" not in text
    document = json.loads(text)
    if fmt == "json":
        assert document["diagnostics"][0]["message"] == HOSTILE
    elif fmt == "sarif":
        assert document["runs"][0]["results"][0]["message"]["text"] == HOSTILE
    else:
        assert next(iter(document.values()))[0]["message"] == HOSTILE


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "aiblint", *args], capture_output=True, cwd=cwd, timeout=120, env=env)


def _hostile_template() -> str:
    template = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text(encoding="utf-8"))
    template["properties"]["customize"].append(
        {"type": "File", "name": "f", "sourceUri": "https://example.com/a.txt", "destination": HOSTILE.replace("\ud800", "")}
    )
    return json.dumps(template)


@pytest.mark.parametrize("fmt", FORMATS)
def test_non_utf8_file_name_in_every_format_on_stdout_and_output(fmt, tmp_path):
    name = os.fsencode(tmp_path) + b"/t\xff\x1b[2J.json"
    with open(name, "w", encoding="utf-8") as handle:
        handle.write(_hostile_template())
    on_stdout = _cli("--format", fmt, "--no-color", ".", cwd=tmp_path)
    assert on_stdout.returncode == 1, on_stdout.stderr
    assert b"\x1b" not in on_stdout.stdout and b"\r" not in on_stdout.stdout
    on_stdout.stdout.decode("utf-8")
    out = tmp_path / "out" / "report.txt"
    out.parent.mkdir()
    written = _cli("--format", fmt, "--no-color", "--output", str(out), ".", cwd=tmp_path)
    assert written.returncode == 1, written.stderr
    assert out.read_bytes() == on_stdout.stdout


def test_config_error_lines_escape_what_they_quote(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".aiblint.toml").write_text('"\\u001b[31mkey\\r##vso[task.complete]" = 1\n', encoding="utf-8")
    (tmp_path / "t.json").write_text(_hostile_template(), encoding="utf-8")
    result = _cli("t.json", cwd=tmp_path)
    assert result.returncode == 2
    stderr = result.stderr.decode("utf-8")
    assert stderr.count("\n") == 1 and "\x1b" not in stderr and "\r" not in stderr and "##vso[" not in stderr
    assert "\\x1b[31mkey\\r##vso\\x5btask.complete]" in stderr
