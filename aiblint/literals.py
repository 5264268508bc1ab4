"""Template strings as the service receives them: literals, placeholders, the URIs a build downloads.

Template-model queries that rules and the template context share (no rule module imports
another for them).
"""

from __future__ import annotations

import re
from typing import Protocol

from aiblint.arm import is_expression, unescape_literal
from aiblint.armtext import EvalString
from aiblint.jsontree import AnyNode, ObjectNode, StringNode
from aiblint.model import Template


class TemplateContext(Protocol):
    """What these queries read of aiblint.template.TemplateContext (which imports this module)."""

    @property
    def is_arm(self) -> bool: ...

    template: Template


# `<region>`, `<subscriptionID>`, and the unclosed `<region1` some samples ship
PLACEHOLDER = re.compile(r"<[A-Za-z][^<>\n]{0,80}>|^<[A-Za-z][\w .-]{0,80}$")


def literal(ctx: TemplateContext, node: AnyNode | None) -> str | None:
    """The string as the service receives it: an ARM expression evaluated where the
    deployment would (parameter defaults, a parameter file, variables, pure functions);
    None for non-strings and for what only the deployment knows."""
    if isinstance(node, EvalString):
        return node.text  # already evaluated (a field that was an expression)
    if not isinstance(node, StringNode):
        return None
    if ctx.is_arm and is_expression(node.text):
        return ctx.template.resolver.text(node)
    return unescape_literal(node.text) if ctx.is_arm else node.text


def passed_text(ctx: TemplateContext, node: AnyNode | None) -> str | None:
    """What a check for text that survives evaluation (a ``<placeholder>``) reads: the
    evaluated string, or, when the value is only known at deployment, the literal pieces
    of the expression joined (``concat('<prefix>-', parameters('x'))`` still passes ``<prefix>-``)."""
    value = literal(ctx, node)
    if value is not None or not isinstance(node, StringNode) or not ctx.is_arm or not is_expression(node.text):
        return value
    from aiblint.arm import ExpressionError, expression_literals

    try:
        return " ".join(expression_literals(node.text))
    except ExpressionError:
        return None


def checkable(ctx: TemplateContext, node: AnyNode | None) -> str | None:
    """A literal that is not empty and holds no placeholder."""
    text = literal(ctx, node)
    if not text or PLACEHOLDER.search(text):
        return None
    return text


def uri_fields(ctx: TemplateContext) -> list[tuple[str, AnyNode]]:
    """(field name, node) of every script or file URI the build downloads."""
    found: list[tuple[str, AnyNode]] = []
    for step in ctx.template.steps:
        for name in ("scriptUri", "sourceUri"):
            node = step.field(name)
            if node is not None:
                found.append((name, node))
    optimize = ctx.template.prop_object("optimize")
    workload = optimize.get_ci("workload") if optimize is not None else None
    if isinstance(workload, ObjectNode) and workload.get_ci("scriptUri") is not None:
        found.append(("scriptUri", workload.get_ci("scriptUri")))  # type: ignore[arg-type]
    return found
