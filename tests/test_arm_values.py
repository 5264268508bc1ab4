"""ARM values as the deployment sees them: scripts and fields through expressions, at the
position of their source text, within budgets (issue 16, issue 14 item 7, issue 15 item 1)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from aiblint.arm import UNKNOWN, ExpressionError, parse_expression
from aiblint.armeval import Scope, evaluate
from aiblint.config import Config
from aiblint.jsontree import ObjectNode, parse
from aiblint.lint import LintOptions, lint_text

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "fixtures" / "AIB401"


def _lint(text: str, config: Config | None = None, path: Path | None = None):  # type: ignore[no-untyped-def]
    return lint_text(text, "t.json", config or Config(), path, LintOptions())


def _scope(template: dict) -> Scope:  # type: ignore[type-arg]
    root = parse(json.dumps(template)).root
    assert isinstance(root, ObjectNode)
    return Scope(root)


# -- every form of giving a customizer its script: found at its source text -------------------

FORM_FILES = sorted(p for p in FORMS.glob("arm_*.json") if not p.name.endswith(".parameters.json"))


@pytest.mark.parametrize("path", FORM_FILES, ids=[p.stem for p in FORM_FILES])
def test_each_form_reports_at_the_source_text_of_the_command(path):
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    findings = [d for d in result.diagnostics if d.code == "AIB401"]
    assert findings, f"{path.name}: the apt-get install without -y was not found"
    for d in findings:
        lines = result.other_files.get(d.file) if d.file != str(path) else result.lines
        assert lines is not None
        offset = lines.offset(d.line, d.column)
        # The reported character is the `a` of apt-get where it is written (escapes counted).
        assert lines.text[offset : offset + 7] == "apt-get", (path.name, d.line, d.column)


def test_a_finding_reached_through_an_expression_names_its_use_site():
    path = FORMS / "arm_form04_string_variable.json"
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    (finding,) = [d for d in result.diagnostics if d.code == "AIB401"]
    ((file, line, column, what),) = finding.related
    assert what == "used by customize[0]" and file == str(path)
    text = path.read_text()
    use = result.lines.offset(line, column)  # type: ignore[union-attr]
    assert text[use:].startswith("\"[variables('step')]\"")
    from aiblint.report import renderer

    assert f"  = used by customize[0]: {path}:{line}:{column}" in renderer("text")([result], quiet=True, source=True)


def test_a_parameter_file_beside_the_template_gives_the_value_and_its_position():
    path = FORMS / "arm_parameter_file.json"
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    (finding,) = [d for d in result.diagnostics if d.code == "AIB401"]
    assert finding.file.endswith("arm_parameter_file.parameters.json")
    assert finding.related[0][0] == str(path)


def test_parameters_option_names_the_file(tmp_path):
    template = (FORMS / "arm_parameter_file.json").read_text()
    values = tmp_path / "prod.json"
    values.write_text('{"parameters": {"step": {"value": "sudo yum install httpd"}}}')
    result = _lint(template, Config(parameters=str(values)))
    assert [d.code for d in result.diagnostics if d.code.startswith("AIB4")] == ["AIB401"]
    assert result.diagnostics and any(d.file == str(values) for d in result.diagnostics)


@pytest.mark.parametrize(
    "name",
    [
        "near_miss_arm_unused_variable",
        "near_miss_arm_unknown_parameter",
        "near_miss_arm_condition_false",
        "near_miss_arm_unknown_function",
    ],
)
def test_near_misses_stay_quiet(name):
    path = FORMS / f"{name}.json"
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    assert not [d for d in result.diagnostics if d.code.startswith("AIB4")]


# -- values -----------------------------------------------------------------------------------


def test_functions_follow_arm():
    scope = _scope(
        {
            "parameters": {"p": {"type": "string", "defaultValue": "Nginx"}, "none": {"type": "string"}},
            "variables": {"list": ["a", "b", "c"], "obj": {"Key": "v"}},
            "resources": [],
        }
    )
    cases = {
        "[toLower(parameters('p'))]": "nginx",
        "[concat('a', 'b', 1)]": "ab1",
        "[format('{0}-{1,4}|{2,-3}|{{x}}', 'a', 'b', 'c')]": "a-   b|c  |{x}",
        "[format('{0:D3}', 7)]": "007",
        "[replace('a.b.c', '.', '/')]": "a/b/c",
        "[split('a,b', ',')]": ["a", "b"],
        "[join(variables('list'), '-')]": "a-b-c",
        "[trim('  x ')]": "x",
        "[first(variables('list'))]": "a",
        "[last(variables('list'))]": "c",
        "[take(variables('list'), 2)]": ["a", "b"],
        "[skip('abc', 1)]": "bc",
        "[variables('obj').key]": "v",
        "[if(equals(parameters('p'), 'Nginx'), 'yes', utcNow())]": "yes",
        "[coalesce(null(), 'x')]": "x",
        "[base64ToString(base64('hi'))]": "hi",
        "[string(createObject('a', 1).a)]": "1",
        "[union(createArray('a'), createArray('a', 'b'))]": ["a", "b"],
        "[resourceId('sub', 'rg', 'Microsoft.Compute/galleries/images', 'g', 'i')]": "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i",
        "[subscriptionResourceId('sub', 'Microsoft.Resources/resourceGroups', 'rg')]": "/subscriptions/sub/providers/Microsoft.Resources/resourceGroups/rg",
    }
    for text, expected in cases.items():
        assert evaluate(text, scope) == expected, text


@pytest.mark.parametrize(
    "text",
    [
        "[resourceGroup().location]",
        "[newGuid()]",
        "[utcNow()]",
        "[reference('x').id]",
        "[parameters('none')]",
        "[parameters('undeclared')]",
        "[resourceId('Microsoft.Compute/images', 'x')]",  # the deployment's own subscription and group
        "[concat('sudo apt-get install ', parameters('none'))]",
        "[format('{0} {1}', 'only one')]",
    ],
)
def test_what_only_the_deployment_knows_stays_unknown(text):
    scope = _scope({"parameters": {"none": {"type": "string"}}, "resources": []})
    assert evaluate(text, scope) is UNKNOWN


# -- budgets (issue 14 item 7) -----------------------------------------------------------------


def _laughs() -> str:
    variables = {"v0": "lol"}
    for level in range(1, 10):
        variables[f"v{level}"] = "[concat(" + ", ".join([f"variables('v{level - 1}')"] * 10) + ")]"
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "variables": variables,
        "resources": [
            {
                "type": "Microsoft.VirtualMachineImages/imageTemplates",
                "apiVersion": "2024-02-01",
                "name": "[variables('v9')]",
                "location": "westeurope",
                "properties": {"customize": [{"type": "Shell", "name": "[variables('v9')]", "inline": ["[variables('v9')]"]}]},
            }
        ],
    }
    return json.dumps(template)


def test_billion_laughs_is_instant_and_unknown_with_one_note():
    text = _laughs()
    assert len(text) < 3500
    start = time.perf_counter()
    result = _lint(text)
    assert time.perf_counter() - start < 2.0
    notes = [n for n in result.notes if "evaluation" in n or "characters" in n]
    assert len(notes) == 1, result.notes


def test_format_is_dotnet_composite_formatting_not_python():
    scope = _scope({"resources": []})
    start = time.perf_counter()
    assert evaluate("[format('{0:>1500000000}', 'a')]", scope) is UNKNOWN  # not a .NET format item
    assert evaluate("[format('{0,1500000000}', 'a')]", scope) is UNKNOWN  # over the size budget
    assert evaluate("[format('{0.__class__}', 'a')]", scope) is UNKNOWN
    assert evaluate("[format('{0[0]}', 'abc')]", scope) is UNKNOWN
    assert evaluate("[format('{name}', 'a')]", scope) is UNKNOWN
    assert evaluate("[format('}', 'a')]", scope) is UNKNOWN
    assert time.perf_counter() - start < 0.5


def test_fifty_nested_calls_in_a_customizer_type_do_not_crash():
    nested = "[" + "toLower(" * 50 + "'Shell'" + ")" * 50 + "]"
    template = json.loads(_laughs())
    template["resources"][0]["properties"]["customize"][0]["type"] = nested
    result = _lint(json.dumps(template))
    assert result.diagnostics is not None
    deep = "[" + "toLower(" * 1000 + "'Shell'" + ")" * 1000 + "]"
    with pytest.raises(ExpressionError, match="nested more than"):
        parse_expression(deep)


def test_a_long_chain_of_variables_is_no_recursion_error():
    variables = {"v0": "sudo apt-get install nginx"} | {f"v{i}": f"[variables('v{i - 1}')]" for i in range(1, 2000)}
    scope = _scope({"variables": variables, "resources": []})
    assert evaluate("[variables('v1999')]", scope) is UNKNOWN  # deeper than any real template
    assert evaluate("[variables('v10')]", scope) == "sudo apt-get install nginx"


def test_cycles_and_huge_numbers_are_unknown():
    scope = _scope({"variables": {"a": "[variables('b')]", "b": "[variables('a')]"}, "resources": []})
    assert evaluate("[variables('a')]", scope) is UNKNOWN
    with pytest.raises(ExpressionError):
        parse_expression("[string(" + "9" * 5000 + ")]")


def test_each_variable_is_evaluated_once():
    scope = _scope({"variables": {"a": "[concat('x', 'y')]"}, "resources": []})
    evaluate("[variables('a')]", scope)
    work = scope.budget.work
    for _ in range(100):
        evaluate("[variables('a')]", scope)
    assert scope.budget.work - work <= 100 * 3  # a cached reference: no re-evaluation


# -- apiVersion (issue 15 item 1) ----------------------------------------------------------------

_REPLICATION = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "parameters": {"api-version": {"type": "string"}},
    "resources": [
        {
            "type": "Microsoft.VirtualMachineImages/imageTemplates",
            "apiVersion": "[parameters('api-version')]",
            "name": "[utcNow()]",
            "location": "westeurope",
            "identity": {
                "type": "UserAssigned",
                "userAssignedIdentities": {
                    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib": {}
                },
            },
            "properties": {
                "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "o", "sku": "s", "version": "latest"},
                "distribute": [
                    {
                        "type": "SharedImage",
                        "galleryImageId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i",
                        "runOutputName": "x",
                        "replicationRegions": ["westeurope"],
                    }
                ],
            },
        }
    ],
}


def test_an_unknown_api_version_runs_only_version_independent_checks():
    result = _lint(json.dumps(_REPLICATION))
    codes = [d.code for d in result.diagnostics]
    assert "AIB016" not in codes  # required in 2020-02-14, deprecated later: depends on the version
    (note,) = [d for d in result.diagnostics if d.code == "AIB003"]
    assert note.severity.label == "info" and "the version is unknown" in note.message


def test_the_api_version_comes_from_the_config_or_a_parameter_default():
    result = _lint(json.dumps(_REPLICATION), Config(api_version="2024-02-01"))
    (deprecated,) = [d for d in result.diagnostics if d.code == "AIB016"]
    assert deprecated.severity.label == "info"  # 2024-02-01 still accepts it
    template = json.loads(json.dumps(_REPLICATION))
    template["parameters"]["api-version"]["defaultValue"] = "2020-02-14"
    assert "AIB016" not in [d.code for d in _lint(json.dumps(template)).diagnostics]


def test_no_api_version_in_a_rest_body_is_info():
    body = {k: v for k, v in _REPLICATION["resources"][0].items() if k != "apiVersion"}
    (note,) = [d for d in _lint(json.dumps(body)).diagnostics if d.code == "AIB003"]
    assert note.severity.label == "info"


def test_a_secure_parameter_in_inline_is_reported_where_it_is_used():
    path = ROOT / "fixtures" / "AIB030" / "secure_parameter_in_inline.json"
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    found = [d for d in result.diagnostics if d.code == "AIB030"]
    assert [d.message.split("'")[1] for d in found] == ["appToken", "adminPassword"]  # the second through a variable
    text = path.read_text().splitlines()
    assert text[found[0].line - 1][found[0].column - 1 :].startswith('"[format(')


@pytest.mark.parametrize(
    ("code", "case", "value"),
    [
        ("AIB021", "arm_concat_id", "segment 7 is 'web'"),
        ("AIB026", "arm_parameter_default", "Standard_D2s_v9"),
        ("AIB022", "arm_format_uri", "ftp://files.example.com/scripts/setup.sh"),
        ("AIB012", "arm_timeout_parameter", "buildTimeoutInMinutes 3"),
    ],
)
def test_value_rules_read_evaluated_values_and_report_the_use_site(code, case, value):
    path = ROOT / "fixtures" / code / f"{case}.json"
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    (finding,) = [d for d in result.diagnostics if d.code == code]
    assert value in finding.message
    line = path.read_text().splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith('"['), "reported at the expression that uses the value"


def test_an_unknown_condition_is_linted_with_a_note():
    template = json.loads((FORMS / "near_miss_arm_condition_false.json").read_text())
    template["resources"][0]["condition"] = "[equals(resourceGroup().location, 'westeurope')]"
    result = _lint(json.dumps(template))
    assert "AIB401" in [d.code for d in result.diagnostics]
    assert any("condition only the deployment knows" in note for note in result.notes)


def test_sarif_and_lsp_carry_the_use_site():
    from aiblint.report import renderer

    path = FORMS / "arm_form04_string_variable.json"
    result = lint_text(path.read_text(), str(path), Config(), path, LintOptions())
    sarif = json.loads(renderer("sarif")([result]))
    (found,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "AIB401"]
    assert found["relatedLocations"][0]["message"]["text"] == "used by customize[0]"
    lsp = json.loads(renderer("lsp")([result]))
    (items,) = [v for v in lsp.values() if v]
    (item,) = [i for i in items if i["code"] == "AIB401"]
    assert (
        item["relatedInformation"][0]["location"]["range"]["start"]["line"]
        == found["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] - 1
    )


@pytest.mark.parametrize(
    "text",
    [
        "[union(variables('big'), variables('big'))]",
        "[concat(variables('big'), variables('big'), variables('big'))]",
        "[replace(variables('text'), 'a', variables('text'))]",
        "[join(createArray(variables('text'), variables('text')), variables('text'))]",
        "[format('{0}{0}{0}{0}', variables('text'))]",
        "[json(concat('[', variables('text'), ']'))]",
        "[split(variables('text'), '')]",
    ],
)
def test_large_values_stay_bounded(text):
    twenty = ", ".join(["variables('{0}')"] * 20)
    variables = {
        "k": "a" * 1000,
        "k2": "[concat(" + twenty.format("k") + ")]",
        "text": "[concat(" + twenty.format("k2") + ")]",  # 400,000 characters
        "c": "a," * 1000,
        "c2": "[concat(" + twenty.format("c") + ")]",
        "big": "[split(concat(" + twenty.format("c2") + "), ',')]",  # 400,001 items
    }
    scope = _scope({"variables": variables, "resources": []})
    assert len(evaluate("[variables('text')]", scope)) == 400_000
    assert len(evaluate("[variables('big')]", scope)) == 400_001
    start = time.perf_counter()
    evaluate(text, scope)
    assert time.perf_counter() - start < 5.0
