"""Where the image templates are in a parsed file.

A *bare* template is the resource object itself (what ``az image builder create
--image-template`` takes); an *ARM* template holds imageTemplates resources in
``resources`` (array, or an object of symbolic names with languageVersion 2.0), possibly
inside nested ``Microsoft.Resources/deployments`` with an inline ``template``.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiblint.jsontree import AnyNode, ArrayNode, Document, ObjectNode, StringNode

IMAGE_TEMPLATE_TYPE = "microsoft.virtualmachineimages/imagetemplates"
DEPLOYMENT_TYPE = "microsoft.resources/deployments"
LEGACY_TYPE = "microsoft.virtualmachineimages"  # the 2018-02-01-preview shape


@dataclass
class Located:
    resource: ObjectNode  # the imageTemplates object (bare file: the root)
    kind: str  # "bare" | "arm"
    deployment: ObjectNode | None  # the ARM template object whose parameters/variables apply


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


def _walk_deployment(template: ObjectNode, found: list[Located], depth: int = 0) -> None:
    if depth > 16:
        return
    pending = _resources(template)
    while pending:
        resource = pending.pop(0)
        kind = _type_of(resource)
        if kind == IMAGE_TEMPLATE_TYPE:
            found.append(Located(resource, "arm", template))
        elif kind == DEPLOYMENT_TYPE:
            properties = resource.get_ci("properties")
            inner = properties.get_ci("template") if isinstance(properties, ObjectNode) else None
            if isinstance(inner, ObjectNode):
                _walk_deployment(inner, found, depth + 1)
        # child resources written inline (rare for image templates, common elsewhere)
        pending.extend(_resources(resource))


def locate(document: Document) -> list[Located]:
    """Every image template in the file, in file order."""
    root: AnyNode = document.root
    if not isinstance(root, ObjectNode):
        return []
    if is_arm_deployment(root):
        found: list[Located] = []
        _walk_deployment(root, found)
        return sorted(found, key=lambda located: located.resource.start)
    if _looks_like_bare(root):
        return [Located(root, "bare", None)]
    return []
