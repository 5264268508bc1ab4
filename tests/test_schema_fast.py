"""The quick validity check agrees with jsonschema, so skipping jsonschema loses nothing."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiblint.arm import ArmExpression
from aiblint.jsontree import JsonSyntaxError, parse
from aiblint.locate import locate
from aiblint.schema import _quick_validator, _validator, known_versions, load_schema, to_instance
from aiblint.schema_fast import QuickValidator
from tests.conftest import corpus_files, needs_corpus

ROOT = Path(__file__).resolve().parent.parent
STABLE = [v for v in known_versions() if not v.endswith("-preview")]


def jsonschema_valid(version: str, instance: Any) -> bool:
    return next(iter(_validator(version).iter_errors(instance)), None) is None


def instances(paths: list[Path]) -> list[Any]:
    found = []
    for path in paths:
        try:
            document = parse(path.read_bytes().decode("utf-8-sig", errors="replace"))
        except JsonSyntaxError:
            continue
        for located in locate(document):
            found.append(to_instance(located.resource, located.kind != "bare"))
    return found


EXAMPLES = instances(sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "fixtures").glob("AIB*/*.json")))


@pytest.mark.parametrize("version", known_versions())
def test_every_shipped_schema_is_within_the_quick_keywords(version):
    # Otherwise every template would silently take the slow path.
    assert QuickValidator(load_schema(version)).usable


def test_a_valid_template_is_answered_without_jsonschema():
    valid = [i for i in EXAMPLES if jsonschema_valid("2024-02-01", i)]
    assert len(valid) >= 3
    assert all(_quick_validator("2024-02-01").conforms(i) for i in valid)


@pytest.mark.parametrize("version", STABLE)
def test_agrees_with_jsonschema_on_examples_and_fixtures(version):
    quick = _quick_validator(version)
    for instance in EXAMPLES:
        assert quick.conforms(instance) == jsonschema_valid(version, instance)


@needs_corpus
@pytest.mark.parametrize("version", ["2020-02-14", "2022-07-01", "2024-02-01"])
def test_agrees_with_jsonschema_on_the_corpus(version):
    quick = _quick_validator(version)
    corpus = instances(corpus_files())
    assert len(corpus) > 150
    agreed_valid = 0
    for instance in corpus:
        expected = jsonschema_valid(version, instance)
        assert quick.conforms(instance) == expected
        agreed_valid += expected
    assert agreed_valid > 0  # the corpus exercises the "valid" answer too


REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "Shell", "shell", "PowerShell", "abc", "Standard_D2s_v3", "1.0.0", "PT1H", "Enabled"]),
    st.just([]),
    st.just({}),
    st.just(["echo hi", 3]),
    st.builds(ArmExpression, st.just("[parameters('x')]")),
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate(instance: Any, path: tuple, action: str, replacement: Any) -> Any:
    if not path:
        return replacement
    mutated = copy.deepcopy(instance)
    parent = mutated
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        parent[str(last).upper()] = parent.pop(last)
    else:
        parent[last] = replacement
    return mutated


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.data(),
    st.sampled_from(STABLE),
    st.sampled_from(["replace", "delete", "rename"]),
    REPLACEMENTS,
)
def test_agrees_with_jsonschema_on_mutations(data, version, action, replacement):
    base = data.draw(st.sampled_from([i for i in EXAMPLES if isinstance(i, dict)]))
    path = data.draw(st.sampled_from(_paths(base)))
    instance = _mutate(base, path, action, replacement)
    assert _quick_validator(version).conforms(instance) == jsonschema_valid(version, instance)


def test_an_unknown_keyword_turns_the_quick_path_off():
    assert not QuickValidator({"type": "object", "oneOf": [{"type": "object"}]}).usable
    assert not QuickValidator({"$ref": "https://example.com/schema.json"}).usable
    assert QuickValidator({"type": "object", "x-aiblint-def": "T", "description": "d"}).usable


@pytest.mark.parametrize(
    ("schema", "instance", "valid"),
    [
        ({"type": "integer"}, 3.0, True),  # Draft 2020-12: 3.0 is an integer
        ({"type": "integer"}, True, False),
        ({"enum": [1]}, True, False),
        ({"enum": ["a"]}, ArmExpression("[x()]"), True),
        ({"items": False}, [], True),
        ({"items": False}, [1], False),
        ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": False}, {"a": 1}, False),
        ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": False}, {"c": 1}, False),
        ({"additionalProperties": {"type": "string"}}, {"a": 1}, False),
        ({"pattern": "^a"}, "ba", False),
        ({"minimum": 1, "maximum": 2}, 2.5, False),
    ],
)
def test_keyword_semantics_match_jsonschema(schema, instance, valid):
    from jsonschema import Draft202012Validator

    assert QuickValidator(schema).conforms(instance) is valid
    if not isinstance(instance, ArmExpression):
        assert Draft202012Validator(schema).is_valid(instance) is valid
