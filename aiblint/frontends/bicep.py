"""Bicep: a .bicep (or .bicepparam) file read with tree-sitter-bicep into the node tree
``bicep build`` would produce (an ARM template, languageVersion 2.0, one symbolic name per
image template), every node pointing at its Bicep source.

Only image templates and the local modules that hold them are built. Values are
evaluated where the file says them (parameter defaults, variables, interpolation, the
pure functions); anything else becomes an ARM expression the rules treat as unknown.
Constructs tree-sitter-bicep 1.1 does not parse (typed ``var``, ``extension``, spread
``...``, ``.bicepparam`` assignments) cost at most the value they define, with a note.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiblint.editmap import EditMap
from aiblint.frontends import values as v
from aiblint.frontends.bicep_syntax import Unit, is_spread
from aiblint.frontends.common import Decoder, Malformed
from aiblint.frontends.edits import TreeLiterals
from aiblint.frontends.loader import Loader, LoadError
from aiblint.jsontree import AnyNode, ArrayNode, LiteralNode, Member, NumberNode, ObjectNode, StringNode

IMAGE_TEMPLATES = "microsoft.virtualmachineimages/imagetemplates"
MAX_MODULE_DEPTH = 8
MAX_LOOP_ITEMS = 200
MAX_INSTANCES = 32  # a resource loop longer than this is linted once, its loop variable unknown
# What a resource loop's instances beyond the first may cost to lint: their scripts' characters
# plus SCRIPT_COST a customizer; the same bound as an ARM copy loop's (aiblint/copies.py).
MAX_INSTANCES_COST = 3_000_000
SCRIPT_COST = 1_000
_LOADERS = {"loadtextcontent": "loadTextContent", "loadfileasbase64": "loadFileAsBase64", "loadjsoncontent": "loadJsonContent"}
_UNKNOWN_FUNCTIONS = {"resourcegroup", "subscription", "tenant", "deployment", "environment", "managementgroup"}
_ESCAPES = {"'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "$": "$"}


@dataclass
class Scope:
    unit: Unit
    params: dict[str, AnyNode]  # passed in (module params, a .bicepparam)
    loop: dict[str, AnyNode] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    cache: dict[str, AnyNode] = field(default_factory=dict)


class Evaluator:
    def __init__(
        self, loader: Loader, notes: list[str], errors: list[tuple[int, str]], main_path: Path | None, main_display: str
    ) -> None:
        self.loader = loader
        self.notes = notes
        self.errors = errors
        self.main_path = main_path
        self.main_display = main_display
        self.depth = 0
        self.units: dict[str, Unit] = {}  # module files, by display name

    # -- entry --------------------------------------------------------------------------
    def template(self, scope: Scope) -> tuple[ObjectNode, int]:
        """The ARM template object of ``scope``'s file and how many image templates it holds."""
        unit = scope.unit
        members: list[Member] = []
        count = 0
        for name, (type_node, body) in unit.resources.items():
            if name in unit.existing:
                continue
            type_text = self.eval(type_node, scope)
            if not isinstance(type_text, StringNode) or not type_text.text.lower().startswith(IMAGE_TEMPLATES + "@"):
                continue
            built = [(suffix, self.resource(type_text, body, instance)) for suffix, instance in self.instances(body, scope)]
            if len(built) > 1 and sum(_lint_cost(resource) for _, resource in built[1:]) > MAX_INSTANCES_COST:
                unit.note(
                    body,
                    f"a resource loop of {len(built)} image templates whose scripts are too large to lint each one: "
                    "it is linted once, its loop variable unknown",
                )
                built = [("", self.resource(type_text, body, scope))]
            for suffix, resource in built:
                if resource is not None:
                    members.append(Member(v.literal_string(name + suffix, type_text.start, type_text.end, unit.file), resource))
                    count += 1
        for name, (source_node, body) in unit.modules.items():
            for suffix, instance in self.instances(body, scope):  # a module loop: one deployment per item
                module = self.module(source_node, body, instance)
                if module is not None:
                    resource, inner = module
                    members.append(Member(v.literal_string(name + suffix, *unit.at(source_node), unit.file), resource))
                    count += inner
        start, end = (0, len(unit.text))
        file = unit.file
        root = v.obj(
            [
                Member(v.literal_string("$schema", 0, 0, file), v.literal_string(_SCHEMA, 0, 0, file)),
                Member(v.literal_string("languageVersion", 0, 0, file), v.literal_string("2.0", 0, 0, file)),
                Member(v.literal_string("contentVersion", 0, 0, file), v.literal_string("1.0.0.0", 0, 0, file)),
                Member(v.literal_string("resources", 0, 0, file), v.obj(members, start, end, file)),
            ],
            start,
            end,
            file,
        )
        return root, count

    def resource(self, type_text: StringNode, body: Any, scope: Scope) -> ObjectNode | None:
        unit = scope.unit
        body = _resource_body(body)
        if body is None or body.type != "object":
            return None
        evaluated = self.eval(body, scope)
        if not isinstance(evaluated, ObjectNode):
            return None
        at = type_text.text.index("@")
        members = [
            Member(v.literal_string("type", type_text.start, type_text.end, unit.file), v.slice_string(type_text, 0, at)),
            Member(
                v.literal_string("apiVersion", type_text.start, type_text.end, unit.file),
                v.slice_string(type_text, at + 1, len(type_text.text)),
            ),
        ]
        skip = {"dependson", "parent", "scope"}
        members.extend(m for m in evaluated.members if m.key.text.lower() not in skip)
        return v.obj(members, evaluated.start, evaluated.end, unit.file)

    def instances(self, body: Any, scope: Scope) -> list[tuple[str, Scope]]:
        """A resource loop ``[for x in list: {...}]`` as one scope per item (``[0]``, ``[1]``...)
        when the list is known and at most MAX_INSTANCES long; otherwise the body once, its loop
        variable unknown."""
        if body is None or body.type != "for_statement":
            return [] if _deployed(self, body, scope) is False else [("", scope)]
        scopes = _loop_scopes(self, body, scope)
        if scopes is None or len(scopes) > MAX_INSTANCES:
            if scopes is not None:
                scope.unit.note(
                    body,
                    f"a resource loop of {len(scopes)} instances is linted once, its loop variable unknown (at most {MAX_INSTANCES} are expanded)",
                )
            return [("", scope)]
        inner_body = body.child_by_field_name("body")
        return [(f"[{i}]", inner) for i, inner in enumerate(scopes) if _deployed(self, inner_body, inner) is not False]

    def module(self, source_node: Any, body: Any, scope: Scope) -> tuple[ObjectNode, int] | None:
        unit = scope.unit
        source = self.eval(source_node, scope)
        if not isinstance(source, StringNode) or v.is_unknown(source):
            return None
        relative = source.text
        if not relative.endswith(".bicep") or relative.startswith(("br:", "br/", "ts:", "ts/")):
            unit.note(source_node, f"module '{relative}' not followed (registry and template-spec modules are not read)")
            return None
        if self.depth >= MAX_MODULE_DEPTH:
            unit.note(source_node, f"module '{relative}' not followed: modules nested deeper than {MAX_MODULE_DEPTH}")
            return None
        try:
            loaded = self.loader.load(relative, unit.path or self.main_path, unit.file or self.main_display)
        except LoadError as exc:
            unit.note(source_node, f"module {exc}")
            return None
        inner_unit = self.units.get(loaded.display)
        if inner_unit is None:  # parsed once, however many loop instances deploy it
            inner_unit = self.units[loaded.display] = Unit(loaded.text, loaded.display, loaded.path, self.notes, self.errors)
        body = _resource_body(body)
        passed: dict[str, AnyNode] = {}
        evaluated = self.eval(body, scope) if body is not None else None
        if isinstance(evaluated, ObjectNode):
            params = evaluated.get_ci("params")
            if isinstance(params, ObjectNode):
                passed = {m.key.text: m.value for m in params.members}
            elif params is not None:
                unit.note(source_node, f"module '{relative}': its params are not known here")
        self.depth += 1
        try:
            template, count = self.template(Scope(inner_unit, passed))
        finally:
            self.depth -= 1
        if not count:
            return None
        start, end = unit.at(source_node)
        file = unit.file
        name = evaluated.get_ci("name") if isinstance(evaluated, ObjectNode) else None
        members = [
            Member(
                v.literal_string("type", start, end, file), v.literal_string("Microsoft.Resources/deployments", start, end, file)
            ),
            Member(v.literal_string("apiVersion", start, end, file), v.literal_string("2022-09-01", start, end, file)),
        ]
        if name is not None:
            members.append(Member(v.literal_string("name", start, end, file), name))
        properties = v.obj(
            [
                Member(v.literal_string("mode", start, end, file), v.literal_string("Incremental", start, end, file)),
                Member(v.literal_string("template", start, end, file), template),
            ],
            start,
            end,
            file,
        )
        members.append(Member(v.literal_string("properties", start, end, file), properties))
        return v.obj(members, start, end, file), count

    # -- expressions --------------------------------------------------------------------
    def eval(self, node: Any, scope: Scope) -> AnyNode:
        unit = scope.unit
        kind = node.type
        start, end = unit.at(node)
        handler = _HANDLERS.get(kind)
        if handler is not None and not v.exhausted():
            try:
                v.charge(steps=1)
                result = handler(self, node, scope)
            except v.OverBudget:
                budget = v.current_budget()
                note = budget.note() if budget is not None else None
                if note is not None:
                    unit.note(node, note)
                result = None
            if result is not None:
                return result
        return v.unknown("variables", unit.source(node).replace("\n", " ")[:80], start, end, unit.file)

    def identifier(self, name: str, node: Any, scope: Scope) -> AnyNode | None:
        unit = scope.unit
        start, end = unit.at(node)
        if name in scope.loop:
            return scope.loop[name]
        if name in unit.params:
            if name in scope.params:
                return scope.params[name]
            default = unit.params[name]
            if default is None:
                return v.unknown("parameters", name, start, end, unit.file)
            return self._cached(f"param:{name}", default, scope)
        if name in unit.vars:
            value = unit.vars[name]
            if value is None:
                return None
            return self._cached(f"var:{name}", value, scope)
        return None

    def _cached(self, key: str, node: Any, scope: Scope) -> AnyNode | None:
        if key in scope.cache:
            return scope.cache[key]
        if key in scope.active or len(scope.active) > 64:
            return None  # a cycle, or a chain too long to be real
        scope.active.add(key)
        try:
            value = self.eval(node, scope)
        finally:
            scope.active.discard(key)
        if not scope.loop:
            scope.cache[key] = value
        return value

    def load(self, call: Any, name: str, args: list[AnyNode], scope: Scope, start: int, end: int) -> AnyNode | None:
        unit = scope.unit
        if not args or not isinstance(args[0], StringNode) or v.is_unknown(args[0]):
            return None
        try:
            loaded = self.loader.load(args[0].text, unit.path or self.main_path, unit.file or self.main_display)
        except LoadError as exc:
            unit.note(call, f"{_LOADERS.get(name, name)}: {exc}")
            return None
        text = loaded.text
        if name == "loadfileasbase64":
            return v.from_python(base64.b64encode(text.encode()).decode("ascii"), start, end, unit.file)
        if name == "loadjsoncontent":
            return v.json_file_nodes(loaded.text, loaded.display)
        loaded_text = v.string(text, list(range(len(text) + 1)), 0, len(text), loaded.display)
        loaded_text.loaded_by = (unit.file, start, end)
        loaded_text.verbatim = True
        return loaded_text


_PARAM_ASSIGNMENT = re.compile(r"^([ \t]*)param(?=[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*=)", re.M)
_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def _lint_cost(resource: ObjectNode | None) -> int:
    """What linting this image template's customizers costs, roughly: characters of their
    strings plus SCRIPT_COST each (an ARM copy loop is charged the same way)."""
    properties = resource.get_ci("properties") if resource is not None else None
    customize = properties.get_ci("customize") if isinstance(properties, ObjectNode) else None
    if not isinstance(customize, ArrayNode):
        return 0
    cost = 0
    stack: list[AnyNode] = list(customize.items)
    cost += SCRIPT_COST * len(stack)
    while stack:
        node = stack.pop()
        if isinstance(node, StringNode):
            cost += len(node.text)
        elif isinstance(node, ArrayNode):
            stack.extend(node.items)
        elif isinstance(node, ObjectNode):
            stack.extend(member.value for member in node.members)
    return cost


def _deployed(ev: Evaluator, node: Any, scope: Scope) -> bool | None:
    """An ``if (condition)`` resource: whether it is deployed (None: not known here)."""
    if node is None or node.type != "if_statement":
        return True
    conditions = [c for c in node.named_children if c.type == "parenthesized_expression"]
    value = ev.eval(conditions[0], scope) if conditions else None
    return value.literal if isinstance(value, LiteralNode) and isinstance(value.literal, bool) else None


def _resource_body(node: Any) -> Any:
    while node is not None and node.type in ("if_statement", "for_statement"):
        bodies = [c for c in node.named_children if c.type in ("object", "if_statement", "for_statement")]
        node = node.child_by_field_name("body") or (bodies[-1] if bodies else None)
    return node


# -- handlers: one per node type ------------------------------------------------------------


def _string(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    unit = scope.unit
    start, end = unit.at(node)
    raw = unit.text[start:end]
    if raw.startswith("'''"):
        begin, stop = start + 3, end - 3
        if unit.text.startswith("\r\n", begin):
            begin += 2
        elif unit.text.startswith("\n", begin):
            begin += 1
        text = unit.text[begin:stop]
        return v.string(text, list(range(begin, stop + 1)), start, end, unit.file)
    interpolations = {unit.at(c)[0]: c for c in node.named_children if c.type == "interpolation"}
    if not interpolations and "\\" not in raw:  # the usual case: the characters as written
        return v.string(raw[1:-1], list(range(start + 1, end)), start, end, unit.file)
    out = Decoder(start, end, unit.file)
    text = unit.text
    i, stop = start + 1, end - 1
    while i < stop:
        if i in interpolations:
            inner = interpolations[i]
            expression = inner.named_children
            value = ev.eval(expression[0], scope) if expression else None
            piece = None if value is None or v.is_unknown(value) else v.as_string(value)
            if piece is None:
                return v.unknown("variables", raw[:80], start, end, unit.file)
            out.value(piece, i)
            i = unit.at(inner)[1]
            continue
        if text[i] == "\\" and i + 1 < stop:
            try:
                after = _escape(text, i, out)
            except Malformed:
                return None
            if after:
                i = after
                continue
        out.add(text[i], i)
        i += 1
    out.flush(i)
    return out.result(start + 1)


def _escape(text: str, i: int, out: Decoder) -> int:
    """A ``\\`` escape at ``i`` decoded into ``out``: where the text goes on (0: not an escape)."""
    escape = text[i + 1]
    if escape in _ESCAPES:
        out.add(_ESCAPES[escape], i)
        return i + 2
    if escape == "u" and text.startswith("{", i + 2):
        close = text.find("}", i + 3)
        try:
            out.add(chr(int(text[i + 3 : close], 16)), i)
        except ValueError:
            raise Malformed from None
        return close + 1
    return 0


def _number(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    start, end = scope.unit.at(node)
    try:
        return v.number(int(scope.unit.source(node)), start, end, scope.unit.file)
    except ValueError:
        return None


def _boolean(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    start, end = scope.unit.at(node)
    return v.boolean(scope.unit.source(node) == "true", start, end, scope.unit.file)


def _null(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    start, end = scope.unit.at(node)
    return v.boolean(None, start, end, scope.unit.file)


def _identifier(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    return ev.identifier(scope.unit.source(node), node, scope)


def _object(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    unit = scope.unit
    start, end = unit.at(node)
    members: list[Member] = []
    for child in node.named_children:
        if child.type == "ERROR":
            if is_spread(child):
                unit.note(child, "spread `...` is not read (tree-sitter-bicep 1.1): the object it is in is unknown")
            return None
        if child.type != "object_property":
            continue
        parts = [c for c in child.named_children if c.type not in ("decorators", "decorator")]
        if len(parts) < 2:
            continue
        key_node, value_node = parts[0], parts[-1]
        if key_node.type == "string":
            key = ev.eval(key_node, scope)
            if not isinstance(key, StringNode):
                continue
        else:
            key_start, key_end = unit.at(key_node)
            key = v.string(unit.source(key_node), list(range(key_start, key_end + 1)), key_start, key_end, unit.file)
        value = ev.eval(value_node, scope)
        if isinstance(value, LiteralNode) and value.literal is None:
            continue  # ARM leaves a null property out of the request
        members.append(Member(key, value))
    return v.obj(members, start, end, unit.file)


def _array(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    unit = scope.unit
    start, end = unit.at(node)
    children = [c for c in node.named_children if c.type != "comment"]
    items: list[AnyNode] = []
    i = 0
    while i < len(children):
        child = children[i]
        after = children[i + 1] if i + 1 < len(children) else None
        # tree-sitter-bicep 1.1 reads `f(x)` and `x[0]` inside an array as two items
        if child.type == "identifier" and after is not None and after.start_byte == child.end_byte:
            if after.type == "parenthesized_expression":
                name = unit.source(child)
                call_start, call_end = unit.at(child)[0], unit.at(after)[1]
                value = _apply(ev, name, after.named_children, call_start, call_end, after, scope)
                source = unit.text[call_start:call_end].replace("\n", " ")[:80]
                items.append(value if value is not None else v.unknown("variables", source, call_start, call_end, unit.file))
                i += 2
                continue
            if after.type == "array" and after.named_children:
                target = ev.eval(child, scope)
                index = ev.eval(after.named_children[0], scope)
                found = _index(target, index)
                items.append(found if found is not None else ev.eval(child, scope))
                i += 2
                continue
        items.append(ev.eval(child, scope))
        i += 1
    return v.arr(items, start, end, unit.file)


def _for(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    body = node.child_by_field_name("body")
    scopes = _loop_scopes(ev, node, scope)
    if body is None or scopes is None:
        return None
    start, end = scope.unit.at(node)
    items = []
    for inner in scopes:
        if v.exhausted():
            return None  # the whole loop is unknown, not each of its items one by one
        items.append(ev.eval(body, inner))
    return v.arr(items, start, end, scope.unit.file)


def _loop_scopes(ev: Evaluator, node: Any, scope: Scope) -> list[Scope] | None:
    """One scope per item of a ``for`` (its variable, and its index, bound); None when unknown."""
    unit = scope.unit
    body = node.child_by_field_name("body")
    names: list[str] = []
    initializer = node.child_by_field_name("initializer")
    iterable = None
    for child in node.named_children:
        if child.type == "for_loop_parameters":
            names = [unit.source(c) for c in child.named_children]
        elif child is not body and child != initializer and iterable is None and child.type != "for_loop_parameters":
            iterable = child
    if initializer is not None:
        names = [unit.source(initializer)]
    if body is None or iterable is None or not names:
        return None
    items = ev.eval(iterable, scope)
    if isinstance(items, ArrayNode) and len(items.items) > MAX_LOOP_ITEMS:
        # said, never silent: what the loop makes is unknown, so its scripts are not checked
        unit.note(
            node, f"a loop over {len(items.items)} items (more than {MAX_LOOP_ITEMS}) is not expanded: its values are unknown"
        )
        return None
    if not isinstance(items, ArrayNode):
        return None
    scopes = []
    for index, item in enumerate(items.items):
        loop = dict(scope.loop)
        loop[names[0]] = item
        if len(names) > 1:
            loop[names[1]] = v.number(index, item.start, item.end, item.file)
        scopes.append(Scope(scope.unit, scope.params, loop, scope.active, scope.cache))
    return scopes


def _parenthesized(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    inner = node.named_children
    return ev.eval(inner[0], scope) if inner else None


def _ternary(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    condition = ev.eval(node.child_by_field_name("condition"), scope)
    if isinstance(condition, LiteralNode) and isinstance(condition.literal, bool):
        branch = node.child_by_field_name("consequence" if condition.literal else "alternative")
        return ev.eval(branch, scope) if branch is not None else None
    return None


def _binary(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    unit = scope.unit
    start, end = unit.at(node)
    operator = node.child_by_field_name("operator")
    op = unit.source(operator) if operator is not None else ""
    left = ev.eval(node.child_by_field_name("left"), scope)
    if op == "??":
        if isinstance(left, LiteralNode) and left.literal is None:
            return ev.eval(node.child_by_field_name("right"), scope)
        return None if v.is_unknown(left) else left
    right = ev.eval(node.child_by_field_name("right"), scope)
    if v.is_unknown(left) or v.is_unknown(right):
        return None
    a, b = left.value, right.value
    result = _operate(op, a, b)
    return None if result is _NONE else v.from_python(result, start, end, unit.file)


_NONE = object()


def _operate(op: str, a: Any, b: Any) -> Any:
    numbers = isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) and not isinstance(b, bool)
    if op in ("+", "-", "*") and numbers:
        return a + b if op == "+" else a - b if op == "-" else a * b
    if op in ("/", "%") and numbers and b != 0:
        return int(a / b) if op == "/" else a - b * int(a / b)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op in ("=~", "!~") and isinstance(a, str) and isinstance(b, str):
        return (a.lower() == b.lower()) == (op == "=~")
    if op in ("<", ">", "<=", ">=") and numbers:
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    if op in ("&&", "||") and isinstance(a, bool) and isinstance(b, bool):
        return (a and b) if op == "&&" else (a or b)
    return _NONE


def _fields(node: Any, *names: str) -> list[Any] | None:
    """The node's children by these field names; None when one is missing (a syntax error)."""
    found = [node.child_by_field_name(name) for name in names]
    return None if any(child is None for child in found) else found


def _unary(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    fields = _fields(node, "operator", "argument")
    value = ev.eval(fields[1], scope) if fields is not None else None
    op = scope.unit.source(fields[0]) if fields is not None else ""
    if op == "!" and isinstance(value, LiteralNode) and isinstance(value.literal, bool):
        return v.boolean(not value.literal, *scope.unit.at(node), scope.unit.file)
    if op == "-" and isinstance(value, NumberNode):
        return v.number(-value.number, *scope.unit.at(node), scope.unit.file)
    return None


def _member(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    unit = scope.unit
    start, end = unit.at(node)
    fields = _fields(node, "object", "property")
    if fields is None:
        return None
    target_node, prop = fields
    name = unit.source(prop)
    if target_node.type == "identifier":
        symbol = unit.source(target_node)
        if symbol in unit.resources and symbol not in scope.loop and symbol not in unit.vars and symbol not in unit.params:
            return _resource_property(ev, symbol, name, node, scope)
    target = ev.eval(target_node, scope)
    if isinstance(target, ObjectNode):
        found = target.get_ci(name)
        if found is None and "?" in "".join(c.type for c in node.children):
            return v.boolean(None, start, end, unit.file)
        return found
    return None


def _resource_property(ev: Evaluator, symbol: str, name: str, node: Any, scope: Scope) -> AnyNode | None:
    """``identity.id`` of a resource declared in the file: its resourceId() when its name is known."""
    unit = scope.unit
    start, end = unit.at(node)
    type_node, body = unit.resources[symbol]
    type_value = ev.eval(type_node, scope)
    body = _resource_body(body)
    evaluated = ev.eval(body, scope) if body is not None and body.type == "object" else None
    resource_name = evaluated.get_ci("name") if isinstance(evaluated, ObjectNode) else None
    if name == "name" and resource_name is not None:
        return resource_name
    if (
        name == "id"
        and isinstance(type_value, StringNode)
        and "@" in type_value.text
        and isinstance(resource_name, StringNode)
        and not v.is_unknown(resource_name)
    ):
        kind = type_value.text.split("@", 1)[0].replace("'", "''")
        text = f"[resourceId('{kind}', '{resource_name.text.replace(chr(39), chr(39) * 2)}')]"
        return v.UnknownString(start, end, "", text=text, _raw=text, offsets=[start] * (len(text) + 1), file=unit.file)
    return None


def _subscript(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    fields = _fields(node, "object", "index")
    return None if fields is None else _index(ev.eval(fields[0], scope), ev.eval(fields[1], scope))


def _index(target: AnyNode, index: AnyNode) -> AnyNode | None:
    if (
        isinstance(target, ArrayNode)
        and isinstance(index, NumberNode)
        and isinstance(index.number, int)
        and -len(target.items) <= index.number < len(target.items)
    ):
        return target.items[index.number]
    if isinstance(target, ObjectNode) and isinstance(index, StringNode) and not v.is_unknown(index):
        return target.get_ci(index.text)
    return None


def _call(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    unit = scope.unit
    start, end = unit.at(node)
    function = node.child_by_field_name("function")
    arguments = node.child_by_field_name("arguments")
    if function is None:
        return None
    if function.type == "member_expression":
        prop = function.child_by_field_name("property")
        name = unit.source(prop) if prop is not None else ""
    else:
        name = unit.source(function)
    arg_nodes = [c for c in arguments.named_children] if arguments is not None else []
    return _apply(ev, name, arg_nodes, start, end, node, scope)


def _apply(ev: Evaluator, name: str, arg_nodes: list[Any], start: int, end: int, node: Any, scope: Scope) -> AnyNode | None:
    unit = scope.unit
    lowered = name.lower()
    if lowered in _UNKNOWN_FUNCTIONS:
        return None
    args = [ev.eval(a, scope) for a in arg_nodes if a.type != "comment"]
    if lowered in ("loadtextcontent", "loadfileasbase64", "loadjsoncontent"):
        return ev.load(node, lowered, args, scope, start, end)
    if lowered == "range" and len(args) == 2 and all(isinstance(a, NumberNode) for a in args):
        first, count = (int(a.number) for a in args if isinstance(a, NumberNode))
        if 0 <= count <= MAX_LOOP_ITEMS:
            return v.from_python(list(range(first, first + count)), start, end, unit.file)
        unit.note(
            node,
            f"range() of {count if abs(count) < 10**12 else 'more than 10^12'} items (at most {MAX_LOOP_ITEMS} are expanded): a loop over it is unknown",
        )
        return None
    return v.call_function(v.Call(name, args, start, end, unit.file))


def _decorated(ev: Evaluator, node: Any, scope: Scope) -> AnyNode | None:
    inner = [c for c in node.named_children if c.type not in ("decorators", "decorator")]
    return ev.eval(inner[-1], scope) if inner else None


_HANDLERS = {
    "string": _string,
    "number": _number,
    "boolean": _boolean,
    "null": _null,
    "identifier": _identifier,
    "object": _object,
    "array": _array,
    "for_statement": _for,
    "parenthesized_expression": _parenthesized,
    "ternary_expression": _ternary,
    "binary_expression": _binary,
    "unary_expression": _unary,
    "member_expression": _member,
    "subscript_expression": _subscript,
    "call_expression": _call,
    "if_statement": lambda ev, node, scope: ev.eval(_resource_body(node), scope) if _resource_body(node) is not None else None,
    "decorated_expression": _decorated,
}


def read(text: str, display: str, path: Path | None) -> tuple[ObjectNode, int, Loader, list[str], list[tuple[int, str]], EditMap]:
    """The ARM template a .bicep or .bicepparam file amounts to, and its image template count."""
    notes: list[str] = []
    errors: list[tuple[int, str]] = []
    loader = Loader.for_file(path)
    is_params = display.lower().endswith(".bicepparam")
    # tree-sitter-bicep 1.1 cannot read `param x = value` (a .bicepparam assignment): read
    # it as `var   x = value`, the same length, so every offset stays where it was.
    parsed = _PARAM_ASSIGNMENT.sub(lambda m: m.group(1) + "var  ", text) if is_params else text
    unit = Unit(parsed, None, path, notes, errors)
    unit.text = text
    edit_map = EditMap(text, TreeLiterals(unit, "bicep"))
    evaluator = Evaluator(loader, notes, errors, path, display)
    if is_params:
        unit.params, unit.vars = unit.vars, {}
    if unit.using is None:
        template, count = evaluator.template(Scope(unit, {}))
        return template, count, loader, notes, errors, edit_map
    scope = Scope(unit, {})
    target = evaluator.eval(unit.using, scope)
    if not isinstance(target, StringNode) or v.is_unknown(target) or not target.text.endswith(".bicep"):
        unit.note(unit.using, "the template named by `using` is not a local .bicep file: not followed")
        return v.obj([], 0, 0, None), 0, loader, notes, errors, edit_map
    try:
        loaded = loader.load(target.text, path, display)
    except LoadError as exc:
        unit.note(unit.using, f"using {exc}")
        return v.obj([], 0, 0, None), 0, loader, notes, errors, edit_map
    passed = {}
    for name, value in unit.params.items():
        if value is not None:
            passed[name] = evaluator.eval(value, scope)
    template_unit = Unit(loaded.text, loaded.display, loaded.path, notes, errors)
    template, count = evaluator.template(Scope(template_unit, passed))
    return template, count, loader, notes, errors, edit_map
