"""Validate a template against the JSON Schema of its apiVersion and say what is wrong.

Schemas are generated from the REST API specs (tools/generate_schemas.py) into
``schemas/<version>.json``; each is loaded at most once per run. Validation uses
jsonschema with an empty registry (no remote ``$ref`` can be fetched) and a validator
class that treats ARM expressions (``"[parameters('x')]"``) as valid wherever a value goes.
Errors become findings with one code per root cause: missing (AIB010), unknown (AIB011),
wrong value (AIB012), letter case (AIB014), read-only (AIB015), deprecated (AIB016).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from aiblint.arm import ArmExpression, is_expression
from aiblint.diagnostics import Severity
from aiblint.jsontree import AnyNode, ArrayNode, LiteralNode, NumberNode, ObjectNode, StringNode
from aiblint.literals import PLACEHOLDER
from aiblint.schema_fast import QuickValidator

STRICT_FROM = "2024-02-01"  # the service rejects unknown fields and wrong case from here on

# Keys the docs once used, still accepted (AIB016) rather than unknown (AIB011).
DEPRECATED_KEYS = {
    "VirtualNetworkConfig": {
        "name": "the 2019 form of the VNet settings: use subnetId (the subnet's resource ID)",
        "subnetName": "the 2019 form of the VNet settings: use subnetId (the subnet's resource ID)",
        "resourceGroupName": "the 2019 form of the VNet settings: use subnetId (the subnet's resource ID)",
    }
}
# Unknown keys another rule explains better (one code per root cause).
OWNED_ELSEWHERE = {("DistributeVersionerSource", "major"): "AIB017"}
# Names people write for a property that is spelled differently.
ALIASES = {
    "VirtualNetworkConfig": "vnetConfig",
    "script": "scriptUri",
    "sourceURI": "sourceUri",
    "buildTimeout": "buildTimeoutInMinutes",
}


def schemas_dir() -> Path:
    packaged = Path(__file__).parent / "_schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas"


@lru_cache(maxsize=1)
def known_versions() -> tuple[str, ...]:
    index = json.loads((schemas_dir() / "index.json").read_text(encoding="utf-8"))
    return tuple(index["versions"])


def stable_versions() -> list[str]:
    return [v for v in known_versions() if not v.endswith("-preview")]


def newest_stable() -> str:
    return stable_versions()[-1]


@cache
def load_schema(version: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((schemas_dir() / f"{version}.json").read_text(encoding="utf-8"))
    return schema


@cache
def _quick_validator(version: str) -> QuickValidator:
    return QuickValidator(load_schema(version))


@cache
def _validator(version: str) -> Any:
    from referencing import Registry

    return _validator_class()(load_schema(version), registry=Registry())


@lru_cache(maxsize=1)
def _validator_class() -> Any:
    from jsonschema import Draft202012Validator, validators

    def skipping_expressions(check: Any) -> Any:
        def wrapped(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
            if isinstance(instance, ArmExpression):
                return
            yield from check(validator, value, instance, schema) or ()

        return wrapped

    checks = {name: skipping_expressions(check) for name, check in Draft202012Validator.VALIDATORS.items()}
    return validators.extend(Draft202012Validator, checks)


def definition_properties(version: str, definition: str) -> set[str] | None:
    schema = load_schema(version)
    target = schema if definition == "ImageTemplate" else schema["$defs"].get(definition)
    if target is None or "properties" not in target:
        return None
    return set(target["properties"])


@cache
def _enums(version: str) -> dict[str, set[str]]:
    """Property name -> every enum value it takes anywhere in this version's schema."""
    found: dict[str, set[str]] = {}
    stack: list[Any] = [load_schema(version)]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if isinstance(prop, dict) and isinstance(prop.get("enum"), list):
                    found.setdefault(name, set()).update(v for v in prop["enum"] if isinstance(v, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _enum_in_newer(name: str, value: Any, after: str) -> str | None:
    if not isinstance(value, str):
        return None
    for version in known_versions():
        if version > after and not version.endswith("-preview") and value in _enums(version).get(name, set()):
            return version
    return None


def _enum_in_older(name: str, value: Any, before: str) -> str | None:
    if not isinstance(value, str):
        return None
    found = None
    for version in known_versions():
        if version < before and value in _enums(version).get(name, set()):
            found = version
    return found


def first_version_with(definition: str, key: str, after: str) -> str | None:
    for version in known_versions():
        if version <= after or version.endswith("-preview"):
            continue
        names = definition_properties(version, definition)
        if names is not None and key in names:
            return version
    return None


@dataclass
class SchemaFinding:
    code: str
    node: AnyNode
    message: str
    severity: Severity | None = None


def to_instance(node: AnyNode, arm: bool) -> Any:
    """The plain value to validate, with ARM expressions as opaque stand-ins."""
    if isinstance(node, ObjectNode):
        instance = {m.key.text: to_instance(m.value, arm) for m in node.members}
        loops = node.get("copy") if arm else None
        if isinstance(loops, ArrayNode):  # ARM property iteration: each loop makes one array
            del instance["copy"]
            for loop in loops.items:
                name = loop.get_ci("name") if isinstance(loop, ObjectNode) else None
                if isinstance(name, StringNode):
                    instance[name.text] = ArmExpression("copy")
        return instance
    if isinstance(node, ArrayNode):
        return [to_instance(item, arm) for item in node.items]
    if isinstance(node, StringNode):
        if arm and is_expression(node.text):
            return ArmExpression(node.text)
        return node.text[1:] if arm and node.text.startswith("[[") else node.text
    if isinstance(node, (NumberNode, LiteralNode)):
        return node.value
    return None


def node_at(root: AnyNode, path: list[Any]) -> AnyNode | None:
    node: AnyNode | None = root
    for step in path:
        if isinstance(node, ObjectNode) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, ArrayNode) and isinstance(step, int) and step < len(node.items):
            node = node.items[step]
        else:
            return None
    return node


def key_node(root: AnyNode, path: list[Any], key: str) -> StringNode | None:
    parent = node_at(root, path)
    if isinstance(parent, ObjectNode):
        found = None
        for member in parent.members:
            if member.key.text == key:
                found = member.key
        return found
    return None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
}
_SPECIAL_TYPES = {
    "inline": "`inline` must be an array of strings, one per script line",
    "autoRun": '`autoRun` is an object: {"state": "Enabled"}',
    "errorHandling": '`errorHandling` is an object: {"onCustomizerError": "abort", "onValidationError": "cleanup"}',
    "optimize": '`optimize` is an object: {"vmBoot": {"state": "Enabled"}}',
    "validExitCodes": "`validExitCodes` must be an array of whole numbers",
}


def validate(resource: ObjectNode, version: str, arm: bool, strict_allowed: bool = True) -> list[SchemaFinding]:
    instance = to_instance(resource, arm)
    if _quick_validator(version).conforms(instance):
        return []  # the common case, answered without importing jsonschema
    strict = version >= STRICT_FROM and strict_allowed
    findings: list[SchemaFinding] = []
    seen: set[tuple[str, int, str]] = set()

    def add(code: str, node: AnyNode | None, message: str, severity: Severity | None = None) -> None:
        if node is None:
            return
        key = (code, node.start, message)
        if key not in seen:
            seen.add(key)
            findings.append(SchemaFinding(code, node, message, severity))

    for error in _validator(version).iter_errors(instance):
        path = list(error.absolute_path)
        keyword = error.validator
        schema = error.schema if isinstance(error.schema, dict) else {}
        value = error.instance
        if isinstance(value, str) and PLACEHOLDER.search(value) and not (keyword == "type" and _structured(error)):
            continue  # a <placeholder> is AIB020's (but no value makes a string an object)
        if keyword == "required":
            present = value if isinstance(value, dict) else {}
            lowered = {k.lower() for k in present}
            for name in error.validator_value:
                if name in present or name.lower() in lowered:
                    continue  # present in another letter case: AIB014 says so
                if not path and name == "identity":
                    continue  # AIB100 owns the template identity
                where = _named_node(resource, path)
                add("AIB010", where, f"{_where(path)} lacks the required property `{name}` (apiVersion {version})")
        elif keyword == "additionalProperties":
            allowed = set(schema.get("properties", {}))
            definition = schema.get("x-aiblint-def", "")
            readonly = set(schema.get("x-aiblint-readonly", []))
            for extra in sorted(k for k in (value or {}) if k not in allowed):
                if any(k != extra and k.lower() == extra.lower() for k in value):
                    continue  # a duplicate in another case: AIB005 owns it
                key = key_node(resource, path, extra)
                _unknown_key(add, extra, key, allowed, definition, readonly, version, strict, path)
                _miscased_value_type(add, resource, path, extra, schema, version)
        elif keyword == "type":
            node = node_at(resource, path)
            last = _field(path)
            expected = error.validator_value if isinstance(error.validator_value, str) else error.validator_value[0]
            special = _SPECIAL_TYPES.get(str(path[-1]) if path else "")
            message = special or f"`{last}` must be {_TYPE_WORDS.get(expected, expected)}, not {_json_type(value)}"
            add("AIB012", node, message)
        elif keyword in ("enum", "const") and path == ["identity", "type"]:
            continue  # AIB100 explains the identity type
        elif keyword in ("enum", "const"):
            options = error.validator_value if keyword == "enum" else [error.validator_value]
            node = node_at(resource, path)
            last = _field(path)
            match = next(
                (o for o in options if isinstance(o, str) and isinstance(value, str) and o.lower() == value.lower()), None
            )
            if match is not None:
                sev = Severity.ERROR if strict else Severity.WARNING
                add(
                    "AIB014",
                    node,
                    f"'{value}' must be written '{match}'"
                    + (
                        " (the service is case-sensitive from apiVersion 2024-02-01)"
                        if strict
                        else " (accepted before apiVersion 2024-02-01, rejected from then on)"
                    ),
                    sev,
                )
            else:
                newer = _enum_in_newer(str(path[-1]) if path else "", value, version)
                if newer is not None:
                    add("AIB012", node, f"`{last}` '{value}' needs apiVersion {newer} or later (this template uses {version})")
                    continue
                older = _enum_in_older(str(path[-1]) if path else "", value, version)
                if older is not None:
                    add(
                        "AIB012",
                        node,
                        f"`{last}` '{value}' was accepted only up to apiVersion {older}: it is not valid in {version}",
                    )
                    continue
                shown = ", ".join(f"'{o}'" for o in options)
                add("AIB012", node, f"`{last}` is '{value}', which is not one of {shown} in apiVersion {version}")
        elif keyword == "pattern":
            node = node_at(resource, path)
            last = _field(path)
            if last == "runOutputName":
                add("AIB023", node, f"runOutputName '{value}' must be 1-64 letters, digits, '-', '_' or '.'")
                continue
            explained = schema.get("x-aiblint-message") or f"must match {error.validator_value}"
            add("AIB012", node, f"`{last}` '{value}' {explained}")
        elif keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems"):
            node = node_at(resource, path)
            last = _field(path)
            bound = "at least" if keyword.startswith(("min", "exclusiveMin")) else "at most"
            add("AIB012", node, f"`{last}` is {value}: it must be {bound} {error.validator_value}")
        else:
            node = node_at(resource, path)
            add("AIB012", node, error.message)
    return findings


# The resource envelope ARM itself reads, case-insensitively (rules.md: never reported as mis-cased).
ARM_RESOURCE_KEYS = frozenset(
    {
        *("type", "apiVersion", "name", "location", "tags", "identity", "properties", "dependsOn", "condition"),
        *("copy", "comments", "scope", "resources", "sku", "kind", "plan", "zones", "metadata"),
    }
)


def _structured(error: Any) -> bool:
    """The schema wants an object or an array: a string is wrong whatever it holds."""
    wanted = error.validator_value
    return wanted in ("object", "array") or (isinstance(wanted, list) and set(wanted) <= {"object", "array"})


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "object": (dict,), "array": (list,), "boolean": (bool,)}


def _miscased_value_type(add: Any, resource: ObjectNode, path: list[Any], extra: str, schema: dict, version: str) -> None:
    """A mis-cased key whose value has the wrong type too: both at once, not one per fix."""
    case_match = next((a for a in schema.get("properties", {}) if a.lower() == extra.lower() and a != extra), None)
    if case_match is None:
        return
    expected = schema["properties"][case_match]
    ref = expected.get("$ref", "")
    if ref.startswith("#/$defs/"):
        expected = load_schema(version)["$defs"].get(ref[len("#/$defs/") :], {})
    wanted = expected.get("type")
    value = node_at(resource, [*path, extra])
    instance = to_instance(value, True) if value is not None else None
    if not isinstance(wanted, str) or wanted not in _PYTHON_TYPES or instance is None or isinstance(instance, ArmExpression):
        return
    if isinstance(instance, str) and PLACEHOLDER.search(instance) and wanted not in ("object", "array"):
        return  # AIB020's, unless no replacement could give the right type
    if not isinstance(instance, _PYTHON_TYPES[wanted]) or (wanted != "boolean" and isinstance(instance, bool)):
        add("AIB012", value, f"`{case_match}` must be {_TYPE_WORDS[wanted]}, not {_json_type(instance)}")


def _unknown_key(
    add: Any,
    extra: str,
    node: AnyNode | None,
    allowed: set[str],
    definition: str,
    readonly: set[str],
    version: str,
    strict: bool,
    path: list[Any],
) -> None:
    severity = Severity.ERROR if strict else Severity.WARNING
    if (definition, extra) in OWNED_ELSEWHERE:
        return
    if extra in readonly or (extra in ("id", "systemData") and not path):
        add(
            "AIB015",
            node,
            f"`{extra}` is set by the service (read-only): remove it, the template looks exported from a live resource",
        )
        return
    case_match = next((a for a in allowed if a.lower() == extra.lower()), None)
    if case_match is not None and not path and case_match in ARM_RESOURCE_KEYS:
        return  # ARM reads its own resource keys case-insensitively (`Name` is the name)
    if case_match is not None:
        tail = (
            " (the service is case-sensitive from apiVersion 2024-02-01)"
            if strict
            else " (accepted before apiVersion 2024-02-01, rejected from then on)"
        )
        add("AIB014", node, f"`{extra}` must be written `{case_match}`{tail}", severity)
        return
    deprecated = DEPRECATED_KEYS.get(definition, {}).get(extra)
    if deprecated:
        add("AIB016", node, f"`{extra}` is deprecated: {deprecated}")
        return
    newer = first_version_with(definition, extra, version) if definition else None
    if newer is not None:
        add("AIB011", node, f"`{extra}` needs apiVersion {newer} or later (this template uses {version})", severity)
        return
    effect = "the service rejects it" if strict else "the service silently ignores it"
    if not path and extra in _DEPLOYMENT_KEYS:  # no near-miss spelling: the key is from another form
        add(
            "AIB011",
            node,
            f"unknown property `{extra}` in the template: it is an ARM deployment template's key, and this file is the image template resource itself ({effect} in apiVersion {version})",
            severity,
        )
        return
    alias = ALIASES.get(extra) or ("artifactTags" if extra == "tags" else None)
    suggestion = alias if alias in allowed else None
    if suggestion is None:
        close = difflib.get_close_matches(extra, sorted(allowed), n=1, cutoff=0.6)
        suggestion = close[0] if close else None
    hint = f": did you mean `{suggestion}`?" if suggestion else f" (known here: {', '.join(sorted(allowed)[:12])})"
    add(
        "AIB011",
        node,
        f"unknown property `{extra}` in {_describe(definition)}{hint} ({effect} in apiVersion {version})",
        severity,
    )


# The top-level keys of an ARM deployment template, met at the top of a bare resource body.
_DEPLOYMENT_KEYS = {"$schema", "contentVersion", "parameters", "variables", "functions", "resources", "outputs"}


def _describe(definition: str) -> str:
    names = {
        "ImageTemplate": "the template",
        "ImageTemplateProperties": "properties",
        "ImageTemplateVmProfile": "vmProfile",
        "VirtualNetworkConfig": "vnetConfig",
    }
    if definition in names:
        return names[definition]
    readable = re.sub(r"^ImageTemplate", "", definition)
    return readable or "this object"


def _field(path: list[Any]) -> str:
    """`validExitCodes[1]` rather than `1` for an array item."""
    if not path:
        return "the template"
    name = str(path[-1])
    index = len(path) - 1
    suffix = ""
    while index >= 0 and isinstance(path[index], int):
        suffix = f"[{path[index]}]" + suffix
        index -= 1
    return (str(path[index]) if index >= 0 else "") + suffix if suffix else name


def _where(path: list[Any]) -> str:
    if not path:
        return "the template"
    return "/".join(str(p) for p in path)


def _named_node(root: AnyNode, path: list[Any]) -> AnyNode | None:
    """The key naming the object at ``path`` (a readable place to point), else the object."""
    if path and isinstance(path[-1], str):
        key = key_node(root, path[:-1], path[-1])
        if key is not None:
            return key
    node = node_at(root, path)
    if node is not None and not path:
        return node
    return node
