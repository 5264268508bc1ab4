"""Terraform's ``count`` and ``for_each`` on an image template resource: one instance per
index or key, each linted with ``count.index`` / ``each.key`` / ``each.value`` bound.

Evaluated when the value is known from the module (locals, variable defaults, tfvars) and
at most MAX_INSTANCES long; otherwise the resource is linted once with those unknown, as
before. ``count = 0`` (a known false condition) deploys nothing and lints nothing.
"""

from __future__ import annotations

from typing import Any

from aiblint.frontends import values as v
from aiblint.jsontree import AnyNode, ArrayNode, Member, NumberNode, ObjectNode, StringNode

MAX_INSTANCES = 32

Instance = tuple[str, dict[str, AnyNode]]  # (address suffix such as [0] or ["a"], scope)


def instances(evaluator: Any, attributes: dict[str, Any]) -> list[Instance]:
    """The resource's instances; ``[("", {})]`` when it has no loop or the loop is unknown."""
    unit = evaluator.unit
    if "count" in attributes:
        count = evaluator.eval(attributes["count"], {})
        if not isinstance(count, NumberNode) or count.number != int(count.number) or count.number < 0:
            return [("", {})]
        if count.number > MAX_INSTANCES:
            unit.note(attributes["count"], _too_many(int(count.number)))
            return [("", {})]
        return [
            (f"[{i}]", {"count": _object({"index": v.number(i, count.start, count.end, count.file)}, count)})
            for i in range(int(count.number))
        ]
    if "for_each" in attributes:
        collection = evaluator.eval(attributes["for_each"], {})
        pairs = _pairs(collection)
        if pairs is None:
            return [("", {})]
        if len(pairs) > MAX_INSTANCES:
            unit.note(attributes["for_each"], _too_many(len(pairs)))
            return [("", {})]
        found: list[Instance] = []
        for key, value in pairs:
            each = _object({"key": key, "value": value}, collection)
            found.append((f'["{key.text}"]', {"each": each}))
        return found
    return [("", {})]


def _too_many(count: int) -> str:
    return f"a resource with {count} instances is linted once, count.index / each unknown (at most {MAX_INSTANCES} are expanded)"


def _pairs(collection: AnyNode) -> list[tuple[StringNode, AnyNode]] | None:
    """(each.key, each.value) in Terraform's order (keys sorted); None when not known."""
    if v.is_unknown(collection):
        return None
    if isinstance(collection, ObjectNode):
        return sorted(((m.key, m.value) for m in collection.members), key=lambda pair: pair[0].text)
    if isinstance(collection, ArrayNode):  # a set of strings (toset([...]))
        if not all(isinstance(item, StringNode) and not v.is_unknown(item) for item in collection.items):
            return None
        unique = {item.text: item for item in collection.items if isinstance(item, StringNode)}
        return [(item, item) for _, item in sorted(unique.items())]
    return None


def _object(fields: dict[str, AnyNode], at: AnyNode) -> ObjectNode:
    members = [Member(v.literal_string(name, at.start, at.end, at.file), value) for name, value in fields.items()]
    return v.obj(members, at.start, at.end, at.file)
