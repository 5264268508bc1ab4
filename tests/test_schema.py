"""Schemas generated from the swagger, ARM expressions, and the cost of validation."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aiblint.arm import ExpressionError, parse_expression
from aiblint.armeval import Resolver
from aiblint.config import Config
from aiblint.jsontree import parse
from aiblint.lint import LintOptions, lint_text
from aiblint.schema import known_versions, load_schema, validate
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = SHARED / "reference"
needs_reference = pytest.mark.skipif(
    not (REFERENCE / "swagger").is_dir(), reason="../shared/reference is not beside this checkout"
)


@needs_reference
def test_schemas_are_current_and_generation_is_deterministic(tmp_path):
    sys.path.insert(0, str(ROOT / "tools"))
    import generate_schemas

    first = generate_schemas.generate(REFERENCE)
    second = generate_schemas.generate(REFERENCE)
    assert first == second
    for name, text in first.items():
        assert (ROOT / "schemas" / name).read_text(encoding="utf-8") == text, (
            f"schemas/{name} is stale: run tools/generate_schemas.py"
        )


def test_every_version_has_a_schema_with_dispatching_customizers():
    assert "2018-02-01-preview" in known_versions() and "2025-10-01" in known_versions()
    schema = load_schema("2024-02-01")
    customizer = schema["$defs"]["ImageTemplateCustomizer"]
    assert customizer["properties"]["type"]["enum"] == ["File", "PowerShell", "Shell", "WindowsRestart", "WindowsUpdate"]
    assert all("if" in branch and "then" in branch for branch in customizer["allOf"])
    assert "oneOf" not in json.dumps(schema)
    properties = schema["$defs"]["ImageTemplateProperties"]
    assert "provisioningState" not in properties["properties"]
    assert "provisioningState" in properties["x-aiblint-readonly"]


@pytest.mark.parametrize(
    "text",
    [
        "[parameters('a')]",
        "[concat('a', 'it''s', parameters('b'))]",
        "[resourceGroup().location]",
        "[variables('x')[0].name]",
        "[contoso.tagValue('x')]",
        "[map(range(0, 3), lambda('i', add(lambdaVariables('i'), 1)))]",
        "[shallowMerge(createArray(createObject('a', 1)))]",
        "[tryGet(parameters('o'), 'key')]",
        "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 's'), '2023-01-01').keys[0].value]",
    ],
)
def test_valid_expressions_parse(text):
    parse_expression(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[concat('a', parameters('b')]", "unbalanced"),
        ("[concat('a]", "unterminated"),
        ("[notAFunction(1)]", "unknown function"),
        ("[]", "empty"),
        ("[concat('a',,)]", "cannot parse"),
    ],
)
def test_malformed_expressions_say_why(text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_expression(text)


def test_resolver_follows_parameter_defaults_and_variables():
    doc = parse(
        '{"parameters": {"loc": {"type": "string", "defaultValue": "westeurope"}, "v": {"type": "string"}},'
        ' "variables": {"name": "[concat(\'img-\', parameters(\'loc\'))]", "obj": {"size": "Standard_D2s_v3"}},'
        ' "resources": []}'
    )
    resolver = Resolver(doc.root)  # type: ignore[arg-type]
    assert resolver.string("[parameters('loc')]") == "westeurope"
    assert resolver.string("[variables('name')]") == "img-westeurope"
    assert resolver.string("[variables('obj').size]") == "Standard_D2s_v3"
    assert resolver.string("[toUpper(parameters('loc'))]") == "WESTEUROPE"
    assert resolver.string("[parameters('v')]") is not None  # unknown, not an error
    assert resolver.string("[[literal]") == "[literal]"


def test_arm_template_full_of_expressions_has_no_value_findings():
    path = ROOT / "fixtures" / "AIB012" / "near_miss_arm_expressions.json"
    result = lint_text(path.read_text(), "x.json", Config(), path, LintOptions())
    codes = {d.code for d in result.diagnostics}
    assert not codes & {"AIB012", "AIB020", "AIB021", "AIB022", "AIB023", "AIB024", "AIB025", "AIB026", "AIB027"}, codes


def _big_template() -> str:
    template = json.loads((ROOT / "examples" / "windows-good.json").read_text())
    step = template["properties"]["customize"][0]
    template["properties"]["customize"] = [dict(step, name=f"step{i}") for i in range(160)]
    return json.dumps(template, indent=2)


def test_validating_a_50kb_template_takes_under_30ms_once_loaded():
    text = _big_template()
    assert len(text) >= 50_000
    resource = parse(text).root
    validate(resource, "2024-02-01", arm=False)  # loads the schema and builds the validator
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        validate(resource, "2024-02-01", arm=False)
        runs.append(time.perf_counter() - start)
    assert sorted(runs)[2] < 0.030, runs


def test_a_schema_is_loaded_at_most_once_per_run():
    code = (
        "import json, aiblint.schema as s\n"
        "from aiblint.cli import main\n"
        "main(['--quiet', '--exit-zero', 'examples/ubuntu-good.json', 'examples/windows-good.json', 'examples/ubuntu-hazards.json'])\n"
        "print(json.dumps(s.load_schema.cache_info()._asdict()))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    info = json.loads(result.stdout.strip().splitlines()[-1])
    assert info["misses"] == 2  # 2024-02-01 and 2022-07-01, each read once
