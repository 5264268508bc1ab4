"""A quick "valid" for valid templates, so the common case never imports jsonschema.

Importing jsonschema (with referencing, attrs and rpds) costs about 30 ms, a third of a
typical lint. Most templates are valid, and saying so needs only the keywords the generated
schemas use. `QuickValidator.conforms` answers True only when jsonschema would report no
error; anything else (an invalid value, a keyword it does not implement) answers False, and
the caller runs jsonschema, which stays the one source of error messages. The keyword
semantics follow jsonschema's Draft 2020-12 implementation; tests/test_schema_fast.py checks
both agree on the corpus and on generated mutations of it.
"""

from __future__ import annotations

import re
from typing import Any

from aiblint.arm import ArmExpression

IMPLEMENTED = frozenset(
    {
        "type",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "pattern",
        "minimum",
        "maximum",
        "allOf",
        "if",
        "then",
        "else",
        "$ref",
    }
)
# Keywords that never make an instance invalid.
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples"})


# A schema with only these keys and type "string" accepts every string.
_ANY_STRING = frozenset({"type", "description", "title", "default", "examples", "$comment"})


class QuickValidator:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.root = schema
        self.usable = _only_known_keywords(schema)

    def conforms(self, instance: Any) -> bool:
        return self.usable and self._valid(instance, self.root)

    def _valid(self, instance: Any, schema: Any) -> bool:
        if schema is True or schema is False:
            return schema
        if isinstance(instance, ArmExpression):
            return True  # an expression's value is known only at deployment
        if type(instance) is str and schema.keys() <= _ANY_STRING and schema.get("type") == "string":
            return True  # the common case (every `inline` line): nothing more to check
        ref = schema.get("$ref")
        if ref is not None and not self._valid(instance, self._resolve(ref)):
            return False
        expected = schema.get("type")
        if expected is not None and not _has_type(instance, expected):
            return False
        if "enum" in schema and not any(_equal(instance, option) for option in schema["enum"]):
            return False
        if isinstance(instance, dict):
            if not self._valid_object(instance, schema):
                return False
        elif isinstance(instance, list):
            items = schema.get("items")
            if items is not None and not all(self._valid(item, items) for item in instance):
                return False
        elif isinstance(instance, str):
            pattern = schema.get("pattern")
            if pattern is not None and re.search(pattern, instance) is None:
                return False
        elif _is_number(instance):
            if "minimum" in schema and instance < schema["minimum"]:
                return False
            if "maximum" in schema and instance > schema["maximum"]:
                return False
        if not all(self._valid(instance, sub) for sub in schema.get("allOf", ())):
            return False
        if "if" in schema:
            branch = schema.get("then" if self._valid(instance, schema["if"]) else "else", True)
            return self._valid(instance, branch)
        return True

    def _valid_object(self, instance: dict[str, Any], schema: dict[str, Any]) -> bool:
        if any(name not in instance for name in schema.get("required", ())):
            return False
        properties = schema.get("properties", {})
        additional = schema.get("additionalProperties", True)
        for key, value in instance.items():
            if key in properties:
                if not self._valid(value, properties[key]):
                    return False
            elif isinstance(additional, dict):
                if not self._valid(value, additional):
                    return False
            elif not additional:
                return False
        return True

    def _resolve(self, ref: str) -> Any:
        node: Any = self.root
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node


def _only_known_keywords(schema: Any) -> bool:
    """True when every keyword in the schema is implemented here or is an annotation."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            return False
        for keyword, value in node.items():
            if keyword.startswith("x-") or keyword in ANNOTATIONS:
                continue
            if keyword not in IMPLEMENTED and keyword != "$defs":
                return False
            if keyword in ("properties", "$defs"):
                stack.extend(value.values())
            elif keyword == "allOf":
                stack.extend(value)
            elif keyword in ("items", "additionalProperties", "if", "then", "else"):
                stack.append(value)
            elif keyword == "$ref" and not (isinstance(value, str) and value.startswith("#/")):
                return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: _is_number(v) and (isinstance(v, int) or v.is_integer()),
}


def _has_type(value: Any, expected: str | list[str]) -> bool:
    names = [expected] if isinstance(expected, str) else expected
    return any(_TYPES[name](value) for name in names if name in _TYPES)


def _equal(one: Any, two: Any) -> bool:
    """JSON equality: true is not 1, lists and objects compare item by item."""
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_equal(one[k], two[k]) for k in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    return bool(one == two)
