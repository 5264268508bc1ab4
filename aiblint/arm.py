"""ARM template expressions: a real grammar and a small evaluator.

A string ``"[...]"`` in an ARM deployment template is an expression; ``"[[..."`` is a
literal whose first ``[`` ARM removes. The grammar (pyparsing, imported only when a file
holds an expression) covers function calls (built-in, user-defined ``ns.func``, lambdas
as ordinary calls), ``'...'`` strings with ``''`` escapes, numbers, property and index
access and nesting. The evaluator resolves ``parameters()`` defaults, ``variables()``
and a few pure functions; anything else is UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aiblint.jsontree import AnyNode, ArrayNode, ObjectNode, StringNode

# ARM template functions (learn.microsoft.com "ARM template functions", 2026), lower-cased.
ARM_FUNCTIONS = frozenset(
    name.lower()
    for name in [
        "array",
        "concat",
        "contains",
        "createArray",
        "empty",
        "filter",
        "first",
        "flatten",
        "indexFromEnd",
        "indexOf",
        "intersection",
        "items",
        "last",
        "lastIndexOf",
        "length",
        "map",
        "mapValues",
        "max",
        "min",
        "range",
        "reduce",
        "skip",
        "sort",
        "take",
        "toObject",
        "tryGet",
        "tryIndexFromEnd",
        "union",
        "groupBy",
        "shallowMerge",
        "objectKeys",
        "parseCidr",
        "cidrSubnet",
        "cidrHost",
        "coalesce",
        "equals",
        "greater",
        "greaterOrEquals",
        "less",
        "lessOrEquals",
        "dateTimeAdd",
        "dateTimeFromEpoch",
        "dateTimeToEpoch",
        "utcNow",
        "deployer",
        "deployment",
        "environment",
        "parameters",
        "variables",
        "lambda",
        "lambdaVariables",
        "and",
        "bool",
        "false",
        "if",
        "not",
        "or",
        "true",
        "add",
        "copyIndex",
        "div",
        "float",
        "int",
        "mod",
        "mul",
        "sub",
        "createObject",
        "json",
        "null",
        "extensionResourceId",
        "listAccountSas",
        "listKeys",
        "listSecrets",
        "list",
        "managementGroupResourceId",
        "pickZones",
        "providers",
        "reference",
        "references",
        "resourceId",
        "subscriptionResourceId",
        "tenantResourceId",
        "resourceGroup",
        "subscription",
        "managementGroup",
        "tenant",
        "base64",
        "base64ToJson",
        "base64ToString",
        "dataUri",
        "dataUriToString",
        "endsWith",
        "format",
        "guid",
        "join",
        "newGuid",
        "padLeft",
        "replace",
        "split",
        "startsWith",
        "string",
        "substring",
        "toLower",
        "toUpper",
        "trim",
        "uniqueString",
        "uri",
        "uriComponent",
        "uriComponentToString",
        "externalInputs",
    ]
)


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


class ExpressionError(Exception):
    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column  # 0-based, in the expression text (inside the brackets)


@dataclass(frozen=True)
class Call:
    name: str  # as written (may contain a namespace dot)
    args: tuple[Any, ...]
    column: int


@dataclass(frozen=True)
class Access:
    target: Any
    key: Any  # str for .prop, an expression for [index]


class ArmExpression:
    """Stands in for an expression's value in schema validation: valid wherever a value goes."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def is_expression(text: str) -> bool:
    return len(text) >= 2 and text.startswith("[") and text.endswith("]") and not text.startswith("[[")


def unescape_literal(text: str) -> str:
    """What ARM passes for a non-expression string: a leading ``[[`` loses one bracket."""
    return text[1:] if text.startswith("[[") else text


@lru_cache(maxsize=1)
def _grammar() -> Any:
    import pyparsing as pp

    pp.ParserElement.enable_packrat()
    lbr, rbr, lpar, rpar, _comma, dot = map(pp.Suppress, "[](),.")
    ident = pp.Regex(r"[A-Za-z_][A-Za-z0-9_]*")
    string = pp.Regex(r"'(?:[^']|'')*'").set_parse_action(lambda t: t[0][1:-1].replace("''", "'"))
    number = pp.Regex(r"-?\d+(?:\.\d+)?").set_parse_action(lambda t: float(t[0]) if "." in t[0] else int(t[0]))
    expr = pp.Forward()
    name = pp.Combine(ident + pp.Optional("." + ident))

    def make_call(s: str, loc: int, toks: Any) -> Call:
        return Call(toks[0], tuple(toks[1:]), loc)

    call = (name + lpar + pp.Optional(pp.DelimitedList(expr)) + rpar).set_parse_action(make_call)
    atom = call | string | number
    accessor = pp.Group(dot + ident) | pp.Group(lbr + expr + rbr)

    def fold(toks: Any) -> Any:
        value = toks[0]
        for acc in toks[1:]:
            value = Access(value, acc[0])
        return value

    expr <<= (atom + pp.ZeroOrMore(accessor)).set_parse_action(fold)
    return expr


def parse_expression(text: str) -> Any:
    """Parse ``[ ... ]`` into Call/Access/str/int; raise ExpressionError with a column."""
    import pyparsing as pp

    body = text[1:-1]
    if not body.strip():
        raise ExpressionError("empty expression", 0)
    _check_balance(body)
    try:
        result = _grammar().parse_string(body, parse_all=True)
    except pp.ParseException as exc:
        raise ExpressionError(f"cannot parse the expression near column {exc.loc + 2}: {exc.msg}", exc.loc) from None
    tree = result[0]
    _check_functions(tree)
    return tree


def _check_balance(body: str) -> None:
    depth = 0
    in_string = False
    i = 0
    while i < len(body):
        char = body[i]
        if in_string:
            if char == "'":
                if body[i + 1 : i + 2] == "'":
                    i += 1
                else:
                    in_string = False
        elif char == "'":
            in_string = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                raise ExpressionError(f"unbalanced '{char}' at column {i + 2}", i)
        i += 1
    if in_string:
        raise ExpressionError("unterminated string literal: a ' is missing", len(body))
    if depth:
        raise ExpressionError("unbalanced parentheses: a ')' is missing", len(body))


def _check_functions(tree: Any) -> None:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            lowered = node.name.lower()
            if "." not in lowered and lowered not in ARM_FUNCTIONS and not lowered.startswith("list"):
                raise ExpressionError(f"unknown function '{node.name}'", node.column)
            stack.extend(node.args)
        elif isinstance(node, Access):
            stack.append(node.target)
            stack.append(node.key)


class Resolver:
    """Resolves literal values through ``parameters()`` defaults and ``variables()``.

    ``deployment`` is the ARM template object (None for a bare template, where strings
    are plain values).
    """

    def __init__(self, deployment: ObjectNode | None) -> None:
        self.deployment = deployment
        self._parameters: dict[str, AnyNode | None] = {}
        self._variables: dict[str, AnyNode] = {}
        if deployment is not None:
            params = deployment.get_ci("parameters")
            if isinstance(params, ObjectNode):
                for member in params.members:
                    default = member.value.get_ci("defaultValue") if isinstance(member.value, ObjectNode) else None
                    self._parameters[member.key.text.lower()] = default
            variables = deployment.get_ci("variables")
            if isinstance(variables, ObjectNode):
                for member in variables.members:
                    self._variables[member.key.text.lower()] = member.value
        self._active: set[str] = set()

    @property
    def is_arm(self) -> bool:
        return self.deployment is not None

    def value(self, node: AnyNode | None, depth: int = 0) -> Any:
        """The node's value with expressions resolved where possible, else UNKNOWN."""
        if node is None:
            return UNKNOWN
        if isinstance(node, StringNode):
            return self.string(node.text, depth)
        if isinstance(node, ObjectNode):
            return {m.key.text: self.value(m.value, depth) for m in node.members}
        if isinstance(node, ArrayNode):
            return [self.value(item, depth) for item in node.items]
        return node.value

    def string(self, text: str, depth: int = 0) -> Any:
        if not self.is_arm:
            return text
        if not is_expression(text):
            return unescape_literal(text)
        if depth > 8:
            return UNKNOWN
        try:
            tree = parse_expression(text)
        except ExpressionError:
            return UNKNOWN
        return self._evaluate(tree, depth + 1)

    def _evaluate(self, tree: Any, depth: int) -> Any:
        if isinstance(tree, (str, int, float)):
            return tree
        if isinstance(tree, Access):
            target = self._evaluate(tree.target, depth)
            key = self._evaluate(tree.key, depth) if not isinstance(tree.key, str) else tree.key
            if isinstance(target, dict) and isinstance(key, str):
                lowered = {k.lower(): v for k, v in target.items()}
                return lowered.get(key.lower(), UNKNOWN)
            if isinstance(target, list) and isinstance(key, int) and -len(target) <= key < len(target):
                return target[key]
            return UNKNOWN
        if not isinstance(tree, Call):
            return UNKNOWN
        name = tree.name.lower()
        args = [self._evaluate(arg, depth) for arg in tree.args]
        if name in ("parameters", "variables") and len(args) == 1 and isinstance(args[0], str):
            table = self._parameters if name == "parameters" else self._variables
            key = f"{name}:{args[0].lower()}"
            if key in self._active:
                return UNKNOWN  # a cycle
            self._active.add(key)
            try:
                return self.value(table.get(args[0].lower()), depth)
            finally:
                self._active.discard(key)
        if any(arg is UNKNOWN for arg in args):
            return UNKNOWN
        if name == "concat" and args and all(isinstance(a, str) for a in args):
            return "".join(args)
        if name == "concat" and args and all(isinstance(a, list) for a in args):
            return [item for a in args for item in a]
        if name == "tolower" and len(args) == 1 and isinstance(args[0], str):
            return args[0].lower()
        if name == "toupper" and len(args) == 1 and isinstance(args[0], str):
            return args[0].upper()
        if name == "string" and len(args) == 1 and isinstance(args[0], (str, int)):
            return str(args[0])
        if name == "format" and args and isinstance(args[0], str):
            try:
                return args[0].format(*args[1:])
            except (IndexError, ValueError, KeyError):
                return UNKNOWN
        if name in ("createarray", "array") and name == "createarray":
            return list(args)
        return UNKNOWN
