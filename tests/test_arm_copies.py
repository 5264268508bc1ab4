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


# -- identical scripts across instances are parsed once (aiblint/scripts/models.py) ------------
LONG_SCRIPT = [f"sudo apt-get install -y pkg{i} && curl -fsSL https://example.com/f{i}.sh | bash" for i in range(100)]


def _counting_parses(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    from aiblint.scripts import shell

    parsed: list[str] = []
    original = shell.analyse

    def counting(text: str):  # type: ignore[no-untyped-def]
        parsed.append(text)
        return original(text)

    monkeypatch.setattr(shell, "analyse", counting)
    return parsed


def test_two_hundred_identical_instances_parse_their_script_once(monkeypatch):
    # measured on a loaded 2-CPU machine: 5.7 s before (200 parses of the two scripts), 1.7 s after
    template = json.loads(_with_count(MAX_RESOURCE_COPIES, LONG_SCRIPT))
    template["resources"][0]["properties"]["customize"].append({"type": "Shell", "name": "more", "inline": LONG_SCRIPT[:50]})
    text = json.dumps(template, indent=2)
    parsed = _counting_parses(monkeypatch)
    start = time.perf_counter()
    result = _lint_text(text)
    elapsed = time.perf_counter() - start
    assert len(parsed) == 2  # one parse per distinct script, not 400
    assert elapsed < 15, elapsed  # ~1.7 s on a loaded 2-CPU machine (~6 s when each instance parsed its own)
    assert [d for d in result.diagnostics if d.code.startswith("AIB4")] == []  # -y everywhere: nothing to report


def test_shared_models_give_the_same_findings_as_separate_parses(monkeypatch):
    # a syntax error, a sleep (script facts: the build estimate), a prompt: all from the shared model
    inline = ["sudo apt-get install nginx", "sleep 3000", "if true; then echo x"]
    text = _with_count(3, inline)
    shared = _lint_text(text)
    from aiblint.scripts import models

    monkeypatch.setattr(models.SharedModels, "lend", lambda self, script: False)  # every instance parses
    separate = _lint_text(text)
    assert [str(d) for d in shared.diagnostics] == [str(d) for d in separate.diagnostics]
    assert {d.code for d in shared.diagnostics} >= {"AIB400", "AIB401"}
    assert shared.notes == separate.notes


def test_a_script_that_differs_per_instance_is_parsed_per_instance_and_not_kept(monkeypatch):
    parsed = _counting_parses(monkeypatch)
    _lint_text(_with_count(3, ["[format('sudo apt-get install -y {0}', parameters('packages')[copyIndex()])]", "echo same"]))
    assert len(parsed) == 3  # the joined script differs in each instance


def test_shared_models_keep_only_what_the_last_instance_used_and_are_freed_after_the_loop(monkeypatch):
    import gc
    import weakref

    from aiblint.scripts import collect, shell

    alive: list[weakref.ref] = []  # type: ignore[type-arg]
    original = shell.analyse

    def recording(text: str):  # type: ignore[no-untyped-def]
        model = original(text)
        alive.append(weakref.ref(model))
        return model

    monkeypatch.setattr(shell, "analyse", recording)
    held: list[int] = []
    release = collect.Script.release_model

    def counting(script: collect.Script) -> None:
        release(script)
        gc.collect()
        held.append(sum(ref() is not None for ref in alive))

    monkeypatch.setattr(collect.Script, "release_model", counting)
    # one script that differs per instance, one the same in every instance
    template = json.loads(_with_count(3, ["[format('sudo apt-get install -y {0}', parameters('packages')[copyIndex()])]"]))
    template["resources"][0]["properties"]["customize"].append({"type": "Shell", "name": "same", "inline": ["echo same"]})
    _lint_text(json.dumps(template, indent=2))
    assert len(alive) == 4 and len(held) == 6  # 3 varying + 1 shared parse; 2 scripts x 3 instances
    # the varying script's model is freed once the next instance has not used it: never more
    # than the shared one and the current and last instance's varying ones are alive
    assert max(held) <= 3
    gc.collect()
    assert [ref() for ref in alive] == [None] * len(alive)  # nothing outlives the lint


def test_shared_models_hold_a_bounded_amount_of_text(monkeypatch):
    from aiblint.scripts import models

    monkeypatch.setattr(models, "MAX_CACHED_CHARS", 10)
    parsed = _counting_parses(monkeypatch)
    _lint_text(_with_count(3, ["sudo apt-get install -y jq"]))  # 26 characters: over the bound, not kept
    assert len(parsed) == 3


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


# -- a copied nested deployment (Microsoft.Resources/deployments with a resource-level copy) --
OUTER = ROOT / "fixtures" / "AIB401" / "arm_nested_copy_outer.json"
INNER = ROOT / "fixtures" / "AIB401" / "arm_nested_copy_inner.json"


def _nested(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text())


def _image_of(template: dict) -> dict:  # type: ignore[type-arg]
    return template["resources"][0]["properties"]["template"]["resources"][0]


def _aib401(text: str) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.column, d.severity.label, d.message) for d in _lint_text(text).diagnostics if d.code == "AIB401"]


def test_each_instance_of_a_copied_outer_deployment_sees_its_copy_index():
    result = _lint_file(OUTER)
    found = [(d.line, d.column, d.severity.label, d.message) for d in result.diagnostics if d.code == "AIB401"]
    # the nested template's expressions are the parent's: parameters('packages')[copyIndex()]
    # is nginx, curl, htop for the three deployments; each finding at `apt-get` in the format() literal
    assert [(line, column, severity) for line, column, severity, _ in found] == [
        (54, 38, "error"),
        (54, 38, "info"),
        (55, 29, "error"),
    ]
    assert found[0][3].endswith("(copy loop 'deployments': copyIndex() 0, 2 of 3 instances)")
    assert found[1][3].endswith("(copy loop 'deployments': copyIndex() 1 of 3 instances)")
    assert "copy loop" not in found[2][3]
    line = OUTER.read_text().splitlines()[53]
    assert line[37:].startswith("apt-get install {0}")
    (name,) = [d for d in result.diagnostics if d.code == "AIB102"]
    assert "'img-0'" in name.message and [w.split(":")[0] for *_, w in name.related] == ["copyIndex() 1", "copyIndex() 2"]


def test_an_inner_deployment_gets_the_parameters_its_parent_passes_with_copy_index():
    result = _lint_file(INNER)
    found = [(d.line, d.column, d.severity.label) for d in result.diagnostics if d.code == "AIB401"]
    assert found == [(73, 38, "error"), (73, 38, "info"), (74, 29, "error")]
    (name,) = [d for d in result.diagnostics if d.code == "AIB102"]  # parameters('index') = copyIndex() of the parent
    assert "'img-0'" in name.message and "'img-2'" in name.related[1][3]


def test_copy_index_inside_an_inner_template_is_not_the_parents():
    template = _nested(INNER)
    _image_of(template)["properties"]["customize"][0]["inline"] = ["[format('sudo apt-get install {0}', string(copyIndex()))]"]
    # the inner template has no loop of its own: its copyIndex() is unknown, not 0..2
    assert _aib401(json.dumps(template, indent=2)) == []


def test_a_copied_deployment_with_an_unknown_count_is_linted_once():
    result = _lint_file(ROOT / "fixtures" / "AIB401" / "near_miss_arm_nested_copy_unknown_count.json")
    assert [d for d in result.diagnostics if d.code == "AIB401"] == []  # the parent's copyIndex() is unknown
    assert any(
        "nested deployment at /resources/0 is a copy loop whose count only the deployment knows" in n for n in result.notes
    )
    template = _nested(INNER)
    template["resources"][0]["copy"]["count"] = "[parameters('missing')]"
    found = _aib401(json.dumps(template, indent=2))
    assert [(line, "copy loop" in message) for line, _, _, message in found] == [(74, False)]  # the literal line, once


def test_a_copied_deployment_with_count_zero_deploys_nothing():
    result = _lint_file(ROOT / "fixtures" / "AIB401" / "near_miss_arm_nested_copy_count_zero.json")
    assert result.diagnostics == []  # not even AIB002: ARM deploys no instance of the template
    assert any("copy loop with count 0" in note for note in result.notes)


def test_a_false_condition_on_a_nested_deployment_is_a_note_not_aib002():
    template = _nested(OUTER)
    del template["resources"][0]["copy"]
    template["resources"][0]["condition"] = False
    result = _lint_text(json.dumps(template, indent=2))
    assert result.diagnostics == []
    assert any("nested deployment at /resources/0 has a false condition" in note for note in result.notes)


def test_a_condition_per_deployment_instance_skips_only_those_instances():
    template = _nested(OUTER)
    template["resources"][0]["condition"] = "[not(equals(copyIndex(), 0))]"
    found = _aib401(json.dumps(template, indent=2))
    assert sorted(
        (severity, message.split(" (copy loop ")[-1]) for _, _, severity, message in found if "copy loop" in message
    ) == [
        ("error", "'deployments': copyIndex() 2 of 3 instances)"),
        ("info", "'deployments': copyIndex() 1 of 3 instances)"),
    ]


def test_a_copied_image_template_inside_a_copied_deployment_expands_both_loops():
    template = _nested(OUTER)
    template["resources"][0]["copy"]["count"] = 2
    image = _image_of(template)
    image["copy"] = {"name": "images", "count": 2}
    # copyIndex() is the image template's own loop; copyIndex('deployments') still the parent's
    image["properties"]["customize"][0]["inline"] = [
        "[format('sudo apt-get install {0}', parameters('packages')[add(copyIndex('deployments'), copyIndex())])]"
    ]
    located = locate(parse(json.dumps(template)))
    assert [[(link.loop, link.index) for link in item.copy.chain] for item in located if item.copy] == [
        [("deployments", 0), ("images", 0)],
        [("deployments", 0), ("images", 1)],
        [("deployments", 1), ("images", 0)],
        [("deployments", 1), ("images", 1)],
    ]
    found = sorted(
        (severity, message.split(" (copy loops ")[-1]) for _, _, severity, message in _aib401(json.dumps(template, indent=2))
    )
    # packages[0 + 0] nginx, [0 + 1] curl, [1 + 0] curl, [1 + 1] htop
    assert found == [
        ("error", "'deployments' > 'images': instances (0, 0), (1, 1) of 4)"),
        ("info", "'deployments' > 'images': instances (0, 1), (1, 0) of 4)"),
    ]


def test_nested_loops_together_expand_at_most_the_bound():
    template = _nested(OUTER)
    template["resources"][0]["copy"]["count"] = 20
    image = _image_of(template)
    image["copy"] = {"name": "images", "count": 20}  # 20 x 20 = 400 > MAX_RESOURCE_COPIES
    located = locate(parse(json.dumps(template)))
    assert len(located) == 20 and all(item.copy is not None and item.copy.outer is None for item in located)
    assert f"more than the {MAX_RESOURCE_COPIES // 20}" in located[0].notes[0]


def test_a_copied_deployment_shares_the_files_expansion_budget():
    template = _nested(OUTER)
    template["resources"][0]["copy"]["count"] = 150
    template["variables"] = {"padding": "x" * (MAX_EXPANDED_CHARS // 200)}  # ~20 KB: 150 instances fit once, not twice
    template["resources"].append(json.loads(json.dumps(template["resources"][0])))
    located = locate(parse(json.dumps(template, indent=2)))
    first = [item for item in located if item.resource.pointer.startswith("/resources/0/")]
    second = [item for item in located if item.resource.pointer.startswith("/resources/1/")]
    assert len(first) == 150 and [item.copy for item in second] == [None]
    assert "nested deployment at /resources/1 is a copy loop of 150 instances" in second[0].notes[0]


def test_fold_names_instances_of_nested_loops():
    def finding(message: str) -> Finding:
        return Finding("AIB401", message, Span(10, 13), "/p")

    outer = [CopyInstance("deps", index, 2) for index in range(2)]
    instances = [
        (CopyInstance("images", i, 2, outer[d]), [finding("a" if (d, i) == (0, 1) else "b")]) for d in range(2) for i in range(2)
    ]
    folded = fold_instances(instances)
    assert [f.message for f in folded] == [
        "b (copy loops 'deps' > 'images': instances (0, 0), (1, 0), (1, 1) of 4; the other instances differ, see the related locations)"
    ]
    assert folded[0].related == ((None, 10, 13, "(0, 1): a"),)
