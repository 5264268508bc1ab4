"""The shipped data files, the rule pages' heads and the configuration follow their strict
pydantic models (tools/data_models.py); the configuration's JSON Schema is current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("pydantic")

from pydantic import ValidationError

from aiblint import config as config_module
from aiblint.codes import page_codes
from aiblint.rules import load_all
from tools import generate_config_schema
from tools.data_models import (
    DATA,
    DATA_MODELS,
    AiblintConfig,
    BuildTime,
    Signatures,
    rule_page_head,
    validate_data_file,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(DATA_MODELS))
def test_data_file_follows_its_model(name):
    validate_data_file(DATA / name)


def test_every_data_file_has_a_model():
    assert {p.name for p in DATA.glob("*.json")} == set(DATA_MODELS)


def test_the_models_are_strict():
    data = json.loads((DATA / "build_time.json").read_text(encoding="utf-8"))
    data["parts"]["capture"]["minutes"] = "10"  # a string is not coerced
    with pytest.raises(ValidationError):
        BuildTime.model_validate_json(json.dumps(data))
    data["parts"]["capture"]["minutes"] = 10
    data["parts"]["capture"]["reason"] = "x"  # nor an unknown key ignored
    with pytest.raises(ValidationError):
        BuildTime.model_validate_json(json.dumps(data))


def test_signatures_name_existing_rules_and_compiling_patterns():
    signatures = Signatures.model_validate_json((DATA / "signatures.json").read_text(encoding="utf-8"))
    codes = set(page_codes())
    named = {code for s in signatures.signatures for code in [*s.rules, *(r for v in s.variants for r in v.rules)]}
    assert named - codes == set()
    broken = json.loads((DATA / "signatures.json").read_text(encoding="utf-8"))
    broken["signatures"][0]["patterns"] = ["unbalanced ("]
    with pytest.raises(ValidationError):
        Signatures.model_validate_json(json.dumps(broken))


def test_rule_page_heads_follow_the_model_and_the_registry():
    signatures = Signatures.model_validate_json((DATA / "signatures.json").read_text(encoding="utf-8"))
    ids = {s.id for s in signatures.signatures}
    rules = load_all()
    for path in sorted((ROOT / "rules").glob("AIB*.md")):
        head = rule_page_head(path)
        assert head.code == path.stem
        assert head.title == rules[head.code].title
        assert set(head.guide_ids) - ids == set(), f"{path.name} names a guide id aiblint diagnose does not know"


# -- the configuration ----------------------------------------------------------------------


def test_the_model_has_exactly_the_keys_config_py_reads():
    aliases = {field.alias or name for name, field in AiblintConfig.model_fields.items()}
    assert aliases == config_module._KEYS


TABLES = [
    ({}, True),
    ({"select": ["AIB4", "AIB001"], "ignore": ["AIB401"], "extend-select": ["AIB403"]}, True),
    ({"per-file-ignores": {"legacy/*.json": ["AIB1"]}, "severity": {"AIB2": "info"}}, True),
    ({"fail-on": "error", "profile": "azure-devops-hosted", "devops-job-minutes": 120}, True),
    ({"script-roots": {"https://example.com/scripts/": "scripts"}, "shellcheck": True}, True),
    ({"selct": ["AIB4"]}, False),
    ({"select": "AIB4"}, False),
    ({"severity": {"AIB2": "fatal"}}, False),
    ({"fail-on": "never"}, False),
    ({"profile": "github"}, False),
    ({"devops-job-minutes": 0}, False),
    ({"devops-job-minutes": "60"}, False),
    ({"script-roots": {"scripts/": "scripts"}}, False),
    ({"shellcheck": "yes"}, False),
]


@pytest.mark.parametrize(("table", "valid"), TABLES, ids=[json.dumps(t) for t, _ in TABLES])
def test_config_py_and_the_model_agree(table, valid, tmp_path):
    try:
        config_module.config_from_table(table, tmp_path / ".aiblint.toml")
        accepted = True
    except config_module.ConfigError:
        accepted = False
    try:
        AiblintConfig.model_validate(table)
        modelled = True
    except ValidationError:
        modelled = False
    assert (accepted, modelled) == (valid, valid)


def test_the_shipped_json_schema_is_current():
    shipped = generate_config_schema.OUT.read_text(encoding="utf-8")
    assert shipped == generate_config_schema.rendered(), "run python tools/generate_config_schema.py"
    schema = json.loads(shipped)
    assert set(schema["properties"]) == config_module._KEYS
    assert schema["additionalProperties"] is False
