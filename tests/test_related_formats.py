"""Related locations (the use site of a value that came through an ARM expression, a Bicep
load call) in every machine format: json's optional ``related`` array, and text appended to
the message in github, azure and junit, escaped the way each format escapes a message."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from aiblint.config import Config
from aiblint.context import FileResult
from aiblint.diagnostics import Diagnostic, Severity
from aiblint.lint import LintOptions, lint_text
from aiblint.report import message_with_related, renderer

ROOT = Path(__file__).resolve().parent.parent
THROUGH_VARIABLE = "fixtures/AIB401/arm_form04_string_variable.json"
PLAIN = "fixtures/AIB401/apt_plain.json"


def _results(*paths: str) -> list[FileResult]:
    return [lint_text((ROOT / p).read_text(), p, Config(), ROOT / p, LintOptions()) for p in paths]


def _render(fmt: str, results: list[FileResult]) -> str:
    return renderer(fmt)(results, color=False, source=False, quiet=True, cwd=ROOT)


def _hostile() -> FileResult:
    """A diagnostic whose related location's file and message try to break out of each format."""
    d = Diagnostic(
        "AIB401",
        Severity.ERROR,
        "the message",
        "t.json",
        3,
        5,
        3,
        9,
        "/p",
        related=(("a\n::error::forged.json", 7, 2, "used by\r\n##vso[task.complete result=Succeeded]<x & y>"),),
        related_ends=((7, 9),),
    )
    return FileResult("t.json", [d])


def test_json_carries_related_only_when_there_are_some():
    document = json.loads(_render("json", _results(THROUGH_VARIABLE, PLAIN)))
    (through,) = [d for d in document["diagnostics"] if d["file"] == THROUGH_VARIABLE and d["code"] == "AIB401"]
    plain = [d for d in document["diagnostics"] if d["file"] == PLAIN]
    assert through["related"] == [
        {"file": THROUGH_VARIABLE, "line": 34, "column": 15, "end_line": 34, "end_column": 36, "message": "used by customize[0]"}
    ]
    text = (ROOT / THROUGH_VARIABLE).read_text()
    assert text.splitlines()[33][14:35] == "\"[variables('step')]\""  # the span is the use site's string
    assert plain and all("related" not in d for d in plain)  # the contract's fields, nothing more
    assert list(through)[:10] == [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "pointer",
        "help",
    ]


def test_json_related_without_ends_is_one_character():
    d = Diagnostic("AIB401", Severity.ERROR, "m", "t.json", 1, 1, 1, 2, "", related=(("u.json", 4, 6, "here"),))
    (entry,) = json.loads(_render("json", [FileResult("t.json", [d])]))["diagnostics"]
    assert entry["related"] == [{"file": "u.json", "line": 4, "column": 6, "end_line": 4, "end_column": 7, "message": "here"}]


def test_github_azure_and_junit_append_the_related_location_to_the_message():
    results = _results(THROUGH_VARIABLE)
    results[0].diagnostics = [d for d in results[0].diagnostics if d.code == "AIB401"]
    also = f"(also: {THROUGH_VARIABLE}:34:15 used by customize[0])"
    (github,) = _render("github", results).splitlines()
    assert github.startswith(f"::error file={THROUGH_VARIABLE},line=5,col=19,") and github.endswith(f"add -y {also}")
    (azure,) = _render("azure", results).splitlines()
    assert azure.startswith("##vso[task.logissue type=error;") and azure.endswith(f"add -y {also}")
    failure = ET.fromstring(_render("junit", results)).find(".//failure")
    assert failure is not None
    assert failure.get("message", "").endswith(also) and (failure.text or "").endswith(also)


def test_several_related_locations_are_listed_in_order():
    d = Diagnostic("AIB401", Severity.ERROR, "m", "t.json", 1, 1, 1, 2, "", related=(("a", 1, 2, "one"), ("b", 3, 4, "two")))
    assert message_with_related(d) == "m (also: a:1:2 one; b:3:4 two)"
    assert message_with_related(Diagnostic("AIB401", Severity.ERROR, "m", "t.json", 1, 1, 1, 2, "")) == "m"


def test_related_text_is_escaped_like_the_message_in_each_format():
    results = [_hostile()]
    github = _render("github", results)
    assert github.count("\n") == 1 and not any(line.startswith("::error::forged") for line in github.splitlines())
    assert "a%0A::error::forged.json:7:2 used by%0D%0A##vso\\x5b" in github
    azure = _render("azure", results)
    assert azure.count("\n") == 1 and azure.count("##vso[") == 1  # only aiblint's own command
    assert "a%0A::error::forged.json:7:2 used by%0D%0A##vso\\x5btask.complete" in azure
    junit = _render("junit", results)
    root = ET.fromstring(junit)  # well-formed
    failure = root.find(".//failure")
    assert failure is not None and "<x & y>" in (failure.text or "")
    assert "##vso[" not in junit and "\n::" not in junit
    entry = json.loads(_render("json", results))["diagnostics"][0]
    assert entry["related"][0]["file"] == "a\n::error::forged.json"  # JSON keeps the value exactly
    assert entry["related"][0]["end_column"] == 9


def test_sarif_and_lsp_related_locations_span_the_use_site():
    results = _results(THROUGH_VARIABLE)
    sarif = json.loads(_render("sarif", results))
    (found,) = [r for r in sarif["runs"][0]["results"] if r.get("relatedLocations")]
    region = found["relatedLocations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 34, "startColumn": 15, "endLine": 34, "endColumn": 36}
    lsp = json.loads(_render("lsp", results))
    (item,) = [d for items in lsp.values() for d in items if d.get("relatedInformation")]
    assert item["relatedInformation"][0]["location"]["range"] == {
        "start": {"line": 33, "character": 14},
        "end": {"line": 33, "character": 35},
    }
