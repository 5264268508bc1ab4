"""A resource-level ``copy`` loop on an image template: each instance linted with its own
copyIndex(), findings folded to one per place (issue 16, resource copy loops)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from aiblint.config import Config
from aiblint.copies import fold_instances, ranges
from aiblint.diagnostics import Finding, Span
from aiblint.jsontree import parse
from aiblint.lint import LintOptions, lint_text
from aiblint.locate import MAX_EXPANDED_CHARS, MAX_RESOURCE_COPIES, CopyInstance, locate

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "AIB401" / "arm_resource_copy.json"


def _lint_file(path: Path):  # type: ignore[no-untyped-def]
    return lint_text(path.read_text(), str(path), Config(), path, LintOptions())


def _with_count(count: object, inline: list[str]) -> str:
    template = json.loads(FIXTURE.read_text())
    template["resources"][0]["copy"]["count"] = count
    template["resources"][0]["properties"]["customize"][0]["inline"] = inline
    return json.dumps(template, indent=2)


def _lint_text(text: str):  # type: ignore[no-untyped-def]
    return lint_text(text, "t.json", Config(), None, LintOptions())


def test_each_instance_is_linted_with_its_copy_index_and_reported_once_per_place():
    result = _lint_file(FIXTURE)
    found = [(d.line, d.column, d.severity.label, d.message) for d in result.diagnostics if d.code == "AIB401"]
    # packages[copyIndex()]: nginx (0) and htop (2) need -y; curl (1) is preinstalled (info);
    # the literal `apt-get install jq` is the same in all three instances: one finding, as is.
    assert [(line, column, severity) for line, column, severity, _ in found] == [
        (44, 30, "error"),
        (44, 30, "info"),
        (45, 21, "error"),
    ]
    assert found[0][3].endswith("(copy loop 'images': copyIndex() 0, 2 of 3 instances)")
    assert found[1][3].endswith("(copy loop 'images': copyIndex() 1 of 3 instances)")
    assert "copy loop" not in found[2][3]
    assert len(result.diagnostics) == len({(d.code, d.line, d.column, d.severity) for d in result.diagnostics})


def test_values_that_differ_per_instance_are_one_finding_with_the_others_as_related_locations():
    path = ROOT / "fixtures" / "AIB026" / "arm_resource_copy.json"
    result = _lint_file(path)
    (size,) = [d for d in result.diagnostics if d.code == "AIB026"]
    assert "'Standard_D2s_v9'" in size.message and "copyIndex() 0 of 3 instances" in size.message
    ((file, line, column, what),) = size.related  # instance 2 is a real size: no finding there
    assert (file, line, column) == (str(path), size.line, size.column)
    assert what.startswith("copyIndex() 1: vmSize 'Standard_D4s_v9' is not a known Azure VM size")
    (name,) = [d for d in result.diagnostics if d.code == "AIB102"]
    assert "'img-0'" in name.message
    assert [what.split(":")[0] for _, _, _, what in name.related] == ["copyIndex() 1", "copyIndex() 2"]


def test_every_instance_sharing_one_staging_group_is_aib029():
    result = _lint_file(ROOT / "fixtures" / "AIB029" / "arm_resource_copy.json")
    (shared,) = [d for d in result.diagnostics if d.code == "AIB029"]
    assert "every instance of the copy loop 'images'" in shared.message


def test_an_unknown_count_is_linted_once_with_copy_index_unknown():
    result = _lint_text(
        _with_count("[parameters('missing')]", ["sudo apt-get install jq", "[format('sudo apt-get install {0}', copyIndex())]"])
    )
    found = [d for d in result.diagnostics if d.code == "AIB401"]
    assert [(d.line, "copy loop" in d.message) for d in found] == [(44, False)]  # the literal line; the format() is unknown
    assert any("count only the deployment knows" in note for note in result.notes)


def test_a_count_of_zero_deploys_nothing_and_lints_nothing():
    result = _lint_text(_with_count(0, ["sudo apt-get install jq"]))
    assert result.diagnostics == []  # not even AIB002: the template is there, ARM deploys none of it
    assert any("count 0" in note for note in result.notes)


def test_a_count_over_the_bound_is_linted_once_with_a_note():
    result = _lint_text(_with_count(MAX_RESOURCE_COPIES + 1, ["sudo apt-get install jq"]))
    assert [d.line for d in result.diagnostics if d.code == "AIB401"] == [44]
    assert any(f"more than the {MAX_RESOURCE_COPIES}" in note for note in result.notes)


def test_a_large_template_expands_fewer_instances_so_the_work_stays_bounded():
    # 150 instances of a template whose variables hold ~100 KB: 150 x 100 KB is more than
    # the expansion budget, so it is linted once (as with an unknown count), with a note.
    template = json.loads(_with_count(150, ["[format('sudo apt-get install {0}', copyIndex())]", "sudo apt-get install jq"]))
    template["variables"] = {"padding": "x" * (MAX_EXPANDED_CHARS // 40)}
    start = time.perf_counter()
    result = _lint_text(json.dumps(template, indent=2))
    assert time.perf_counter() - start < 30
    assert [d.line for d in result.diagnostics if d.code == "AIB401"] == [45]  # the literal line, once
    (note,) = [n for n in result.notes if "copy loop of 150 instances" in n]
    assert "more than the 39 aiblint expands for a template of this size" in note


def test_the_expansion_budget_is_shared_by_every_loop_of_the_file():
    template = json.loads(_with_count(150, ["[format('sudo apt-get install {0}', copyIndex())]"]))
    template["variables"] = {"padding": "x" * (MAX_EXPANDED_CHARS // 200)}  # ~20 KB: 150 instances fit once, not twice
    template["resources"].append(json.loads(json.dumps(template["resources"][0])))
    located = locate(parse(json.dumps(template, indent=2)))
    first = [item for item in located if item.resource.pointer == "/resources/0"]
    second = [item for item in located if item.resource.pointer == "/resources/1"]
    assert len(first) == 150 and [item.copy for item in second] == [None]
    assert "more than the" in second[0].notes[0]


def test_a_huge_or_odd_count_is_not_expanded():
    for count in [10**30, "[json('3.5')]", "[string(3)]", -1, True]:
        result = _lint_text(_with_count(count, ["sudo apt-get install jq"]))
        assert [d.line for d in result.diagnostics if d.code == "AIB401"] == [44], count


def test_a_condition_per_instance_skips_only_those_instances():
    template = json.loads(_with_count(3, ["[format('sudo apt-get install {0}', parameters('packages')[copyIndex()])]"]))
    template["resources"][0]["condition"] = "[not(equals(copyIndex(), 0))]"
    assert [item.copy.index for item in locate(parse(json.dumps(template))) if item.copy] == [1, 2]
    found = [d for d in _lint_text(json.dumps(template, indent=2)).diagnostics if d.code == "AIB401"]
    # instance 0 is not deployed: htop's error names instance 2 of the two deployed ones
    assert sorted((d.severity.label, d.message.split(" (copy loop ")[1]) for d in found) == [
        ("error", "'images': copyIndex() 2 of 3 instances)"),
        ("info", "'images': copyIndex() 1 of 3 instances)"),
    ]


def test_copy_index_reaches_property_loops_and_parameters_stay_shared():
    template = json.loads(_with_count(2, []))
    properties = template["resources"][0]["properties"]
    del properties["customize"]
    properties["copy"] = [
        {
            "name": "customize",
            "count": "[add(copyIndex('images'), 1)]",  # the resource's index inside a property loop's count
            "input": {
                "type": "Shell",
                "name": "[format('step-{0}', copyIndex('customize'))]",
                "inline": ["[format('sudo apt-get install {0}', parameters('packages')[copyIndex('customize')])]"],
            },
        }
    ]
    result = _lint_text(json.dumps(template, indent=2))
    found = sorted((d.severity.label, d.message) for d in result.diagnostics if d.code == "AIB401")
    # instance 0 has one step (nginx), instance 1 two (nginx, curl): nginx's error is the
    # same in both instances, curl's info only in instance 1
    assert [severity for severity, _ in found] == ["error", "info"]
    assert "copy loop" not in found[0][1]
    assert found[1][1].endswith("(copy loop 'images': copyIndex() 1 of 2 instances)")


def test_two_hundred_instances_stay_quick():
    text = _with_count(MAX_RESOURCE_COPIES, ["[format('sudo apt-get install {0}', copyIndex())]", "sudo apt-get install jq"])
    start = time.perf_counter()
    result = _lint_text(text)
    elapsed = time.perf_counter() - start
    found = [d for d in result.diagnostics if d.code == "AIB401"]
    assert len(found) == 2 and "copyIndex() 0-199 of 200" not in found[0].message  # identical everywhere: as is
    assert elapsed < 30, elapsed  # generous: a loaded 2-CPU machine; about 1 s idle


def test_fold_keeps_identical_findings_once_and_names_the_iterations_of_the_others():
    def finding(message: str, start: int = 10) -> Finding:
        return Finding("AIB401", message, Span(start, start + 3), "/p")

    instances = [
        (CopyInstance("loop", 0, 3), [finding("same"), finding("a")]),
        (CopyInstance("loop", 1, 3), [finding("same"), finding("b"), finding("b")]),
        (CopyInstance("loop", 2, 3), [finding("same"), finding("a"), finding("elsewhere", 50)]),
    ]
    folded = fold_instances(instances)
    assert [f.message for f in folded] == [
        "same",
        "a (copy loop 'loop': copyIndex() 0, 2 of 3 instances; the other instances differ, see the related locations)",
        "elsewhere (copy loop 'loop': copyIndex() 2 of 3 instances)",
    ]
    assert folded[1].related == ((None, 10, 13, "copyIndex() 1: b"),)
    assert fold_instances([]) == []


def test_ranges_are_written_compactly():
    assert ranges([0, 1, 2, 5, 7, 8]) == "0-2, 5, 7-8"
    assert ranges([3]) == "3"
