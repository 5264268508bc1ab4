"""Terraform: ``azapi_resource`` image templates read with tree-sitter-hcl into the node
tree the azapi provider sends (a bare imageTemplates resource inside an ARM template),
every node pointing at its HCL source.

``body`` as an object (azapi v2), ``jsonencode({...})`` (v1) or a JSON heredoc;
``variable`` defaults, ``terraform.tfvars`` / ``*.auto.tfvars`` beside the file, ``locals``,
interpolation with ``$${`` / ``%%{`` escapes, ``<<-`` indentation stripping, ``for``
expressions, ``file()`` followed like Bicep's ``loadTextContent``. What cannot be known
becomes an ARM expression the rules treat as unknown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiblint.editmap import EditMap, NoLiterals
from aiblint.frontends import values as v
from aiblint.frontends.common import SourceUnit
from aiblint.frontends.edits import TreeLiterals
from aiblint.frontends.hcl_loops import instances
from aiblint.frontends.hcl_scan import parse_hcl
from aiblint.frontends.hcl_template import MAX_LOOP_ITEMS, heredoc_of, render, templatefile, wrap
from aiblint.frontends.loader import LoadedFile, Loader, LoadError
from aiblint.jsontree import AnyNode, ArrayNode, JsonSyntaxError, LiteralNode, Member, NumberNode, ObjectNode, StringNode, parse
from aiblint.scripts.spans import CharOffsets

IMAGE_TEMPLATES = "microsoft.virtualmachineimages/imagetemplates"
_WRAPPERS = ("literal_value", "collection_value", "template_expr")
_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


class Unit(SourceUnit):
    def __init__(
        self, text: str, file: str | None, notes: list[str], errors: list[tuple[int, str]], wrapper: tuple[str, str] | None = None
    ) -> None:
        self.text = text
        self.file = file
        # a template file is parsed as a heredoc's body (wrapper: the text around it); offsets shift back
        self.shift = len(wrapper[0]) if wrapper else 0
        self.chars = CharOffsets(wrapper[0] + text + wrapper[1] if wrapper else text)
        self.tree = parse_hcl(self.chars.data, whole=wrapper is not None)
        self.notes = notes
        self.errors = errors
        # Where a fix lands (asked on demand); it learns the heredocs read as JSON
        self.literals = TreeLiterals(self, "hcl")

    def read_as_json(self, text: StringNode, nodes: AnyNode | None) -> None:
        if nodes is None or text.file is not None or self.file is not None:  # the linted file only
            return
        self.literals.json_heredocs.add((text.start, text.end))
        stack = [nodes]
        while stack:
            node = stack.pop()
            if isinstance(node, ArrayNode):
                self.literals.json_arrays.add((node.start, node.end))
                stack.extend(node.items)
            elif isinstance(node, ObjectNode):
                stack.extend(m.value for m in node.members)

    def blocks(self) -> list[Any]:
        body = self.tree.root_node.named_children
        return [b for top in body if top.type == "body" for b in top.named_children if b.type == "block"]

    def attributes(self, block: Any) -> dict[str, Any]:
        """Attribute name -> expression node of a block's body."""
        found: dict[str, Any] = {}
        for child in block.named_children:
            if child.type == "body":
                for attribute in child.named_children:
                    if attribute.type == "attribute":
                        parts = attribute.named_children
                        found[self.source(parts[0])] = parts[-1]
        return found

    def labels(self, block: Any) -> list[str]:
        found = []
        for child in block.named_children[1:]:
            if child.type == "string_lit":
                found.append(self.source(child)[1:-1])
            elif child.type == "identifier":
                found.append(self.source(child))  # `resource azapi_resource x {`: bare labels
        return found

    def syntax_errors(self) -> None:
        stack = [self.tree.root_node]
        while stack:
            node = stack.pop()
            if node.is_error or node.is_missing:
                start, _ = self.at(node)
                shown = self.source(node).split("\n", 1)[0][:40]
                self.errors.append(
                    (start, f"HCL syntax error: unexpected {shown!r}" if shown else f"HCL syntax error: expected {node.type!r}")
                )
                continue
            stack.extend(c for c in node.children if c.has_error or c.is_missing)


class Module:
    """A Terraform module is its folder: every .tf file's variables and locals, the values
    given to it (*.tfvars beside the root module, arguments of a `module` block)."""

    def __init__(self) -> None:
        self.variables: dict[str, tuple[Evaluator, Any]] = {}  # name -> (owner, default expression or None)
        self.locals: dict[str, tuple[Evaluator, Any]] = {}
        self.given: dict[str, AnyNode] = {}
        self.cache: dict[str, AnyNode] = {}
        self.active: set[str] = set()


class Evaluator:
    def __init__(
        self, unit: Unit, loader: Loader, path: Path | None, display: str, module: Module | None = None, in_template: bool = False
    ) -> None:
        self.unit = unit
        self.loader = loader
        self.path = path
        self.display = display
        self.module = module or Module()
        self.in_template = in_template  # a templatefile(): only its variables are known

    def collect(self) -> None:
        for block in self.unit.blocks():
            kind = self.unit.source(block.named_children[0])
            if kind == "variable":
                labels = self.unit.labels(block)
                if labels:
                    self.module.variables[labels[0]] = (self, self.unit.attributes(block).get("default"))
            elif kind == "locals":
                for name, expression in self.unit.attributes(block).items():
                    self.module.locals[name] = (self, expression)

    def tfvars(self) -> None:
        if self.path is None:
            return
        folder = self.path.parent
        names = sorted(p.name for p in folder.glob("*.auto.tfvars"))
        if (folder / "terraform.tfvars").is_file():
            names.insert(0, "terraform.tfvars")
        for name in names:
            try:
                loaded = self.loader.load(name, self.path, self.display)
            except LoadError as exc:
                self.unit.notes.append(f"tfvars {exc}")
                continue
            unit = Unit(loaded.text, loaded.display, self.unit.notes, [])
            inner = Evaluator(unit, self.loader, loaded.path, loaded.display)
            for top in unit.tree.root_node.named_children:
                for attribute in top.named_children if top.type == "body" else []:
                    if attribute.type == "attribute":
                        parts = attribute.named_children
                        self.module.given[unit.source(parts[0])] = inner.eval(parts[-1], {})

    # -- expressions ----------------------------------------------------------------------
    def eval(self, node: Any, scope: dict[str, AnyNode]) -> AnyNode:
        try:
            v.charge(steps=1)
            result = None if v.exhausted() else self._eval(node, scope)
        except v.OverBudget:
            budget = v.current_budget()
            note = budget.note() if budget is not None else None
            if note is not None:
                self.unit.note(node, note)
            result = None
        if result is None:
            start, end = self.unit.at(node)
            return v.unknown("variables", self.unit.source(node).replace("\n", " ")[:80], start, end, self.unit.file)
        return result

    def _eval(self, node: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
        kind = node.type
        unit = self.unit
        while kind in _WRAPPERS or (kind == "expression" and node.child_count == 1):
            child = node.named_child(0)  # one-child wrappers: no list built
            if child is None or child.type == "variable_expr":  # a bare name: _reference reads it
                break
            node, kind = child, child.type
        children = node.named_children
        if kind == "expression":
            if not children:
                return None
            if node.child(0).type == "(":
                inner = [c for c in children if c.type == "expression"]
                value = self._eval(inner[0], scope) if inner else None
                rest = children[1:]
            else:
                value = self._eval(children[0], scope) if children[0].type != "variable_expr" else None
                rest = children[1:]
                if children[0].type == "variable_expr":
                    value, rest = self._reference(children, scope)
            for postfix in rest:
                if value is None:
                    return None
                value = self._postfix(value, postfix, scope)
            return value
        if kind in ("literal_value", "collection_value", "template_expr"):
            return self._eval(children[0], scope) if children else None
        if kind == "numeric_lit":
            text = unit.source(node)
            try:
                return v.number(int(text) if text.isdigit() else float(text), *unit.at(node), unit.file)
            except ValueError:
                return None
        if kind == "bool_lit":
            return v.boolean(unit.source(node) == "true", *unit.at(node), unit.file)
        if kind == "null_lit":
            return v.boolean(None, *unit.at(node), unit.file)
        if kind in ("string_lit", "quoted_template"):
            return self._quoted(node, scope)
        if kind == "heredoc_template":
            return self._heredoc(node, scope)
        if kind == "tuple":
            return v.arr([self.eval(c, scope) for c in children if c.type == "expression"], *unit.at(node), unit.file)
        if kind == "object":
            return self._object(node, scope)
        if kind == "function_call":
            return self._call(node, scope)
        if kind == "conditional":
            parts = [c for c in children if c.type == "expression"]
            condition = self._eval(parts[0], scope) if parts else None
            if isinstance(condition, LiteralNode) and isinstance(condition.literal, bool) and len(parts) == 3:
                return self._eval(parts[1] if condition.literal else parts[2], scope)
            return None
        if kind == "for_expr":
            return self._for(children[0], scope) if children else None
        return None

    def _reference(self, children: list[Any], scope: dict[str, AnyNode]) -> tuple[AnyNode | None, list[Any]]:
        unit = self.unit
        root = unit.source(children[0])
        rest = children[1:]
        attr = unit.source(rest[0].named_children[0]) if rest and rest[0].type == "get_attr" and rest[0].named_children else None
        start, end = unit.at(children[0])
        if root in scope:
            return scope[root], rest
        if root == "var" and attr is not None:
            return self._variable(attr, rest[0]), rest[1:]
        if root == "local" and attr is not None:
            owner, expression = self.module.locals.get(attr, (self, None))
            return (owner._cached(f"local:{attr}", expression) if expression is not None else None), rest[1:]
        if root == "path" and attr in ("module", "root", "cwd") and not self.in_template:
            return v.literal_string(".", start, end, unit.file), rest[1:]
        return None, rest

    def _variable(self, name: str, node: Any) -> AnyNode | None:
        if name in self.module.given:
            return self.module.given[name]
        if name not in self.module.variables:
            return None
        owner, default = self.module.variables[name]
        start, end = self.unit.at(node)
        if default is None:
            return v.unknown("parameters", name, start, end, self.unit.file)
        return owner._cached(f"var:{name}", default)

    def _cached(self, key: str, expression: Any) -> AnyNode | None:
        cache, active = self.module.cache, self.module.active
        if key in cache:
            return cache[key]
        if key in active or len(active) > 64:
            return None
        active.add(key)
        try:
            value = self.eval(expression, {})  # unknown is a value too: kept, never recomputed
        finally:
            active.discard(key)
        cache[key] = value
        return value

    def _postfix(self, value: AnyNode, postfix: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
        if postfix.type == "get_attr" and postfix.named_children and isinstance(value, ObjectNode):
            return value.get(self.unit.source(postfix.named_children[0]))
        if postfix.type == "index":
            inner = [c for c in postfix.named_children if c.type == "expression"]
            key = self._eval(inner[0], scope) if inner else None
            if isinstance(value, ArrayNode) and isinstance(key, NumberNode) and isinstance(key.number, int):
                return value.items[key.number] if -len(value.items) <= key.number < len(value.items) else None
            if isinstance(value, ObjectNode) and isinstance(key, StringNode):
                return value.get(key.text)
        return None

    def _object(self, node: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
        unit = self.unit
        start, end = unit.at(node)
        members: list[Member] = []
        for element in node.named_children:
            if element.type != "object_elem":
                continue
            key_node = element.child_by_field_name("key")
            value_node = element.child_by_field_name("val")
            if key_node is None or value_node is None:
                return None
            inner = key_node.named_children
            if len(inner) == 1 and inner[0].type == "variable_expr":
                key_start, key_end = unit.at(inner[0])
                key: AnyNode = v.string(unit.source(inner[0]), list(range(key_start, key_end + 1)), key_start, key_end, unit.file)
            else:
                key = self.eval(key_node, scope)
            if not isinstance(key, StringNode):
                return None
            value = self.eval(value_node, scope)
            if isinstance(value, LiteralNode) and value.literal is None:
                continue  # null means "not set": the provider leaves it out of the body
            members.append(Member(key, value))
        return v.obj(members, start, end, unit.file)

    def _quoted(self, node: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
        unit = self.unit
        start, end = unit.at(node)
        return render(self, node, start + 1, end - 1, start, end, scope, escapes=True)

    def _heredoc(self, node: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
        unit = self.unit
        start, end = unit.at(node)
        marks = [c for c in node.named_children if c.type == "heredoc_identifier"]
        if len(marks) < 2:
            return None
        body_start = unit.text.find("\n", unit.at(marks[0])[1]) + 1
        body_end = unit.text.rfind("\n", body_start - 1, unit.at(marks[-1])[0]) + 1
        value = render(self, node, body_start, body_end, start, end, scope, escapes=False)
        if value is None or not isinstance(value, StringNode):
            return None
        if unit.source(node.named_children[0]).startswith("<<-"):
            value = _strip_indent(value)
        return value

    def _for(self, node: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
        unit = self.unit
        start, end = unit.at(node)
        if node.type != "for_tuple_expr":
            return None  # for-object expressions: unknown
        intro = [c for c in node.named_children if c.type == "for_intro"]
        body = [c for c in node.named_children if c.type == "expression"]
        if not intro or not body or any(c.type == "for_cond" for c in node.named_children):
            return None
        names = [unit.source(c) for c in intro[0].named_children if c.type == "identifier"]
        source = [c for c in intro[0].named_children if c.type == "expression"]
        items = self._eval(source[0], scope) if source else None
        if isinstance(items, ArrayNode) and len(items.items) > MAX_LOOP_ITEMS:
            unit.note(
                node,
                f"a for expression over {len(items.items)} items (more than {MAX_LOOP_ITEMS}) is not expanded: its values are unknown",
            )
            return None
        if not isinstance(items, ArrayNode) or not names:
            return None
        results = []
        for index, item in enumerate(items.items):
            if v.exhausted():
                return None  # the whole expression is unknown, not each item one by one
            inner = dict(scope)
            if len(names) == 2:
                inner[names[0]] = v.number(index, item.start, item.end, item.file)
                inner[names[1]] = item
            else:
                inner[names[0]] = item
            results.append(self.eval(body[0], inner))
        return v.arr(results, start, end, unit.file)

    def _templatefile(self, call: Any, loaded: LoadedFile, variables: AnyNode | None) -> AnyNode | None:
        key = ("template", loaded.path)
        unit = self.loader.parsed.get(key)
        if unit is None:  # parsed once, however many calls render it
            unit = self.loader.parsed[key] = Unit(loaded.text, loaded.display, self.unit.notes, [], wrap(loaded.text))
        heredoc = heredoc_of(unit.tree)
        if heredoc is None:
            self.unit.note(call, f"templatefile(): '{loaded.display}' is not a valid template: its text is unknown")
            return None
        inner = Evaluator(unit, self.loader, loaded.path, loaded.display, in_template=True)
        return templatefile(inner, unit, heredoc, variables, (self.unit.file, *self.unit.at(call)))

    def _call(self, node: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
        unit = self.unit
        start, end = unit.at(node)
        name = unit.source(node.named_children[0])
        arguments = [c for c in node.named_children if c.type == "function_arguments"]
        arg_nodes = [c for c in arguments[0].named_children if c.type == "expression"] if arguments else []
        args = [self.eval(a, scope) for a in arg_nodes]
        if name == "jsonencode" and len(args) == 1:
            return args[0]
        if name == "jsondecode" and len(args) == 1 and isinstance(args[0], StringNode) and not v.is_unknown(args[0]):
            return json_nodes(args[0])
        if name in ("file", "templatefile") and args and isinstance(args[0], StringNode) and not v.is_unknown(args[0]):
            if self.in_template:
                return None  # inside a template: relative to the working folder, and no recursion
            try:
                loaded = self.loader.load(args[0].text, self.path, self.display)
            except LoadError as exc:
                unit.note(node, f"{name}(): {exc}")
                return None
            if name == "templatefile":
                return self._templatefile(node, loaded, args[1] if len(args) == 2 else None)
            loaded_text = v.string(loaded.text, list(range(len(loaded.text) + 1)), 0, len(loaded.text), loaded.display)
            loaded_text.loaded_by = (unit.file, start, end)
            loaded_text.verbatim = True
            return loaded_text
        if name in ("join", "split") and len(args) == 2:
            args = [args[1], args[0]]  # HCL puts the separator first; Bicep last
        if name == "format" and args and isinstance(args[0], StringNode):
            return None  # printf verbs, not ARM's {0}: not evaluated
        return v.call_function(v.Call(name, args, start, end, unit.file))


def _strip_indent(value: StringNode) -> StringNode:
    """``<<-``: the smallest indentation of the non-blank lines is removed from every line."""
    lines = value.text.split("\n")
    widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(widths) if widths else 0
    parts: list[StringNode] = []
    position = 0
    for index, line in enumerate(lines):
        take = min(cut, len(line) - len(line.lstrip(" \t")))
        stop = position + len(line) + (1 if index < len(lines) - 1 else 0)
        parts.append(v.slice_string(value, position + take, stop))
        position = stop
    return v.join_strings(parts, value.start, value.end, value.file)


def json_nodes(text: StringNode, arm: bool = False) -> AnyNode | None:
    """A JSON string (a heredoc body) as nodes, each mapped back through ``text``'s offsets;
    ``arm``: an ARM template, whose strings are already ARM (``[`` starts an expression)."""
    try:
        document = parse(text.text)
    except JsonSyntaxError:
        return None
    return _remap(document.root, text, arm)


def _remap(node: AnyNode, text: StringNode, arm: bool) -> AnyNode:
    start, end = text.file_offset(node.start), text.file_offset(max(node.start, node.end - 1)) + 1
    if isinstance(node, ObjectNode):
        members = [Member(_remap(m.key, text, arm), _remap(m.value, text, arm)) for m in node.members]  # type: ignore[arg-type]
        return v.obj(members, start, end, text.file)
    if isinstance(node, ArrayNode):
        return v.arr([_remap(i, text, arm) for i in node.items], start, end, text.file)
    if isinstance(node, StringNode):
        offsets = [text.file_offset(node.file_offset(i)) for i in range(len(node.text) + 1)]
        kind = v.ArmString if arm else v.MappedStringNode
        return kind(start, end, "", text=node.text, _raw=node.text, offsets=offsets, file=text.file)
    if isinstance(node, NumberNode):
        return v.number(node.number, start, end, text.file)
    return v.boolean(node.literal, start, end, text.file)  # type: ignore[union-attr]


def _identity(unit: Unit, evaluator: Evaluator, block: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
    """azapi's ``identity { type, identity_ids }`` block as ARM's identity object."""
    attributes = unit.attributes(block)
    start, end = unit.at(block)
    file = unit.file
    members = []
    if "type" in attributes:
        members.append(Member(v.literal_string("type", start, end, file), evaluator.eval(attributes["type"], scope)))
    if "identity_ids" in attributes:
        ids = evaluator.eval(attributes["identity_ids"], scope)
        if isinstance(ids, ArrayNode):
            keyed = [Member(i, v.obj([], i.start, i.end, file)) for i in ids.items if isinstance(i, StringNode)]
            members.append(
                Member(v.literal_string("userAssignedIdentities", start, end, file), v.obj(keyed, ids.start, ids.end, file))
            )
        else:
            members.append(Member(v.literal_string("userAssignedIdentities", start, end, file), ids))
    return v.obj(members, start, end, file)


def _image_template(unit: Unit, evaluator: Evaluator, block: Any, scope: dict[str, AnyNode]) -> ObjectNode | None:
    attributes = unit.attributes(block)
    type_node = attributes.get("type")
    if type_node is None:
        return None
    type_value = evaluator.eval(type_node, {})
    if not isinstance(type_value, StringNode) or not type_value.text.lower().startswith(IMAGE_TEMPLATES + "@"):
        return None
    start, end = unit.at(block)
    file = unit.file
    at = type_value.text.index("@")
    members = [
        Member(v.literal_string("type", start, end, file), v.slice_string(type_value, 0, at)),
        Member(v.literal_string("apiVersion", start, end, file), v.slice_string(type_value, at + 1, len(type_value.text))),
    ]
    for name in ("name", "location", "tags"):
        if name in attributes:
            value = evaluator.eval(attributes[name], scope)
            if not (isinstance(value, LiteralNode) and value.literal is None):
                members.append(Member(v.literal_string(name, start, end, file), value))
    for child in block.named_children:
        if child.type == "body":
            for inner in child.named_children:
                if inner.type == "block" and unit.source(inner.named_children[0]) == "identity":
                    identity = _identity(unit, evaluator, inner, scope)
                    if identity is not None:
                        members.append(Member(v.literal_string("identity", *unit.at(inner), file), identity))
    body = evaluator.eval(attributes["body"], scope) if "body" in attributes else None
    if isinstance(body, StringNode) and not v.is_unknown(body):
        text, body = body, json_nodes(body)
        unit.read_as_json(text, body)
    if isinstance(body, ObjectNode):
        members.extend(m for m in body.members if m.key.text.lower() not in ("type", "apiversion"))
    elif body is not None:
        members.append(Member(v.literal_string("properties", body.start, body.end, file), body))
    return v.obj(members, start, end, file)


MAX_SIBLINGS = 50
MAX_MODULE_DEPTH = 8


def _siblings(
    folder_of: Path | None, display: str, loader: Loader, module: Module, skip: Path | None, notes: list[str]
) -> list[Evaluator]:
    """Evaluators for the other .tf files of a module folder (their variables and locals count)."""
    if folder_of is None:
        return []
    folder = folder_of.parent if folder_of.suffix == ".tf" else folder_of
    found = []
    for path in sorted(folder.glob("*.tf"))[:MAX_SIBLINGS]:
        if skip is not None and path.name == skip.name:
            continue
        base = folder_of if folder_of.suffix == ".tf" else folder_of / "main.tf"
        try:
            loaded = loader.load(path.name, base, display)
        except LoadError as exc:
            notes.append(str(exc))
            continue
        unit = loader.parsed.get(loaded.path)
        if unit is None:  # parsed once, however many module instances read it
            unit = loader.parsed[loaded.path] = Unit(loaded.text, loaded.display, notes, [])
        evaluator = Evaluator(unit, loader, loaded.path, loaded.display, module)
        evaluator.collect()
        found.append(evaluator)
    return found


def _resources(evaluator: Evaluator, depth: int) -> list[Member]:
    """The image templates one .tf file declares, directly or through local modules."""
    unit = evaluator.unit
    found: list[Member] = []
    for block in unit.blocks():
        kind = unit.source(block.named_children[0])
        labels = unit.labels(block)
        if kind == "module" and labels:
            for suffix, scope in instances(evaluator, unit.attributes(block)):  # count / for_each on a module
                member = _module(evaluator, block, labels[0] + suffix, depth, scope)
                if member is not None:
                    found.append(member)
            continue
        if kind != "resource" or len(labels) < 2:
            continue
        if labels[0] == "azapi_resource":
            for suffix, scope in instances(evaluator, unit.attributes(block)):
                resource = _image_template(unit, evaluator, block, scope)
                if resource is not None:
                    found.append(Member(v.literal_string(labels[1] + suffix, resource.start, resource.end, unit.file), resource))
        elif labels[0] == "azurerm_resource_group_template_deployment":
            resource = _template_deployment(unit, evaluator, block)
            if resource is not None:
                found.append(Member(v.literal_string(labels[1], resource.start, resource.end, unit.file), resource))
    return found


def _deployment(template: AnyNode, start: int, end: int, file: str | None, name: AnyNode | None = None) -> ObjectNode:
    members = [
        Member(v.literal_string("type", start, end, file), v.literal_string("Microsoft.Resources/deployments", start, end, file)),
        Member(v.literal_string("apiVersion", start, end, file), v.literal_string("2022-09-01", start, end, file)),
    ]
    if name is not None:
        members.append(Member(v.literal_string("name", start, end, file), name))
    properties = [
        Member(v.literal_string("mode", start, end, file), v.literal_string("Incremental", start, end, file)),
        Member(v.literal_string("template", start, end, file), template),
    ]
    members.append(Member(v.literal_string("properties", start, end, file), v.obj(properties, start, end, file)))
    return v.obj(members, start, end, file)


def _template_deployment(unit: Unit, evaluator: Evaluator, block: Any) -> ObjectNode | None:
    """``azurerm_resource_group_template_deployment``: its ``template_content`` is an ARM template."""
    attributes = unit.attributes(block)
    if "template_content" not in attributes:
        return None
    content = evaluator.eval(attributes["template_content"], {})
    if isinstance(content, StringNode) and not v.is_unknown(content):
        text, content = content, json_nodes(content, arm=True)  # type: ignore[assignment]
        unit.read_as_json(text, content)
    if not isinstance(content, ObjectNode):
        return None
    start, end = unit.at(block)
    return _deployment(content, start, end, unit.file)


def _module(evaluator: Evaluator, block: Any, label: str, depth: int, scope: dict[str, AnyNode]) -> Member | None:
    unit = evaluator.unit
    attributes = unit.attributes(block)
    source_node = attributes.get("source")
    source = evaluator.eval(source_node, {}) if source_node is not None else None
    if not isinstance(source, StringNode) or v.is_unknown(source):
        return None
    if not source.text.startswith(("./", "../")):
        unit.note(block, f"module '{source.text}' not followed (only local modules are read)")
        return None
    if depth >= MAX_MODULE_DEPTH or evaluator.path is None:
        return None
    folder = (evaluator.path.resolve().parent / source.text).resolve()
    if not folder.is_dir() or evaluator.loader.root is None or not folder.is_relative_to(evaluator.loader.root):
        unit.note(block, f"module '{source.text}' not followed: not a folder inside the repository")
        return None
    module = Module()
    for name, expression in attributes.items():
        if name not in ("source", "version", "providers", "count", "for_each", "depends_on"):
            module.given[name] = evaluator.eval(expression, scope)
    display = str(Path(evaluator.display).parent / source.text / "main.tf")
    inner = _siblings(folder, display, evaluator.loader, module, None, unit.notes)
    members = [m for e in inner for m in _resources(e, depth + 1)]
    if not members:
        return None
    start, end = unit.at(block)
    template = _arm_root(members, start, end, unit.file)
    return Member(v.literal_string(label, start, end, unit.file), _deployment(template, start, end, unit.file))


def _arm_root(members: list[Member], start: int, end: int, file: str | None) -> ObjectNode:
    return v.obj(
        [
            Member(v.literal_string("$schema", start, start, file), v.literal_string(_SCHEMA, start, start, file)),
            Member(v.literal_string("languageVersion", start, start, file), v.literal_string("2.0", start, start, file)),
            Member(v.literal_string("contentVersion", start, start, file), v.literal_string("1.0.0.0", start, start, file)),
            Member(v.literal_string("resources", start, start, file), v.obj(members, start, end, file)),
        ],
        start,
        end,
        file,
    )


def read(text: str, display: str, path: Path | None) -> tuple[ObjectNode, int, Loader, list[str], list[tuple[int, str]], EditMap]:
    notes: list[str] = []
    errors: list[tuple[int, str]] = []
    loader = Loader.for_file(path)
    # Cheap test first: a file that names no image template, template deployment or module is not parsed.
    if not any(word in text for word in ("imageTemplates", "template_content", "module")):
        return _arm_root([], 0, len(text), None), 0, loader, notes, errors, EditMap(text, NoLiterals())
    unit = Unit(text, None, notes, errors)
    unit.syntax_errors()
    evaluator = Evaluator(unit, loader, path, display)
    edit_map = EditMap(text, unit.literals)
    _siblings(path, display, loader, evaluator.module, path, notes)
    evaluator.collect()
    evaluator.tfvars()
    resources = _resources(evaluator, 0)
    return _arm_root(resources, 0, len(text), None), len(resources), loader, notes, errors, edit_map
