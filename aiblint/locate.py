"""Where the image templates are in a parsed file.

A *bare* template is the resource object itself (what ``az image builder create
--image-template`` takes); an *ARM* template holds imageTemplates resources in
``resources`` (array, or an object of symbolic names with languageVersion 2.0), possibly
inside nested ``Microsoft.Resources/deployments`` with an inline ``template``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiblint.jsontree import AnyNode, ArrayNode, Document, ObjectNode, StringNode

if TYPE_CHECKING:
    from aiblint.armeval import Scope

IMAGE_TEMPLATE_TYPE = "microsoft.virtualmachineimages/imagetemplates"
DEPLOYMENT_TYPE = "microsoft.resources/deployments"
LEGACY_TYPE = "microsoft.virtualmachineimages"  # the 2018-02-01-preview shape
# Instances of a resource copy loop linted one by one; a larger count is linted once with
# copyIndex() unknown. Each instance costs a whole template's lint, so the instances of a
# file's loops may together weigh at most MAX_EXPANDED_CHARS characters of template (each
# resource with the parameters and variables its scripts may come from): about one more
# largest file. The instances of all the file's loops together are at most MAX_RESOURCE_COPIES
# (a small template's fixed lint cost, ~3 ms, dominates its text).
MAX_RESOURCE_COPIES = 200
MAX_EXPANDED_CHARS = 4_000_000


@dataclass(frozen=True)
class CopyInstance:
    """One instance of a resource-level ``copy`` loop: the image template's own, or that of
    a nested deployment holding it (``outer``: the enclosing copied deployment's instance,
    when both loop)."""

    loop: str  # the loop's name, as written
    index: int  # its copyIndex()
    count: int  # how many instances ARM deploys
    outer: CopyInstance | None = None

    @property
    def total(self) -> int:
        """Instances of the image template its loops deploy together."""
        return self.count * (self.outer.total if self.outer is not None else 1)

    @property
    def chain(self) -> tuple[CopyInstance, ...]:
        """The loops from the outermost deployment's to this one."""
        return (*(self.outer.chain if self.outer is not None else ()), self)


@dataclass
class Located:
    resource: ObjectNode  # the imageTemplates object (bare file: the root)
    kind: str  # "bare" | "arm"
    deployment: ObjectNode | None  # the ARM template object whose parameters/variables apply
    # The expression scope (parameters, variables, parameter-file values); None: made from deployment
    scope: Scope | None = None
    notes: list[str] = field(default_factory=list)
    copy: CopyInstance | None = None  # set when the resource is one instance of a copy loop


def _type_of(node: ObjectNode) -> str:
    value = node.get_ci("type")
    return value.text.lower() if isinstance(value, StringNode) else ""


def _looks_like_bare(root: ObjectNode) -> bool:
    kind = _type_of(root)
    if kind in (IMAGE_TEMPLATE_TYPE, LEGACY_TYPE):
        return True
    if kind:
        return False
    properties = root.get_ci("properties")
    if isinstance(properties, ObjectNode):
        return any(properties.get_ci(k) is not None for k in ("source", "customize", "distribute"))
    return False


def is_arm_deployment(root: ObjectNode) -> bool:
    if root.get_ci("resources") is None:
        return False
    schema = root.get("$schema")
    if isinstance(schema, StringNode) and "deploymenttemplate" in schema.text.lower():
        return True
    return any(root.get_ci(k) is not None for k in ("contentVersion", "parameters", "variables", "outputs", "languageVersion"))


def _resources(container: ObjectNode) -> list[ObjectNode]:
    value = container.get_ci("resources")
    if isinstance(value, ArrayNode):
        return [item for item in value.items if isinstance(item, ObjectNode)]
    if isinstance(value, ObjectNode):  # languageVersion 2.0: symbolic names
        return [m.value for m in value.members if isinstance(m.value, ObjectNode)]
    return []


def _walk_deployment(
    template: ObjectNode,
    found: list[Located],
    scope: Scope,
    depth: int = 0,
    skipped: list[tuple[ObjectNode, str]] | None = None,
    within: CopyInstance | None = None,
) -> None:
    """``within``: the instance of a copied nested deployment this template is deployed by."""
    if depth > 16:
        return
    symbolic = isinstance(template.get_ci("resources"), ObjectNode)
    pending = deque(_resources(template))
    while pending:
        resource = pending.popleft()
        kind = _type_of(resource)
        if symbolic and _is_existing(resource, scope):
            if kind == IMAGE_TEMPLATE_TYPE and skipped is not None:
                skipped.append(
                    (
                        resource,
                        f"the image template at {resource.pointer} is a reference (existing: true): ARM deploys nothing, it was not linted",
                    )
                )
            continue  # languageVersion 2.0: a reference to a resource that exists, not a deployment of it
        if kind == IMAGE_TEMPLATE_TYPE:
            if not _image_template(resource, scope.template or template, scope, found, skipped, within):
                continue
        elif kind == DEPLOYMENT_TYPE:
            if not _nested_deployment(resource, found, scope, depth, skipped, within):
                continue
        elif _condition(resource, scope) is False:
            continue  # ARM skips a resource whose condition is false (and its children)
        # child resources written inline (rare for image templates, common elsewhere)
        pending.extend(_resources(resource))


def _nested_deployment(
    resource: ObjectNode,
    found: list[Located],
    scope: Scope,
    depth: int,
    skipped: list[tuple[ObjectNode, str]] | None,
    within: CopyInstance | None,
) -> bool:
    """The image templates of a ``Microsoft.Resources/deployments`` with an inline template:
    walked once, or once per copyIndex() of its resource-level ``copy`` loop (each instance
    with its own condition, and its copyIndex() in the parent's scope: in every expression
    of an ``outer`` template, in the parameters passed to an ``inner`` one). False: ARM
    deploys no instance of it."""
    properties = resource.get_ci("properties")
    inner = properties.get_ci("template") if isinstance(properties, ObjectNode) else None
    if not isinstance(properties, ObjectNode) or not isinstance(inner, ObjectNode):
        return _condition(resource, scope) is not False
    where = f"the nested deployment at {resource.pointer}"
    instances, note = _copy_instances(resource, scope, where, within)
    deployed = 0
    for instance_scope, instance in instances:
        if _condition(resource, instance_scope) is False:
            continue
        mark = len(found)
        _walk_deployment(inner, found, _nested_scope(properties, inner, instance_scope), depth + 1, skipped, instance)
        for located in found[mark:]:
            if note:
                located.notes.append(note)
        deployed += 1
    if not deployed and skipped is not None and _holds_image_template(inner):
        skipped.append(
            (resource, note or f"{where} has a false condition: ARM does not deploy it, its image templates were not linted")
        )
    return deployed > 0


def _holds_image_template(template: ObjectNode, depth: int = 0) -> bool:
    """Whether an image template is written anywhere under a deployment template."""
    if depth > 16:
        return False
    for resource in _resources(template):
        if _type_of(resource) == IMAGE_TEMPLATE_TYPE:
            return True
        properties = resource.get_ci("properties")
        inner = properties.get_ci("template") if isinstance(properties, ObjectNode) else None
        if isinstance(inner, ObjectNode) and _holds_image_template(inner, depth + 1):
            return True
        if _holds_image_template(resource, depth + 1):
            return True
    return False


def _image_template(
    resource: ObjectNode,
    deployment: ObjectNode,
    scope: Scope,
    found: list[Located],
    skipped: list[tuple[ObjectNode, str]] | None,
    within: CopyInstance | None = None,
) -> bool:
    """The image template's instances ARM deploys: one, or one per copyIndex() of its
    resource-level ``copy`` loop, each with its own condition. False: none is deployed."""
    instances, note = _copy_instances(resource, scope, f"the image template at {resource.pointer}", within)
    deployed = 0
    for instance_scope, instance in instances:
        condition = _condition(resource, instance_scope)
        if condition is False:
            continue  # ARM skips an instance whose condition is false
        located = Located(resource, "arm", deployment, instance_scope, copy=instance)
        if note:
            located.notes.append(note)
        if condition is None:
            located.notes.append(
                f"the image template at {resource.pointer} has a condition only the deployment knows: it is linted as if deployed"
            )
        found.append(located)
        deployed += 1
    if not deployed and skipped is not None:
        why = f"the image template at {resource.pointer} has a false condition: ARM does not deploy it, it was not linted"
        skipped.append((resource, note if note and not instances else why))  # no instance: a count of 0 (the note says so)
    return deployed > 0


def _copy_instances(
    resource: ObjectNode, scope: Scope, where: str, within: CopyInstance | None
) -> tuple[list[tuple[Scope, CopyInstance | None]], str | None]:
    """(scope, instance) per copyIndex() ARM deploys, and a note when the loop is not
    expanded. ``within``: the enclosing copied deployment's instance (its loop and this one
    together expand at most MAX_RESOURCE_COPIES instances)."""
    loop = resource.get_ci("copy")
    if not isinstance(loop, ObjectNode):
        return [(scope, within)], None
    name = loop.get_ci("name")
    count = scope.node_value(loop.get_ci("count"), {})
    if not isinstance(name, StringNode) or isinstance(count, bool) or not isinstance(count, int) or count < 0:
        return [
            (scope, within)
        ], f"{where} is a copy loop whose count only the deployment knows: it is linted once, with copyIndex() unknown"
    if count == 0:
        return [], f"{where} is a copy loop with count 0: ARM deploys no instance of it, it was not linted"
    weight = _weight(resource, scope.template)
    budget = scope.budget
    enclosing = within.total if within is not None else 1  # a copied deployment's instances each expand this loop
    limit = max(
        1,
        min(
            MAX_RESOURCE_COPIES // enclosing,
            MAX_RESOURCE_COPIES - budget.instances,
            (MAX_EXPANDED_CHARS - budget.expanded) // weight,
        ),
    )
    if count > limit:
        shown = f"{count}" if count < 10**12 else "more than 10^12"  # a count of 5,000 digits is not quoted
        return [(scope, within)], (
            f"{where} is a copy loop of {shown} instances (more than the {limit} aiblint expands for a template of this size"
            " in this file): it is linted once, with copyIndex() unknown"
        )
    budget.expanded += count * weight
    budget.instances += count
    return [
        (scope.with_copy_index(name.text, index), CopyInstance(name.text, index, count, within)) for index in range(count)
    ], None


def _weight(resource: ObjectNode, deployment: ObjectNode | None) -> int:
    """The template text one instance of ``resource`` lints: the resource itself and the
    parameters and variables its scripts may come from."""
    weight = resource.end - resource.start
    for section in ("parameters", "variables"):
        node = deployment.get_ci(section) if deployment is not None else None
        weight += node.end - node.start if node is not None else 0
    return max(weight, 1)


def _is_existing(resource: ObjectNode, scope: Scope) -> bool:
    """``"existing": true`` (languageVersion 2.0): the resource is only referred to."""
    node = resource.get_ci("existing")
    return node is not None and scope.node_value(node, {}) is True


def _condition(resource: ObjectNode, scope: Scope) -> bool | None:
    """True when deployed, False when ARM skips it, None when only the deployment knows."""
    node = resource.get_ci("condition")
    if node is None:
        return True
    value = scope.node_value(node, {})
    return value if isinstance(value, bool) else None


def _nested_scope(properties: ObjectNode, inner: ObjectNode, outer: Scope) -> Scope:
    """A nested deployment's expressions: ``outer`` (the default) sees the parent's
    parameters and variables; ``inner`` sees its own, with the values the parent passes."""
    from aiblint.armeval import Deferred, Scope

    options = properties.get_ci("expressionEvaluationOptions")
    mode = options.get_ci("scope") if isinstance(options, ObjectNode) else None
    if not (isinstance(mode, StringNode) and mode.text.lower() == "inner"):
        return outer
    supplied: dict[str, Any] = {}
    passed = properties.get_ci("parameters")
    if isinstance(passed, ObjectNode):
        for member in passed.members:
            if isinstance(member.value, ObjectNode) and member.value.get_ci("value") is not None:
                supplied[member.key.text] = Deferred(member.value.get_ci("value"), outer)  # type: ignore[arg-type]
    return Scope(inner, supplied, outer.budget)


def locate(
    document: Document, supplied: dict[str, Any] | None = None, skipped: list[tuple[ObjectNode, str]] | None = None
) -> list[Located]:
    """Every image template in the file, in file order (a copy loop's instances in copyIndex()
    order). ``supplied``: parameter values (from a parameter file) for the top-level
    deployment; ``skipped`` collects (image template, why) for those ARM does not deploy
    (a false condition, a copy count of 0)."""
    if supplied is None and skipped is None and hasattr(document, "_located"):
        return list(document._located)  # the pipeline's own result (parameter file included)
    root: AnyNode = document.root
    if not isinstance(root, ObjectNode):
        return []
    if is_arm_deployment(root):
        from aiblint.armeval import Scope

        found: list[Located] = []
        _walk_deployment(root, found, Scope(root, supplied), skipped=skipped)
        found.sort(key=lambda located: located.resource.start)  # stable: copy instances stay in order
        document._located = tuple(found)  # type: ignore[attr-defined]
        return found
    if _looks_like_bare(root):
        return [Located(root, "bare", None)]
    return []
