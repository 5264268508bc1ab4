"""The template author's review of ARM evaluation (issue 16): values ARM computes differently
from Python (.NET strings count UTF-16 units and change case one character at a time;
union() merges nested objects) and the use site of each script line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aiblint.arm import UNKNOWN
from aiblint.armeval import Scope, evaluate
from aiblint.config import Config
from aiblint.lint import LintOptions, lint_text

ROOT = Path(__file__).resolve().parent.parent
FORM04 = ROOT / "fixtures" / "AIB401" / "arm_form04_string_variable.json"


def _value(text: str):  # type: ignore[no-untyped-def]
    return evaluate(text, Scope(None))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[length('😀')]", 2),  # one character, two UTF-16 units
        ("[length('a😀b')]", 4),
        ("[substring('😀abc', 2, 1)]", "a"),
        ("[substring('😀abc', 2)]", "abc"),
        ("[substring('😀abc', 1, 1)]", UNKNOWN),  # half a surrogate pair: not a string we can know
        ("[substring('😀abc', 0, 2)]", "😀"),
        ("[skip('😀abc', 2)]", "abc"),
        ("[take('😀abc', 3)]", "😀a"),
        ("[take('😀abc', 1)]", UNKNOWN),
        ("[first('😀x')]", UNKNOWN),  # .NET's first character is half the emoji
        ("[last('x😀')]", UNKNOWN),
        ("[last('😀x')]", "x"),
        ("[first('éx')]", "é"),
        ("[length('héllo')]", 5),
        ("[substring('héllo', 1, 3)]", "éll"),
    ],
)
def test_string_functions_count_utf16_units_like_dotnet(expression, expected):
    assert _value(expression) == expected if expected is not UNKNOWN else _value(expression) is UNKNOWN


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[toUpper('abc é')]", "ABC É"),
        ("[toLower('ÀB')]", "àb"),
        ("[toLower('ΟΔΟΣ')]", "οδοσ"),  # one character at a time: no final-sigma rule
        ("[toUpper('straße')]", UNKNOWN),  # Python makes SS (two characters); .NET keeps one
        ("[toLower('İ')]", UNKNOWN),  # Python makes i + combining dot
    ],
)
def test_case_changes_one_character_at_a_time_or_stay_unknown(expression, expected):
    assert _value(expression) == expected if expected is not UNKNOWN else _value(expression) is UNKNOWN


def test_union_merges_nested_objects_and_replaces_nested_arrays():
    merged = _value(
        "[union(createObject('p', createObject('one', 'a', 'three', 'c1'), 'arr', createArray(1, 2)),"
        " createObject('p', createObject('three', 'c2', 'four', 'd'), 'arr', createArray(3)))]"
    )
    assert merged == {"p": {"one": "a", "three": "c2", "four": "d"}, "arr": [3]}
    assert _value("[union(createObject('a', 1), createObject('a', createObject('x', 1)))]") == {"a": {"x": 1}}


def _lint(text: str, name: str = "t.json"):  # type: ignore[no-untyped-def]
    return lint_text(text, name, Config(), None, LintOptions())


def _form04(variables: str, inline: str) -> str:
    text = FORM04.read_text()
    text = text.replace('"step": "sudo apt-get install nginx"', variables)
    old = """"inline": [
              "set -e",
              "[variables('step')]"
            ]"""
    assert old in text
    return text.replace(old, '"inline": ' + inline)


def _at(result, d) -> str:  # type: ignore[no-untyped-def]
    offset = result.lines.offset(d.line, d.column)
    return result.lines.text[offset : offset + 7]


def test_a_substring_past_an_emoji_reports_the_command_where_it_is_written():
    text = _form04(r'"s": "\ud83d\ude00 sudo apt-get install nginx"', """["[substring(variables('s'), 3)]"]""")
    result = _lint(text)
    (finding,) = [d for d in result.diagnostics if d.code == "AIB401"]
    assert _at(result, finding) == "apt-get"


def test_union_of_nested_objects_reaches_the_script():
    text = _form04(
        '"a": {"x": {"one": "sudo apt-get install nginx"}}, "b": {"x": {"two": "echo"}}',
        """["[union(variables('a'), variables('b')).x.one]"]""",
    )
    result = _lint(text)
    (finding,) = [d for d in result.diagnostics if d.code == "AIB401"]
    assert _at(result, finding) == "apt-get" and finding.line == 5


def _column_of(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_a_literal_line_beside_an_expression_line_has_no_use_site():
    # only the line that came through the expression names it; the literal line is written here
    expression = "\"[format('sudo apt-get install {0}', variables('pkg'))]\""
    text = _form04('"pkg": "nginx"', f'[{expression}, "sudo apt-get install jq"]')
    result = _lint(text)
    found = {(d.line, d.column): d.related for d in result.diagnostics if d.code == "AIB401"}
    line, column = _column_of(text, expression)
    assert found == {
        (line, column + len("\"[format('sudo ")): (("t.json", line, column, "used by customize[0]"),),
        _column_of(text, "apt-get install jq"): (),
    }


def test_each_expression_line_names_its_own_use_site():
    text = _form04(
        '"a": "sudo apt-get install nginx", "b": "sudo apt-get install htop"',
        """["[variables('a')]", "echo between", "[variables('b')]"]""",
    )
    result = _lint(text)
    uses = sorted((d.column, d.related) for d in result.diagnostics if d.code == "AIB401")
    assert [column for column, _ in uses] == [
        _column_of(text, "apt-get install nginx")[1],
        _column_of(text, "apt-get install htop")[1],
    ]
    assert [related[0][1:3] for _, related in uses] == [
        _column_of(text, "\"[variables('a')]\""),
        _column_of(text, "\"[variables('b')]\""),
    ]


def test_each_customizer_of_a_property_copy_loop_names_its_own_use_site():
    # two customizers made by one properties.copy loop report at the same source characters:
    # the related location says which customizer each finding belongs to
    path = ROOT / "fixtures" / "AIB401" / "arm_copy_loop_customizers.json"
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    found = sorted((d.severity.label, d.related) for d in result.diagnostics if d.code == "AIB401")
    text = path.read_text()
    expression = "\"[format('sudo apt-get install {0}', parameters('packages')[copyIndex('customize')])]\""
    line, column = _column_of(text, expression)
    assert found == [
        ("error", ((str(path), line, column, "used by customize[0]"),)),  # nginx
        ("info", ((str(path), line, column, "used by customize[1]"),)),  # curl, preinstalled
    ]
    assert all(d.fix is None for d in result.diagnostics if d.code == "AIB401")  # one loop input, several values


def test_an_existing_image_template_in_language_version_2_is_a_reference_not_a_template():
    path = ROOT / "fixtures" / "AIB401" / "arm_language_v2.json"
    template = json.loads(path.read_text())
    template["resources"]["previous"] = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "name": "previous",
        "existing": True,
    }
    alone_deployed = _lint(path.read_text())
    result = _lint(json.dumps(template, indent=2))
    # only the deployed template's findings; the reference has no properties and is not linted
    assert {d.code for d in result.diagnostics} == {d.code for d in alone_deployed.diagnostics} == {"AIB401", "AIB101"}
    alone = {k: v for k, v in template.items() if k != "resources"} | {
        "resources": {"previous": template["resources"]["previous"]}
    }
    result = _lint(json.dumps(alone, indent=2))
    assert result.diagnostics == [] and any("existing" in note for note in result.notes)  # not AIB002 either


ARM_FORMS = sorted(p for p in (ROOT / "fixtures" / "AIB401").glob("arm_*.json") if not p.name.endswith(".parameters.json"))


def _utf16(line: str, column: int) -> int:
    """A 1-based code-point column as LSP's 0-based UTF-16 character."""
    return len(line[: column - 1].encode("utf-16-le")) // 2


@pytest.mark.parametrize("path", ARM_FORMS, ids=[p.stem for p in ARM_FORMS])
def test_every_format_reports_each_arm_form_at_the_same_characters(path):
    from aiblint.report import renderer

    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    every = result.diagnostics  # a parameter file's findings too
    expected = sorted((d.code, d.line, d.column, d.end_line, d.end_column) for d in every)
    related = sorted((d.code, d.line, d.column, r[1], r[2]) for d in every for r in d.related)
    data = json.loads(renderer("json")([result]))
    assert sorted((d["code"], d["line"], d["column"], d["end_line"], d["end_column"]) for d in data["diagnostics"]) == expected
    sarif = json.loads(renderer("sarif")([result]))
    regions = []
    sarif_related = []
    for found in sarif["runs"][0]["results"]:
        region = found["locations"][0]["physicalLocation"]["region"]
        at = (found["ruleId"], region["startLine"], region["startColumn"])
        regions.append((*at, region.get("endLine", region["startLine"]), region["endColumn"]))
        for other in found.get("relatedLocations", []):
            where = other["physicalLocation"]["region"]
            sarif_related.append((*at, where["startLine"], where["startColumn"]))
    assert sorted(regions) == expected and sorted(sarif_related) == related
    # LSP: 0-based, UTF-16 characters (a raw emoji before the command counts two)
    texts = {d.file: Path(d.file).read_text().split("\n") for d in every}
    lsp = json.loads(renderer("lsp")([result]))
    ranges = sorted((d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"]) for ds in lsp.values() for d in ds)
    assert ranges == sorted((d.code, d.line - 1, _utf16(texts[d.file][d.line - 1], d.column)) for d in every)
    github = renderer("github")([result])
    for code, line, column, end_line, end_column in expected:
        assert f"line={line},col={column},endLine={end_line},endColumn={end_column},title={code}::" in github


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[map(range(1, 3), lambda('i', add(lambdaVariables('i'), 1)))]", [2, 3, 4]),
        (
            "[map(createArray('a', 'b'), lambda('x', 'i', format('{0}{1}', lambdaVariables('x'), lambdaVariables('i'))))]",
            ["a0", "b1"],
        ),
        ("[filter(createArray(1, 2, 3), lambda('x', greater(lambdaVariables('x'), 1)))]", [2, 3]),
        ("[reduce(createArray(1, 2, 3), 10, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]", 16),
        ("[reduce(createArray(), 'x', lambda('c', 'n', lambdaVariables('n')))]", "x"),
        ("[filter(createArray(1, 2), lambda('x', lambdaVariables('x')))]", UNKNOWN),  # not a bool: ARM fails
        ("[map(createArray(1), lambda('x', lambdaVariables('y')))]", UNKNOWN),  # no such variable
        ("[map(createArray(1), lambda('x', utcNow()))]", UNKNOWN),
        ("[lambdaVariables('x')]", UNKNOWN),  # outside a lambda
        ("[map('abc', lambda('x', lambdaVariables('x')))]", UNKNOWN),
        ("[tryGet(createObject('A', createObject('b', 1)), 'a', 'B')]", 1),
        ("[tryGet(createObject('a', 1), 'z')]", None),
        ("[tryGet(createObject('a', 1), 'z', 'y')]", None),
        ("[tryGet(createArray(1), 5)]", None),
        ("[tryGet(createArray(1), -1)]", UNKNOWN),
        ("[tryGet('text', 0)]", UNKNOWN),
        ("[range(5, 2)]", [5, 6]),
        ("[range(0, 10001)]", UNKNOWN),  # over ARM's limit: the deployment fails
        (
            "[shallowMerge(createArray(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2), 'b', 3)))]",
            {"a": {"y": 2}, "b": 3},
        ),
        ("[padLeft('7', 3, '0')]", "007"),
        ("[padLeft(7, 3, '0')]", "007"),
        ("[padLeft('abcd', 3, '0')]", "abcd"),
        ("[padLeft('ab', 4)]", "  ab"),
        ("[padLeft('a', 3, '00')]", UNKNOWN),  # the padding must be one character
        ("[greater(2, 1)]", True),
        ("[lessOrEquals(2, 2)]", True),
        ("[less('a', 'B')]", UNKNOWN),  # strings compare by .NET culture rules
        ("[min(3, 1, 2)]", 1),
        ("[max(createArray(3, 1, 2))]", 3),
        # not implemented: unknown, never a guess
        ("[indexOf('abcdef', 'CD')]", UNKNOWN),
        ("[items(createObject('b', 1, 'a', 2))]", UNKNOWN),
        ("[objectKeys(createObject('b', 1))]", UNKNOWN),
        ("[sort(createArray(2, 1), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]", UNKNOWN),
    ],
)
def test_lambdas_and_the_functions_bicep_compiles_to(expression, expected):
    value = _value(expression)
    assert value is UNKNOWN if expected is UNKNOWN else value == expected


def test_a_lambda_over_a_huge_range_spends_the_budget_and_stays_unknown():
    import time

    start = time.perf_counter()
    value = _value(
        "[map(range(0, 10000), lambda('i', map(range(0, 10000), lambda('j', add(lambdaVariables('i'), lambdaVariables('j'))))))]"
    )
    assert value is UNKNOWN and time.perf_counter() - start < 30


def test_inline_lines_made_by_map_are_reported_where_their_text_is_written():
    text = _form04(
        '"steps": ["sudo apt-get install nginx", "echo ok", "sudo apt-get install htop"]',
        '''"[map(variables('steps'), lambda('s', trim(lambdaVariables('s'))))]"''',
    )
    result = _lint(text)
    found = [d for d in result.diagnostics if d.code == "AIB401"]
    assert sorted(d.column for d in found) == [
        _column_of(text, "apt-get install nginx")[1],
        _column_of(text, "apt-get install htop")[1],
    ]
    assert all(_at(result, d) == "apt-get" and d.related[0][3] == "used by customize[0]" for d in found)
    # one literal piece shared by every line: one finding at it (the same root cause)
    text = _form04(
        '"pkgs": ["nginx", "htop"]',
        '''"[map(variables('pkgs'), lambda('p', concat('sudo apt-get install ', lambdaVariables('p'))))]"''',
    )
    result = _lint(text)
    (finding,) = [d for d in result.diagnostics if d.code == "AIB401"]
    assert _at(result, finding) == "apt-get" and (finding.line, finding.column) == _column_of(text, "apt-get install ',")
