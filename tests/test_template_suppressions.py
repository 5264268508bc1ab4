"""Suppressions in the template itself (issue 19 item 6): JSONC comments, metadata, tags; AIB090."""

from __future__ import annotations

import json
from pathlib import Path

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_text

ROOT = Path(__file__).resolve().parent.parent
UBUNTU = json.loads((ROOT / "examples" / "ubuntu-good.json").read_text())


def _codes(text: str, config: Config | None = None) -> list[tuple[str, int, int]]:
    result = lint_text(text, "t.json", config or Config(ignore=("AIB101",)), None, LintOptions())
    return [(d.code, d.line, d.column) for d in result.diagnostics]


def _bare(**changes) -> dict:
    template = json.loads(json.dumps(UBUNTU))
    template["properties"]["customize"][0]["inline"] = ["sudo apt-get install nginx"]
    template.update(changes)
    return template


def _arm(resource_lines: str, top: str = "") -> str:
    return (
        "{\n"
        '  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n'
        '  "contentVersion": "1.0.0.0",\n' + top + '  "resources": [\n'
        "    {\n"
        '      "type": "Microsoft.VirtualMachineImages/imageTemplates",\n'
        '      "apiVersion": "2024-02-01",\n' + resource_lines + '      "location": "westeurope"\n'
        "    }\n"
        "  ]\n"
        "}\n"
    )


NAME = '      "name": "x",\n'  # AIB102 (a fixed name) on line 8 when nothing precedes it
PROPS = '      "properties": {},\n'  # AIB010 (twice) and AIB100 on the properties line


def _without_noise(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    return [f for f in found if f[0] not in ("AIB010", "AIB100")]


def test_baseline_finding_without_suppression():
    assert _without_noise(_codes(_arm(NAME + PROPS))) == [("AIB102", 8, 15)]


def test_disable_next_line_skips_blank_and_comment_lines():
    lines = "      // aiblint: disable-next-line=AIB102 -- unique per pipeline run\n\n      // another note\n" + NAME + PROPS
    assert _without_noise(_codes(_arm(lines))) == []


def test_block_comment_and_prefix_codes():
    lines = "      /* aiblint: disable-next-line=AIB1 -- all of AIB1xx */\n" + NAME + PROPS
    assert _without_noise(_codes(_arm(lines))) == []


def test_trailing_disable_silences_its_own_line_only():
    lines = '      "name": "x", // aiblint: disable=AIB102\n' + '      "properties": {}, // aiblint: disable=AIB010, AIB100\n'
    assert _codes(_arm(lines)) == []


def test_disable_file():
    text = "// aiblint: disable-file=AIB102,AIB010\n" + _arm(NAME + PROPS)
    assert [c for c, *_ in _codes(text)] == ["AIB100"]


def test_script_finding_silenced_by_a_json_comment():
    text = json.dumps(_bare(), indent=2)
    text = text.replace(
        '        "sudo apt-get install nginx"',
        '        // aiblint: disable-next-line=AIB401\n        "sudo apt-get install nginx"',
    )
    found = [c for c, *_ in _codes(text)]
    assert "AIB401" not in found and "AIB090" not in found
    assert found == ["AIB004"]  # a comment in a bare template: az rejects it, so it is still said


def test_unused_and_unknown_comment_suppressions_are_aib090():
    lines = "      // aiblint: disable-next-line=AIB401\n" + "      // aiblint: disable-next-line=AIB3O2\n" + NAME + PROPS
    found = _without_noise(_codes(_arm(lines)))
    assert found == [("AIB090", 8, 7), ("AIB090", 9, 7), ("AIB102", 10, 15)]
    result = lint_text(_arm(lines), "t.json", Config(), None, LintOptions())
    messages = [d.message for d in result.diagnostics if d.code == "AIB090"]
    assert "silenced nothing" in messages[0] and "AIB3O2, which is no rule code" in messages[1]


def test_a_suppression_for_a_rule_not_running_is_left_alone():
    lines = "      // aiblint: disable-next-line=AIB401\n" + NAME + PROPS
    assert ("AIB090", 8, 7) not in _codes(_arm(lines), Config(ignore=("AIB101", "AIB401")))


def test_metadata_on_the_arm_resource():
    lines = '      "metadata": {"aiblint": {"ignore": ["AIB102", "AIB100"]}},\n' + NAME + PROPS
    assert [c for c, *_ in _codes(_arm(lines))] == ["AIB010", "AIB010"]  # AIB011 is not said of metadata


def test_unused_metadata_entry_is_aib090_at_the_code():
    lines = '      "metadata": {"aiblint": {"ignore": ["AIB102", "AIB401"]}},\n' + NAME + PROPS
    assert _without_noise(_codes(_arm(lines))) == [("AIB090", 8, 53)]


def test_top_level_metadata_covers_the_whole_deployment():
    top = '  "metadata": {"aiblint": {"ignore": "AIB102 AIB100"}},\n'
    assert [c for c, *_ in _codes(_arm(NAME + PROPS, top))] == ["AIB010", "AIB010"]


def test_strict_json_bare_template_with_metadata_or_tag():
    tagged = _bare(tags={"aiblint-ignore": "AIB401"})
    assert _codes(json.dumps(tagged, indent=2)) == []
    with_metadata = _bare(metadata={"aiblint": {"ignore": ["AIB401"]}})
    assert _codes(json.dumps(with_metadata, indent=2)) == []  # and no AIB011 for the key
    unused = _bare(tags={"aiblint-ignore": "AIB302"})
    unused["properties"]["customize"][0]["inline"] = ["sudo apt-get install -y nginx"]
    assert [c for c, *_ in _codes(json.dumps(unused, indent=2))] == ["AIB090"]


def test_ordinary_comments_and_strings_are_not_directives():
    lines = (
        '      // see aiblint: disable-next-line=AIB102 in the docs\n      "comments": "aiblint: disable=AIB102",\n'
        + NAME
        + PROPS
    )
    assert _without_noise(_codes(_arm(lines))) == [("AIB102", 10, 15)]
