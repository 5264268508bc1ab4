"""Shell findings land on the command's first character in the file, whatever the quoting."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_text
from tools.new_fixture import render

UNSAFE = ["apt-get install nginx", "yum install git", "apt upgrade"]
SAFE = ["echo hello", "apt-get install -y jq", "ls -la /tmp", 'echo "apt-get install quoted"', "true"]
PREFIXES = ["", "sudo ", "sudo -E ", "DEBIAN_FRONTEND=noninteractive ", "env A=1 ", "nohup ", "timeout 60 "]
JOINERS = [" && ", " || ", "; ", " | "]
NOISE = ['"quoted \\"text\\""', "'single'", "tab\\there", "$(date)", "é😀"]


@st.composite
def script_line(draw: st.DrawFn) -> tuple[str, list[int]]:
    """A line of chained commands, and the offsets where each unsafe command name starts."""
    parts: list[str] = []
    starts: list[int] = []
    text = ""
    wrap = draw(st.booleans())  # the whole line inside sudo sh -c '...'
    noise = [n for n in NOISE if not (wrap and "'" in n)]
    for i in range(draw(st.integers(1, 4))):
        if i:
            text += draw(st.sampled_from(JOINERS))
        unsafe = draw(st.booleans())
        command = draw(st.sampled_from(UNSAFE if unsafe else SAFE))
        prefix = draw(st.sampled_from(PREFIXES))
        text += prefix
        if unsafe:
            starts.append(len(text))
        text += command
        if draw(st.booleans()):
            text += " " + draw(st.sampled_from(noise))
        parts.append(command)
    if wrap:
        starts = [s + len("sudo sh -c '") for s in starts]
        text = "sudo sh -c '" + text + "'"
    return text, starts


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(script_line(), min_size=1, max_size=4))
def test_aib401_columns_land_on_the_command(lines):
    texts = [text for text, _ in lines]
    document = render("shell", texts)
    result = lint_text(document, "t.json", Config(select=("AIB401",)), None, LintOptions())
    reported = sorted((d.line, d.column) for d in result.diagnostics if d.code == "AIB401")
    data = json.loads(document)
    assert data["properties"]["customize"][0]["inline"] == texts
    doc_lines = document.splitlines()
    expected = []
    previous = doc_lines.index('        "inline": [') + 1
    for text, starts in lines:
        encoded = json.dumps(text, ensure_ascii=False)
        line_no = next(n for n, line in enumerate(doc_lines, 1) if n > previous and line.strip().rstrip(",") == encoded)
        previous = line_no
        column0 = doc_lines[line_no - 1].index(encoded) + 1  # inside the opening quote
        for start in starts:
            escaped_prefix = json.dumps(text[:start], ensure_ascii=False)[1:-1]
            expected.append((line_no, column0 + len(escaped_prefix) + 1))
    # A pipeline's later apt-get reads the previous command's output: the same rule fires.
    assert reported == sorted(expected)
