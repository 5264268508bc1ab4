"""A typed view over one image template: rules read fields, each with its node.

Nothing here copies values out of the tree: every accessor hands back the node (for its
position and pointer) and, through the resolver, its literal value where one is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from aiblint.arm import UNKNOWN
from aiblint.armeval import Resolver, materialize
from aiblint.armtext import EvalString
from aiblint.jsontree import AnyNode, ArrayNode, Member, ObjectNode, StringNode
from aiblint.locate import Located


@dataclass
class Step:
    """One customizer or in-VM validator."""

    node: ObjectNode
    index: int
    section: str  # "customize" | "validate"
    resolver: Resolver
    via: AnyNode | None = None  # the expression this step came from (None: written in place)

    @property
    def pointer(self) -> str:
        return self.node.pointer

    @property
    def type_node(self) -> AnyNode | None:
        return self.node.get_ci("type")

    @cached_property
    def type(self) -> str:
        """The discriminator as resolved, letter case as written ("" when unknown)."""
        value = self.resolver.value(self.type_node)
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        """The discriminator lower-cased, for comparisons."""
        return self.type.lower()

    def field(self, name: str) -> AnyNode | None:
        """The field as the deployment passes it: an expression is replaced by its value as
        nodes (placed at the use site, strings mapped back to their source text)."""
        return self.resolver.node(self.node.get_ci(name))

    def written(self, name: str) -> AnyNode | None:
        """The field as written in the customizer (an expression stays an expression)."""
        return self.node.get_ci(name)

    def text(self, name: str) -> str | None:
        value = self.resolver.value(self.field(name))
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str:
        return self.text("name") or ""

    @property
    def inline(self) -> ArrayNode | None:
        value = self.field("inline")
        return value if isinstance(value, ArrayNode) else None

    @property
    def inline_lines(self) -> list[StringNode] | None:
        """The inline lines when every one is a string node as written (ARM's ``[[`` rules
        apply to them; a line computed by an expression is final)."""
        array = self.inline
        if array is None or not all(isinstance(item, StringNode) for item in array.items):
            return None
        return [item for item in array.items if isinstance(item, StringNode) and not isinstance(item, EvalString)]


class Template:
    def __init__(self, located: Located, resolver: Resolver) -> None:
        self.located = located
        self.resolver = resolver
        self.resource = located.resource

    @property
    def kind(self) -> str:
        return self.located.kind

    @property
    def is_arm(self) -> bool:
        return self.located.kind == "arm"

    def value(self, node: AnyNode | None) -> Any:
        return self.resolver.value(node)

    @cached_property
    def properties(self) -> ObjectNode | None:
        node = self.resolver.node(self.resource.get_ci("properties"))
        return _with_copies(node, self.resolver) if isinstance(node, ObjectNode) else None

    def prop(self, name: str) -> AnyNode | None:
        """A property as the deployment passes it (expressions evaluated where known)."""
        return self.resolver.node(self.properties.get_ci(name)) if self.properties is not None else None

    def prop_object(self, name: str) -> ObjectNode | None:
        node = self.prop(name)
        return node if isinstance(node, ObjectNode) else None

    @property
    def api_version_node(self) -> AnyNode | None:
        return self.resource.get_ci("apiVersion")

    @cached_property
    def api_version(self) -> str | None:
        value = self.value(self.api_version_node)
        return value if isinstance(value, str) and value is not UNKNOWN else None

    @property
    def source(self) -> ObjectNode | None:
        return self.prop_object("source")

    def kind_of(self, node: ObjectNode | None) -> str:
        """A source's or distributor's ``type`` as resolved, lower-cased ("" when unknown): the
        one place the discriminator is read, case-insensitively like the service's enums."""
        value = self.value(node.get_ci("type")) if node is not None else None
        return value.lower() if isinstance(value, str) else ""

    @property
    def source_kind(self) -> str:
        """``platformimage``, ``managedimage``, ``sharedimageversion`` ... or ""."""
        return self.kind_of(self.source)

    @cached_property
    def customizers(self) -> list[Step]:
        return self._steps(self.properties.get_ci("customize") if self.properties is not None else None, "customize")

    @cached_property
    def validators(self) -> list[Step]:
        validate = self.prop_object("validate")
        return self._steps(validate.get_ci("inVMValidations") if validate is not None else None, "validate")

    def _steps(self, written: AnyNode | None, section: str) -> list[Step]:
        """Customizers or validators as deployed: the array, or any item of it, may be an expression."""
        node = self.resolver.node(written)
        if not isinstance(node, ArrayNode):
            return []
        whole = written if node is not written else None
        steps = []
        for index, item in enumerate(node.items):
            resolved = self.resolver.node(item)
            if isinstance(resolved, ObjectNode):
                steps.append(Step(resolved, index, section, self.resolver, whole or (item if resolved is not item else None)))
        return steps

    @property
    def steps(self) -> list[Step]:
        return self.customizers + self.validators

    @cached_property
    def distributors(self) -> list[ObjectNode]:
        node = self.prop("distribute")
        if not isinstance(node, ArrayNode):
            return []
        items = [self.resolver.node(item) for item in node.items]
        return [item for item in items if isinstance(item, ObjectNode)]

    @property
    def vm_profile(self) -> ObjectNode | None:
        return self.prop_object("vmProfile")

    @property
    def name_node(self) -> AnyNode | None:
        return self.resource.get_ci("name")


def _with_copies(properties: ObjectNode, resolver: Resolver) -> ObjectNode:
    """``properties.copy`` loops (``{"name": "customize", "count": n, "input": {...}}``)
    become the arrays they make, each item evaluated with its copyIndex()."""
    loops = properties.get_ci("copy")
    if not isinstance(loops, ArrayNode) or resolver.scope is None:
        return properties
    members = [m for m in properties.members if m.key.text.lower() != "copy"]
    for loop in loops.items:
        name = loop.get_ci("name") if isinstance(loop, ObjectNode) else None
        if not isinstance(loop, ObjectNode) or not isinstance(name, StringNode):
            continue
        value = resolver.scope.copy_loop(loop, {})
        if value is UNKNOWN:
            continue  # a count only the deployment knows: nothing to lint
        members = [m for m in members if m.key.text.lower() != name.text.lower()]
        members.append(Member(name, materialize(value, loop.get_ci("input") or loop)))
    return ObjectNode(properties.start, properties.end, properties.pointer, members=members)
