"""Issue 19 item 4: SARIF as GitHub code scanning ingests it.

Every rule GitHub applies on upload is written out in ``github_problems`` (and, where the
SARIF Multitool is installed, its GitHub rule set runs too): URIs relative to the
repository root whatever folder aiblint runs from, percent-encoded, with uriBaseId and
originalUriBaseIds; primaryLocationLineHash; rule tags, precision, security-severity;
descriptions of at most 1,024 characters.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import CORPUS, corpus_files, needs_corpus

ROOT = Path(__file__).resolve().parent.parent
HAZARDS = ROOT / "examples" / "ubuntu-hazards.json"
# RFC 3986 URI reference characters: unreserved, reserved, and %XX escapes only
_URI = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})+")
_LEVELS = {"error", "warning", "note", "none"}
_PRECISIONS = {"very-high", "high", "medium", "low"}


def github_problems(document: dict) -> list[str]:
    """GitHub code scanning's ingestion rules and limits, each checked explicitly."""
    problems: list[str] = []
    add = problems.append
    if document.get("version") != "2.1.0":
        add("version must be 2.1.0")
    runs = document.get("runs") or []
    if not 1 <= len(runs) <= 20:
        add("1 to 20 runs")
    for run in runs:
        driver = run.get("tool", {}).get("driver", {})
        if not driver.get("name"):
            add("tool.driver.name is required")
        rules = driver.get("rules", [])
        results = run.get("results", [])
        if len(rules) > 25_000 or len(results) > 25_000:
            add("at most 25,000 rules and results per run")
        ids = [r.get("id") for r in rules]
        if len(set(ids)) != len(ids):
            add("rule ids must be unique")
        for rule in rules:
            rid = rule.get("id")
            for key in ("shortDescription", "fullDescription"):
                text = rule.get(key, {}).get("text", "")
                if not text or len(text) > 1024:
                    add(f"{rid}: {key}.text must be 1 to 1,024 characters (is {len(text)})")
            if not rule.get("help", {}).get("text"):
                add(f"{rid}: help.text")
            if rule.get("defaultConfiguration", {}).get("level") not in _LEVELS:
                add(f"{rid}: defaultConfiguration.level")
            properties = rule.get("properties", {})
            tags = properties.get("tags", [])
            if not tags or len(tags) > 20 or not all(isinstance(t, str) and t for t in tags):
                add(f"{rid}: properties.tags: 1 to 20 strings")
            if properties.get("precision") not in _PRECISIONS:
                add(f"{rid}: properties.precision")
            if "security-severity" in properties:
                value = properties["security-severity"]
                if not (isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value) and 0 <= float(value) <= 10):
                    add(f"{rid}: security-severity must be a number 0-10 as a string")
                if "security" not in tags:
                    add(f"{rid}: a rule with security-severity is tagged security")
        bases = run.get("originalUriBaseIds", {})
        for name, base in bases.items():
            uri = base.get("uri", "")
            if not (uri.startswith("file:///") and uri.endswith("/") and _URI.fullmatch(uri)):
                add(f"originalUriBaseIds.{name}: an absolute file URI ending in /")
        for number, result in enumerate(results):
            where = f"results[{number}]"
            rule_id = result.get("ruleId")
            if rule_id not in ids or ids.index(rule_id) != result.get("ruleIndex", ids.index(rule_id) if rule_id in ids else -1):
                add(f"{where}: ruleId/ruleIndex must name a rule of the driver")
            if result.get("level", "warning") not in _LEVELS:
                add(f"{where}: level")
            if not result.get("message", {}).get("text"):
                add(f"{where}: message.text is required")
            locations = result.get("locations") or []
            if not 1 <= len(locations) <= 1000:
                add(f"{where}: 1 to 1,000 locations")
            for location in locations:
                physical = location.get("physicalLocation", {})
                artifact = physical.get("artifactLocation", {})
                uri = artifact.get("uri", "")
                if not _URI.fullmatch(uri):
                    add(f"{where}: artifactLocation.uri {uri!r} is not a percent-encoded URI")
                if urlsplit(uri).scheme:
                    if urlsplit(uri).scheme != "file" or "uriBaseId" in artifact:
                        add(f"{where}: an absolute URI is a file URI without uriBaseId")
                elif artifact.get("uriBaseId") not in bases or uri.startswith("/"):
                    add(f"{where}: a relative URI needs a uriBaseId defined in originalUriBaseIds")
                region = physical.get("region", {})
                start_line, start_column = region.get("startLine", 0), region.get("startColumn", 1)
                end_line, end_column = region.get("endLine", start_line), region.get("endColumn", start_column + 1)
                if start_line < 1 or start_column < 1 or end_line < start_line or end_column < 1:
                    add(f"{where}: region out of range")
                if end_line == start_line and end_column < start_column:
                    add(f"{where}: endColumn before startColumn")
            line_hash = result.get("partialFingerprints", {}).get("primaryLocationLineHash", "")
            if not re.fullmatch(r"[0-9a-f]{16}:\d+", line_hash):
                add(f"{where}: partialFingerprints.primaryLocationLineHash")
    return problems


def _sarif(cwd: Path, *args: str, stdin: str | None = None) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "aiblint", "--format", "sarif", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=180,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub dir").mkdir()
    shutil.copy(HAZARDS, tmp_path / "sub dir" / "a%b #c.json")
    shutil.copy(HAZARDS, tmp_path / "top.json")
    return tmp_path


def _uris(document: dict) -> set[tuple[str, str | None]]:
    return {
        (loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["artifactLocation"].get("uriBaseId"))
        for r in document["runs"][0]["results"]
        for loc in r["locations"]
    }


def test_uris_are_relative_to_the_repository_root_from_a_subfolder(repo):
    document = _sarif(repo / "sub dir", ".")
    assert github_problems(document) == []
    assert _uris(document) == {("sub%20dir/a%25b%20%23c.json", "%SRCROOT%")}
    assert document["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    assert unquote("sub%20dir/a%25b%20%23c.json") == "sub dir/a%b #c.json"
    from_root = _sarif(repo, ".")
    assert _uris(from_root) == {("sub%20dir/a%25b%20%23c.json", "%SRCROOT%"), ("top.json", "%SRCROOT%")}
    upward = _sarif(repo / "sub dir", "../top.json")
    assert _uris(upward) == {("top.json", "%SRCROOT%")}


def test_stdin_is_named_by_stdin_filename(repo):
    document = _sarif(repo / "sub dir", "--stdin-filename", "from stdin.json", "-", stdin=HAZARDS.read_text(encoding="utf-8"))
    assert github_problems(document) == []
    assert _uris(document) == {("sub%20dir/from%20stdin.json", "%SRCROOT%")}


def test_files_outside_the_repository_are_absolute_file_uris(repo, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(HAZARDS, elsewhere / "x y.json")
    document = _sarif(repo, str(elsewhere / "x y.json"))
    assert github_problems(document) == []
    assert _uris(document) == {((elsewhere / "x y.json").resolve().as_uri(), None)}


def test_non_utf8_file_name_is_percent_encoded_as_its_byte(repo):
    name = os.fsencode(repo) + b"/n\xff.json"
    with open(name, "wb") as handle:
        handle.write(HAZARDS.read_bytes())
    document = _sarif(repo, ".")
    assert github_problems(document) == []
    assert ("n%FF.json", "%SRCROOT%") in _uris(document)


def test_rules_carry_tags_precision_and_security_severity(repo):
    template = json.loads(HAZARDS.read_text(encoding="utf-8"))
    template["properties"]["customize"].append({"type": "Shell", "name": "s", "inline": ["export DB_PASSWORD=Hunter2Secret9"]})
    (repo / "secret.json").write_text(json.dumps(template, indent=2), encoding="utf-8")
    document = _sarif(repo, "secret.json", "--extend-select", "AIB304")
    assert github_problems(document) == []
    rules = {r["id"]: r for r in document["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["AIB030"]["properties"]["security-severity"] == "8.5" and "security" in rules["AIB030"]["properties"]["tags"]
    assert "security-severity" in rules["AIB410"]["properties"]
    assert "security-severity" not in rules["AIB401"]["properties"]


def test_long_descriptions_are_cut_to_1024():
    from aiblint.report.sarif_format import _rule_entry

    for code in ("AIB401", "AIB402"):
        entry = _rule_entry(code)
        assert len(entry["fullDescription"]["text"]) <= 1024 and entry["fullDescription"]["text"].endswith("…")


def test_line_hash_survives_edits_above_and_tells_twins_apart(repo):
    template = json.loads(HAZARDS.read_text(encoding="utf-8"))
    template["properties"]["customize"].append({"type": "Shell", "name": "twin", "inline": ["apt-get install nginx"]})
    template["properties"]["customize"].append({"type": "Shell", "name": "twin2", "inline": ["apt-get install nginx"]})
    (repo / "t.json").write_text(json.dumps(template, indent=2), encoding="utf-8")
    before = _sarif(repo, "t.json")["runs"][0]["results"]
    (repo / "t.json").write_text("\n\n\n" + json.dumps(template, indent=2), encoding="utf-8")
    after = _sarif(repo, "t.json")["runs"][0]["results"]
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in before]
    assert hashes == [r["partialFingerprints"]["primaryLocationLineHash"] for r in after]
    assert len(set(hashes)) == len(hashes)
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] != [
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in before
    ]


@needs_corpus
def test_corpus_sarif_passes_every_github_rule():
    odd = [p for p in corpus_files() if re.search(r"[^A-Za-z0-9._/-]", p.name)][:40] or corpus_files()[:20]
    document = _sarif(CORPUS, *[p.name for p in odd])
    assert github_problems(document) == []


def _multitool() -> str | None:
    found = os.environ.get("SARIF_MULTITOOL") or shutil.which("sarif")
    return found if found and Path(found).is_file() else None


@pytest.mark.skipif(
    _multitool() is None, reason="SARIF Multitool not installed (npm i @microsoft/sarif-multitool; SARIF_MULTITOOL=path)"
)
def test_microsoft_sarif_multitool_github_rules(repo, tmp_path_factory):
    out = tmp_path_factory.mktemp("multitool")
    (out / "in.sarif").write_text(json.dumps(_sarif(repo / "sub dir", "..")), encoding="utf-8")
    result = subprocess.run(
        [
            _multitool(),
            "validate",
            "--rule-kind",
            "Gh",
            "--level",
            "Error;Warning",
            "--output",
            str(out / "log.sarif"),
            str(out / "in.sarif"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    log = json.loads((out / "log.sarif").read_text(encoding="utf-8-sig"))
    found = [r for run in log["runs"] for r in run.get("results", []) if r.get("level", "warning") in ("error", "warning")]
    assert found == [], found
