"""ARM template expressions: the grammar, parsed once per distinct text.

A string ``"[...]"`` in an ARM deployment template is an expression; ``"[[..."`` is a
literal whose first ``[`` ARM removes. The grammar covers function calls (built-in,
user-defined ``ns.func``, lambdas as ordinary calls), ``'...'`` strings with ``''``
escapes, numbers, property and index access and nesting. It is a small recursive-descent
parser (about 4 us per expression; pyparsing took 0.8 ms) whose results are cached by
text, so a Bicep-compiled template that repeats the same expression parses it once.
The evaluator is aiblint/armeval.py; ``Resolver`` (the rules' entry point) is re-exported
from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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


MAX_PARSE_DEPTH = 100  # nested calls/accesses; deeper is refused, never a RecursionError
MAX_EXPRESSION_CHARS = 1_000_000  # longer expression texts are not parsed (AIB006 says so)


class _Unknown:
    """What cannot be known before deployment (or past a budget): checks stay quiet."""

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


class Lit(str):
    """A string literal of an expression; ``column`` is the body index of its opening
    quote, ``escapes`` the value indexes where a doubled ``''`` stood (for positions)."""

    column: int
    escapes: tuple[int, ...]

    def __new__(cls, value: str, column: int, escapes: tuple[int, ...]) -> Lit:
        obj = str.__new__(cls, value)
        obj.column = column
        obj.escapes = escapes
        return obj

    def __reduce__(self) -> Any:
        return (Lit, (str(self), self.column, self.escapes))


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


_CACHE: dict[str, Any] = {}
_CACHE_LIMIT = 50_000  # distinct texts kept (a long-running language server stays bounded)


def parse_expression(text: str) -> Any:
    """Parse ``[ ... ]`` into Call/Access/Lit/int/float; raise ExpressionError with a column.

    Each distinct text is parsed once per process (results and errors are cached)."""
    cached = _CACHE.get(text)
    if cached is None:
        try:
            cached = _parse(text)
        except ExpressionError as exc:
            cached = exc
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[text] = cached
    if isinstance(cached, ExpressionError):
        raise ExpressionError(cached.message, cached.column)
    return cached


def _parse(text: str) -> Any:
    body = text[1:-1]
    if not body.strip():
        raise ExpressionError("empty expression", 0)
    if len(body) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"the expression is longer than {MAX_EXPRESSION_CHARS} characters: not evaluated", 0)
    parser = _Parser(body, _tokens(body))
    tree = parser.expression(0)
    if parser.kind() != "$":
        parser.fail("expected end of text")
    _check_functions(tree)
    return tree


# One regex pass makes the tokens: strings (with '' escapes), numbers, names, punctuation.
# No leading \s*: finditer skips whitespace by itself (no alternative starts with it), while
# `\s*` made each trailing blank rescan all the blanks after it (minutes on 100,000 spaces).
_TOKEN = re.compile(r"(?:('(?:[^']|'')*')|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([().,\[\]])|(\S))")


def _tokens(body: str) -> list[tuple[str, Any, int]]:
    """(kind, value, column) triples; kind is 's', 'n', 'i', a punctuation character or '$'.
    Brackets are balanced here, with ARM's messages."""
    tokens: list[tuple[str, Any, int]] = []
    depth = 0
    for match in _TOKEN.finditer(body):
        string, number, name, punct, other = match.groups()
        column = match.start(match.lastindex or 0)
        if string is not None:
            value = string[1:-1]
            if "''" in value:
                escapes = []
                pieces = value.split("''")
                length = 0
                for piece in pieces[:-1]:
                    length += len(piece)
                    escapes.append(length)
                    length += 1
                tokens.append(("s", Lit("'".join(pieces), column, tuple(escapes)), column))
            else:
                tokens.append(("s", Lit(value, column, ()), column))
        elif number is not None:
            tokens.append(("n", number, column))
        elif name is not None:
            tokens.append(("i", name, column))
        elif punct is not None:
            if punct in "([":
                depth += 1
            elif punct in ")]":
                depth -= 1
                if depth < 0:
                    raise ExpressionError(f"unbalanced '{punct}' at column {column + 2}", column)
            tokens.append((punct, punct, column))
        elif other == "'":
            raise ExpressionError("unterminated string literal: a ' is missing", len(body))
        else:
            tokens.append(("?", other, column))
    if depth:
        raise ExpressionError("unbalanced parentheses: a ')' is missing", len(body))
    tokens.append(("$", None, len(body)))
    return tokens


class _Parser:
    """expr := atom accessor* ; atom := call | 'string' | number ;
    call := name ['.' name] '(' [expr (',' expr)*] ')' ; accessor := '.' name | '[' expr ']'."""

    def __init__(self, body: str, tokens: list[tuple[str, Any, int]]) -> None:
        self.body = body
        self.tokens = tokens
        self.at = 0

    def kind(self) -> str:
        return self.tokens[self.at][0]

    def fail(self, what: str) -> None:
        column = self.tokens[self.at][2]
        raise ExpressionError(f"cannot parse the expression near column {column + 2}: {what}", column)

    def take(self, kind: str, what: str) -> Any:
        token = self.tokens[self.at]
        if token[0] != kind:
            self.fail(what)
        self.at += 1
        return token[1]

    def expression(self, depth: int) -> Any:
        if depth > MAX_PARSE_DEPTH:
            raise ExpressionError(f"nested more than {MAX_PARSE_DEPTH} levels deep", self.tokens[self.at][2])
        kind, value, column = self.tokens[self.at]
        self.at += 1
        if kind == "s":
            result: Any = value
        elif kind == "n":
            result = _number(value, column)
        elif kind == "i":
            result = self.call(value, column, depth)
        else:
            self.at -= 1
            self.fail("expected a function call, a 'string' or a number")
        tokens = self.tokens
        while True:
            kind = tokens[self.at][0]
            if kind == ".":
                self.at += 1
                result = Access(result, self.take("i", "expected a property name"))
            elif kind == "[":
                self.at += 1
                key = self.expression(depth + 1)
                self.take("]", "expected ']'")
                result = Access(result, key)
            else:
                return result

    def call(self, name: str, column: int, depth: int) -> Call:
        if self.kind() == ".":
            self.at += 1
            name = f"{name}.{self.take('i', 'expected a function name')}"
        self.take("(", "expected '('")
        if self.kind() == ")":
            self.at += 1
            return Call(name, (), column)
        args: list[Any] = []
        while True:
            args.append(self.expression(depth + 1))
            kind = self.kind()
            if kind == ")":
                self.at += 1
                return Call(name, tuple(args), column)
            if kind != ",":
                self.fail("expected ',' or ')'")
            self.at += 1


def _number(text: str, column: int) -> int | float:
    if "." in text:
        return float(text)
    if len(text) > 30:  # beyond any ARM int (Python refuses 4,300+ digit conversions)
        raise ExpressionError(f"the number at column {column + 2} has {len(text)} digits", column)
    return int(text)


def expression_literals(text: str) -> list[str]:
    """The ``'...'`` literals of an expression, in order (what reaches the value verbatim
    whatever the parameters are, for most functions)."""
    found: list[tuple[int, str]] = []
    stack = [parse_expression(text)]
    while stack:
        node = stack.pop()
        if isinstance(node, Lit):
            found.append((node.column, str(node)))
        elif isinstance(node, Call):
            if node.name.lower() not in ("parameters", "variables", "reference", "resourceid", "equals", "contains"):
                stack.extend(node.args)
        elif isinstance(node, Access):
            stack.append(node.target)
    return [value for _, value in sorted(found)]


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
