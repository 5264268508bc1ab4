"""AIB004, AIB005: what the lenient JSON grammar accepted but the submitting tool will not."""

from __future__ import annotations

from aiblint.context import FileContext
from aiblint.diagnostics import Severity, Span
from aiblint.jsontree import AnyNode, ArrayNode, LiteralNode, ObjectNode, StringNode
from aiblint.registry import rule


@rule("AIB004", "warning", "trailing comma, or comments in a bare template", scope="file")
def lenient_json(ctx: FileContext) -> None:
    for comma in ctx.document.trailing_commas:
        ctx.report(
            "AIB004",
            Span(comma, comma + 1),
            "trailing comma: strict JSON parsers (az, the REST API) reject it",
            pointer="",
        )
    if ctx.is_bare:
        for start, end in ctx.document.comments:
            ctx.report(
                "AIB004",
                Span(start, end),
                "comment in a bare template: `az image builder create` parses the file as strict JSON",
                pointer="",
            )


def _values_of(ctx: FileContext) -> dict[int, AnyNode]:
    """Each key node's value, by the key's offset (both members of a duplicate are kept)."""
    values: dict[int, AnyNode] = {}
    for node in ctx.document.walk():
        if isinstance(node, ObjectNode):
            for member in node.members:
                values[member.key.start] = member.value
    return values


def _empty(node: AnyNode | None) -> bool:
    if isinstance(node, StringNode):
        return node.text == ""
    if isinstance(node, (ObjectNode, ArrayNode)):
        return not (node.members if isinstance(node, ObjectNode) else node.items)
    return isinstance(node, LiteralNode) and node.value is None


@rule("AIB005", "error", "duplicate key in one object", scope="file")
def duplicate_keys(ctx: FileContext) -> None:
    lines = ctx.document.lines
    values = _values_of(ctx) if ctx.document.duplicate_keys else {}
    for first, later in ctx.document.duplicate_keys:
        line, _ = lines.position(first.start)
        same = "" if first.text == later.text else f" (as '{first.text}', compared case-insensitively as ARM does)"
        if _empty(values.get(first.start)) and not _empty(values.get(later.start)):
            # `"defaultValue": ""` then `"defaultValue": "[newGuid()]"`: the later value is the one meant
            ctx.report(
                "AIB005",
                later,
                f"duplicate key '{later.text}'{same}: line {line} gives it an empty value and this later one wins, which looks intended; remove the empty one so the file says what it does",
                severity=Severity.WARNING,
            )
            continue
        ctx.report(
            "AIB005",
            later,
            f"duplicate key '{later.text}'{same}: line {line} already has it and this later value silently wins",
        )


# -- AIB008 ---------------------------------------------------------------------------

ARM_PARAMETER_TYPES = ("string", "securestring", "int", "bool", "object", "secureobject", "array")


@rule("AIB008", "error", "ARM parameter declaration that deployment validation rejects", scope="file")
def parameter_types(ctx: FileContext) -> None:
    root = ctx.document.root
    if ctx.is_bare or not isinstance(root, ObjectNode) or root.get_ci("resources") is None:
        return  # only an ARM deployment template declares parameters
    parameters = root.get_ci("parameters")
    if not isinstance(parameters, ObjectNode):
        return
    for member in parameters.members:
        declaration = member.value
        if not isinstance(declaration, ObjectNode):
            ctx.report("AIB008", member.key, f"parameter '{member.key.text}' must be an object with a `type`")
            continue
        kind = declaration.get_ci("type")
        if kind is None and declaration.get_ci("$ref") is not None:
            continue  # languageVersion 2.0: the type is a user-defined one in `definitions`
        if kind is None:
            ctx.report("AIB008", member.key, f"parameter '{member.key.text}' has no `type`: ARM requires one")
        elif not isinstance(kind, StringNode):
            ctx.report("AIB008", kind, f"parameter '{member.key.text}': `type` must be a string such as \"string\"")
        elif kind.text.lower() not in ARM_PARAMETER_TYPES:
            ctx.report(
                "AIB008",
                kind,
                f"parameter '{member.key.text}' has type '{kind.text}': ARM accepts string, securestring, int, bool, object, secureObject or array",
            )
