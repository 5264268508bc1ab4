"""Evaluate ARM expressions where the deployment evaluates them, within budgets.

Entry point for every front end: ``evaluate(expression_text, scope) -> value | UNKNOWN``.
A ``Scope`` is one deployment template's expression context: its parameters (values
supplied by a parameter file or a parent deployment first, then ``defaultValue``), its
variables (each evaluated once per file, cycles are UNKNOWN) and the copy loop indexes.
What only the deployment knows (``resourceGroup()``, ``newGuid()``, ``utcNow()``,
``reference()``, a parameter with no value) is UNKNOWN and so is everything computed
from it: the checks that need it stay quiet.

Budgets (per file, shared by all its scopes): at most ``MAX_VALUE_CHARS`` characters or
items in any value, ``MAX_WORK`` evaluation steps, ``MAX_REFERENCE_DEPTH`` nested
variable/parameter references. Past one, the value is UNKNOWN and the file gets one note.
Strings keep the positions of their source text (aiblint/armtext.py).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import Any

from aiblint import armtext
from aiblint.arm import UNKNOWN, Access, Call, ExpressionError, Lit, is_expression, parse_expression, unescape_literal
from aiblint.armfuncs import FUNCTIONS, MAX_CHARS, BudgetExceeded, dotnet_format
from aiblint.jsontree import AnyNode, ArrayNode, LiteralNode, Member, NumberNode, ObjectNode, StringNode

MAX_VALUE_CHARS = MAX_CHARS
MAX_WORK = 2_000_000
MAX_REFERENCE_DEPTH = 40
MAX_COPY_COUNT = 800  # ARM's own limit for a copy loop


class Budget:
    """The evaluation work one file may cost; ``note`` is set once when a limit is hit."""

    def __init__(self) -> None:
        self.work = 0
        self.note: str | None = None
        self.expanded = 0  # characters of template linted again as copy-loop instances (aiblint/locate.py)
        self.instances = 0  # copy-loop instances expanded in the file (aiblint/locate.py)
        self.instance_cost = 0  # what those instances' scripts cost beyond each loop's first (aiblint/copies.py)

    def spend(self, amount: int = 1) -> None:
        self.work += amount
        if self.work > MAX_WORK:
            raise BudgetExceeded(f"more than {MAX_WORK:,} evaluation steps")

    def check_size(self, value: Any) -> Any:
        if isinstance(value, (str, list, dict)) and len(value) > MAX_VALUE_CHARS:
            raise BudgetExceeded(f"a value of more than {MAX_VALUE_CHARS:,} characters or items")
        return value


class NodeList(list):  # type: ignore[type-arg]
    """A JSON array's value; ``node`` is where it is written (for positions)."""

    node: ArrayNode | None = None
    file: str | None = None


class NodeDict(dict):  # type: ignore[type-arg]
    """A JSON object's value (keys as written); ``node`` is where it is written."""

    node: ObjectNode | None = None
    file: str | None = None


def get_ci(value: dict, key: str) -> Any:  # type: ignore[type-arg]
    """ARM property names are case-insensitive."""
    if key in value:
        return value[key]
    lowered = key.lower()
    for name, item in value.items():
        if isinstance(name, str) and name.lower() == lowered:
            return item
    return UNKNOWN


class Deferred:
    """A value a parent deployment passes, evaluated (in the parent's scope) only when used."""

    __slots__ = ("node", "scope")

    def __init__(self, node: AnyNode, scope: Scope) -> None:
        self.node = node
        self.scope = scope


class Scope:
    """One deployment template's parameters and variables (``template`` None: a bare file)."""

    def __init__(
        self,
        template: ObjectNode | None,
        supplied: dict[str, Any] | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.template = template
        self.supplied = {k.lower(): v for k, v in (supplied or {}).items()}
        self.budget = budget or Budget()
        self.declared: dict[str, ObjectNode | None] = {}
        self.variable_nodes: dict[str, AnyNode] = {}
        self.variable_copies: dict[str, ObjectNode] = {}
        self._values: dict[str, Any] = {}
        self._active: set[str] = set()
        # id(node) or text -> (node, value): a top-level expression's immutable value, evaluated once
        # (collect, secrets and placeholders each ask for every script line: 12,000 lines cost 36,000 evaluations)
        self._evaluated: dict[Any, tuple[StringNode | None, Any]] = {}
        self.depth = 0
        # One instance of a resource copy loop: copyIndex() values every expression sees,
        # and the deployment's scope that owns (and evaluates once) parameters and variables.
        self.index_env: dict[str, int] = {}
        self.owner: Scope | None = None
        if template is None:
            return
        params = template.get_ci("parameters")
        if isinstance(params, ObjectNode):
            for member in params.members:
                self.declared[member.key.text.lower()] = member.value if isinstance(member.value, ObjectNode) else None
        variables = template.get_ci("variables")
        if isinstance(variables, ObjectNode):
            for member in variables.members:
                if member.key.text.lower() == "copy" and isinstance(member.value, ArrayNode):
                    for loop in member.value.items:
                        name = loop.get_ci("name") if isinstance(loop, ObjectNode) else None
                        if isinstance(loop, ObjectNode) and isinstance(name, StringNode):
                            self.variable_copies[name.text.lower()] = loop
                    continue
                self.variable_nodes[member.key.text.lower()] = member.value

    def parameter_default(self, name: str) -> AnyNode | None:
        declared = self.declared.get(name.lower())
        return declared.get_ci("defaultValue") if declared is not None else None

    def parameter_type(self, name: str) -> str:
        declared = self.declared.get(name.lower())
        kind = declared.get_ci("type") if declared is not None else None
        return kind.text.lower() if isinstance(kind, StringNode) else ""

    def secure_references(self, text: str, seen: set[str] | None = None) -> list[str]:
        """The secureString/secureObject parameters an expression's value is built from,
        through variables too (their values are unknown, their flow is not)."""
        try:
            tree = parse_expression(text)
        except ExpressionError:
            return []
        seen = set() if seen is None else seen
        found: list[str] = []
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, Access):
                stack.extend([node.target, node.key])
            elif isinstance(node, Call):
                name = node.name.lower()
                first = node.args[0] if node.args and isinstance(node.args[0], str) else None
                if name == "parameters" and first is not None and self.parameter_type(first) in ("securestring", "secureobject"):
                    found.append(str(first))
                elif name == "variables" and first is not None and first.lower() not in seen:
                    seen.add(first.lower())
                    for string in _expression_strings(self.variable_nodes.get(first.lower())):
                        found.extend(self.secure_references(string, seen))
                stack.extend(node.args)
        return found

    def with_copy_index(self, loop: str, index: int) -> Scope:
        """The scope of instance ``index`` of a resource copy loop named ``loop``:
        ``copyIndex()`` and ``copyIndex('loop')`` are ``index``. Parameters and variables
        stay the deployment's (ARM evaluates them outside the loop), memoised once."""
        instance = copy.copy(self)
        instance.owner = self.owner or self
        # an enclosing copied deployment's loop stays reachable by its name (outer scope)
        instance.index_env = {**self.index_env, loop.lower(): index, "": index}
        return instance

    # -- references, each evaluated once ---------------------------------------------------
    def reference(self, kind: str, name: str) -> Any:
        if self.owner is not None:
            return self.owner.reference(kind, name)
        key = f"{kind}:{name.lower()}"
        if key in self._values:
            return self._values[key]
        if key in self._active or self.depth >= MAX_REFERENCE_DEPTH:
            return UNKNOWN  # a cycle, or a chain deeper than any real template
        self._active.add(key)
        self.depth += 1
        try:
            value = self._reference(kind, name.lower())
        finally:
            self.depth -= 1
            self._active.discard(key)
        self._values[key] = value
        return value

    def _reference(self, kind: str, name: str) -> Any:
        if kind == "parameters":
            if name in self.supplied:
                value = self.supplied[name]
                return value.scope.node_value(value.node, {}) if isinstance(value, Deferred) else value
            if name not in self.declared:
                return UNKNOWN
            return self.node_value(self.parameter_default(name), {})
        if name in self.variable_copies:
            return self.copy_loop(self.variable_copies[name], {})
        if name not in self.variable_nodes:
            return UNKNOWN
        return self.node_value(self.variable_nodes[name], {})

    def copy_loop(self, loop: ObjectNode, env: dict[str, Any]) -> Any:
        """``{"name", "count", "input"}``: the input evaluated once per copyIndex(name)."""
        name = loop.get_ci("name")
        count = self.node_value(loop.get_ci("count"), env)
        body = loop.get_ci("input")
        if not isinstance(name, StringNode) or body is None or isinstance(count, bool) or not isinstance(count, int):
            return UNKNOWN
        if not 0 <= count <= MAX_COPY_COUNT:
            return UNKNOWN
        items = NodeList()
        for index in range(count):
            self.budget.spend()
            items.append(self.node_value(body, {**env, name.text.lower(): index, "": index}))
        return items

    # -- JSON values ----------------------------------------------------------------------
    def node_value(self, node: AnyNode | None, env: dict[str, Any], file: str | None = None) -> Any:
        """A JSON value as ARM sees it: strings evaluated (in a parameter file: literal)."""
        if node is None:
            return UNKNOWN
        self.budget.spend()
        if isinstance(node, StringNode):
            if file is not None:
                return armtext.from_node(node, file)
            if is_expression(node.text):
                return self.expression(node.text, env, node)
            return armtext.from_node(node, None, 1 if node.text.startswith("[[") else 0)
        if isinstance(node, ObjectNode):
            result = NodeDict()
            result.node, result.file = node, file
            for member in node.members:
                if file is None and member.key.text.lower() == "copy" and isinstance(member.value, ArrayNode):
                    for loop in member.value.items:  # property iteration: each loop makes one array
                        loop_name = loop.get_ci("name") if isinstance(loop, ObjectNode) else None
                        if isinstance(loop, ObjectNode) and isinstance(loop_name, StringNode):
                            result[loop_name.text] = self.copy_loop(loop, env)
                    continue
                result[member.key.text] = self.node_value(member.value, env, file)
            return result
        if isinstance(node, ArrayNode):
            items = NodeList(self.node_value(item, env, file) for item in node.items)
            items.node, items.file = node, file
            return items
        return node.value

    # -- expressions --------------------------------------------------------------------------
    def expression(self, text: str, env: dict[str, Any], node: StringNode | None = None) -> Any:
        if self.index_env:
            env = {**self.index_env, **env}  # a property loop's own copyIndex() wins
        top = not env and self.depth == 0 and not self._active  # no copy index, not inside a variable
        key = (text, id(node)) if node is not None else text
        if top:
            cached = self._evaluated.get(key)
            if cached is not None and cached[0] is node:
                return cached[1]
        value = self._expression(text, env, node)
        if top and (value is UNKNOWN or value is None or isinstance(value, (str, int, float))):
            self._evaluated[key] = (node, value)
            if node is not None and isinstance(value, str):
                # the same expression without positions (a value rule's read) is this text:
                # one evaluation per script line instead of two
                self._evaluated.setdefault(text, (None, str(value)))
        return value

    def _expression(self, text: str, env: dict[str, Any], node: StringNode | None) -> Any:
        try:
            tree = parse_expression(text)
        except ExpressionError:
            return UNKNOWN
        try:
            return self.budget.check_size(self.eval(tree, env, node))
        except BudgetExceeded as exc:
            if self.budget.note is None:
                self.budget.note = (
                    f"an ARM expression needs {exc}: its value (and every value built from it) is treated as unknown"
                )
            return UNKNOWN
        except RecursionError:
            return UNKNOWN

    def eval(self, tree: Any, env: dict[str, Any], node: StringNode | None) -> Any:
        self.budget.spend()
        if isinstance(tree, Lit):
            if node is None:
                return str(tree)
            return armtext.from_literal(str(tree), tree.column, tree.escapes, node, None)
        if isinstance(tree, (str, int, float)):
            return tree
        if isinstance(tree, Access):
            return self.access(tree, env, node)
        if not isinstance(tree, Call):
            return UNKNOWN
        name = tree.name.lower()
        if name == "if" and len(tree.args) == 3:  # only the chosen branch is evaluated
            condition = self.eval(tree.args[0], env, node)
            if not isinstance(condition, bool):
                return UNKNOWN
            return self.eval(tree.args[1] if condition else tree.args[2], env, node)
        if name in _LAMBDA_FUNCTIONS and tree.args and _is_lambda(tree.args[-1]):
            return self.apply_lambda(name, tree, env, node)
        args = [self.eval(arg, env, node) for arg in tree.args]
        if name == "lambdavariables":
            found = env.get(_LAMBDA_KEY + args[0].lower(), UNKNOWN) if len(args) == 1 and isinstance(args[0], str) else UNKNOWN
            return found
        if name in ("parameters", "variables"):
            if len(args) == 1 and isinstance(args[0], str):
                return self.reference(name, args[0])
            return UNKNOWN
        if name == "copyindex":
            return _copy_index(args, env)
        if name == "coalesce":
            for arg in args:
                if arg is UNKNOWN:
                    return UNKNOWN
                if arg is not None:
                    return arg
            return None
        if any(arg is UNKNOWN for arg in args):
            return UNKNOWN
        if name == "format":
            return dotnet_format(args, MAX_VALUE_CHARS) if args and isinstance(args[0], str) else UNKNOWN
        if name == "json":
            return _json(args)
        if name == "base64tostring" and len(args) == 1 and isinstance(args[0], str):
            try:
                return base64.b64decode(args[0], validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                return UNKNOWN
        function = FUNCTIONS.get(name)
        if function is None:
            return UNKNOWN
        self.budget.spend(sum(len(a) for a in args if isinstance(a, (str, list))) // 64)
        return self.budget.check_size(function(args))

    def apply_lambda(self, name: str, tree: Call, env: dict[str, Any], node: StringNode | None) -> Any:
        """``map``/``filter`` (``lambda('x'[, 'i'], body)``) and ``reduce`` (``lambda('cur',
        'next'[, 'i'], body)``): the body evaluated per item, its variables in ``env``. Any
        unknown item or result makes the whole value unknown."""
        function: Call = tree.args[-1]
        names = [self.eval(param, env, node) for param in function.args[:-1]]
        body = function.args[-1]
        items = self.eval(tree.args[0], env, node)
        expected = (2, 3) if name == "reduce" else (1, 2)
        if not isinstance(items, list) or len(tree.args) != (3 if name == "reduce" else 2):
            return UNKNOWN
        if len(names) not in expected or not all(isinstance(n, str) for n in names):
            return UNKNOWN
        keys = [_LAMBDA_KEY + n.lower() for n in names]
        if name == "reduce":
            total = self.eval(tree.args[1], env, node)
            for index, item in enumerate(items):
                if total is UNKNOWN:
                    return UNKNOWN
                total = self.eval(body, {**env, **dict(zip(keys, (total, item, index), strict=False))}, node)
            return total
        results = NodeList()
        for index, item in enumerate(items):
            value = self.eval(body, {**env, **dict(zip(keys, (item, index), strict=False))}, node)
            if value is UNKNOWN or (name == "filter" and not isinstance(value, bool)):
                return UNKNOWN
            if name == "map":
                results.append(value)
            elif value:
                results.append(item)
        return self.budget.check_size(results)

    def access(self, tree: Access, env: dict[str, Any], node: StringNode | None) -> Any:
        target = self.eval(tree.target, env, node)
        key = tree.key if isinstance(tree.key, str) and not isinstance(tree.key, Lit) else self.eval(tree.key, env, node)
        if isinstance(target, dict) and isinstance(key, str):
            return get_ci(target, key)
        if isinstance(target, list) and isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(target):
            return target[key]
        return UNKNOWN


_LAMBDA_FUNCTIONS = frozenset({"map", "filter", "reduce"})
_LAMBDA_KEY = "\0lambda:"  # lambda variables in an expression's env, apart from copy loop names


def _is_lambda(tree: Any) -> bool:
    return isinstance(tree, Call) and tree.name.lower() == "lambda" and len(tree.args) >= 2


def _expression_strings(node: AnyNode | None) -> list[str]:
    """Every expression text under a JSON node (a variable's definition)."""
    found: list[str] = []
    stack = [node] if node is not None else []
    while stack:
        item = stack.pop()
        if isinstance(item, StringNode) and is_expression(item.text):
            found.append(item.text)
        elif isinstance(item, ObjectNode):
            stack.extend(m.value for m in item.members)
        elif isinstance(item, ArrayNode):
            stack.extend(item.items)
    return found


def _copy_index(args: list[Any], env: dict[str, Any]) -> Any:
    name = ""
    offset = 0
    for arg in args:
        if arg is UNKNOWN:
            return UNKNOWN
        if isinstance(arg, str):
            name = arg.lower()
        elif isinstance(arg, int) and not isinstance(arg, bool):
            offset = arg
    index = env.get(name)
    return UNKNOWN if index is None else index + offset


def _json(args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], str) or len(args[0]) > MAX_VALUE_CHARS:
        return UNKNOWN
    try:
        return json.loads(args[0])
    except (ValueError, RecursionError):
        return UNKNOWN


def evaluate(expression_text: str, scope: Scope) -> Any:
    """The value of one ``[...]`` expression text in ``scope`` (UNKNOWN when not knowable).

    The entry point for front ends that produce ARM-style expression strings."""
    if not is_expression(expression_text):
        return unescape_literal(expression_text)
    return scope.expression(expression_text, {})


# -- evaluated values back into nodes ------------------------------------------------------------


def materialize(value: Any, via: AnyNode) -> AnyNode:
    """A node tree for an evaluated value, so rules read it like written JSON.

    A string written verbatim in the linted file is that very node; containers written in
    the linted file keep their spans and pointers; anything computed is placed at ``via``
    (the use site) and its characters map back to their source through pieces."""
    if value is UNKNOWN:
        return via
    if isinstance(value, str):
        node = armtext.whole_node(value)
        if node is not None:
            return node
        return armtext.EvalString(
            via.start, via.end, via.pointer, text=str(value), _raw="\0", pieces=armtext.pieces_of(value), via=via
        )
    if isinstance(value, bool) or value is None:
        return LiteralNode(via.start, via.end, via.pointer, literal=value)
    if isinstance(value, (int, float)):
        return NumberNode(via.start, via.end, via.pointer, number=value, raw=str(value))
    if isinstance(value, dict):
        written = value.node if isinstance(value, NodeDict) and value.file is None else None
        members = []
        for key, item in value.items():
            member = written.member(key) if written is not None else None
            where = member.value if member is not None else via
            key_node = (
                member.key if member is not None else StringNode(via.start, via.end, via.pointer, text=str(key), _raw=str(key))
            )
            members.append(Member(key_node, materialize(item, where)))
        base = written or via
        return ObjectNode(base.start, base.end, base.pointer, members=members)
    if isinstance(value, list):
        written_list = value.node if isinstance(value, NodeList) and value.file is None else None
        items = []
        for index, item in enumerate(value):
            where = written_list.items[index] if written_list is not None and index < len(written_list.items) else via
            items.append(materialize(item, where))
        base = written_list or via
        return ArrayNode(base.start, base.end, base.pointer, items=items)
    return via


class Resolver:
    """What rules call: values of template nodes in the scope of their deployment.

    ``deployment`` is the ARM template object (None for a bare template, where strings
    are plain values); ``scope`` overrides it (nested deployments, parameter files)."""

    def __init__(self, deployment: ObjectNode | None, scope: Scope | None = None) -> None:
        self.deployment = deployment
        self.scope = scope if scope is not None else (Scope(deployment) if deployment is not None else None)

    @property
    def is_arm(self) -> bool:
        return self.scope is not None

    def value(self, node: AnyNode | None, depth: int = 0) -> Any:
        """The node's value with expressions resolved where possible, else UNKNOWN."""
        if node is None:
            return UNKNOWN
        if self.scope is None:
            return node.value
        if isinstance(node, armtext.EvalString):
            return node.text  # already evaluated
        return self.scope.node_value(node, {})

    def string(self, text: str, depth: int = 0) -> Any:
        if self.scope is None:
            return text
        if not is_expression(text):
            return unescape_literal(text)
        return self.scope.expression(text, {})

    def node(self, node: AnyNode | None) -> AnyNode | None:
        """An expression node replaced by its evaluated value as nodes (itself when unknown)."""
        if self.scope is None or not isinstance(node, StringNode) or isinstance(node, armtext.EvalString):
            return node
        if not is_expression(node.text):
            return node
        return materialize(self.scope.expression(node.text, {}, node), node)

    def text(self, node: AnyNode | None) -> str | None:
        """The string the deployment passes for ``node``: literal, evaluated, or None
        (not a string, or not knowable before deployment)."""
        if isinstance(node, armtext.EvalString):
            return node.text
        if not isinstance(node, StringNode):
            return None
        if self.scope is None:
            return node.text
        value = self.string(node.text)
        return value if isinstance(value, str) else None
