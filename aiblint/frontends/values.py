"""Values as the front ends evaluate them: source-model nodes that remember where each
character was written.

A front end (Bicep, Terraform) evaluates what it can and builds the same node tree the
JSON parser builds. Strings are ``MappedStringNode``s: every decoded character knows its
file offset, so a script assembled from a ``'''`` string, a heredoc, an interpolation or a
loaded file maps back exactly. A value the front end cannot know becomes an ARM
expression string (``[parameters('x')]``), which every rule already treats as unknown:
never a guess.
"""

from __future__ import annotations

import base64
import json
from contextvars import ContextVar
from dataclasses import dataclass

from aiblint.jsontree import (
    AnyNode,
    ArrayNode,
    JsonSyntaxError,
    LiteralNode,
    MappedStringNode,
    Member,
    NumberNode,
    ObjectNode,
    StringNode,
    escape_pointer_token,
    parse,
)

# What evaluating one file may build (a hostile file of 1 KB can make every variable eight
# times the previous one): characters of each value, and characters and items and steps in
# all. A string costs ~40 bytes a character (its offsets), so 6 M characters stay well under
# 300 MB. Past a bound the value being built is unknown, with one note for the file.
MAX_VALUE_CHARS = 2_000_000
MAX_FILE_CHARS = 6_000_000
MAX_STEPS = 50_000  # real image-template files take under 1,000 (the AVM modules: 124 to 739); ~20 µs each


class OverBudget(Exception):
    """The value being built is past a bound: the evaluator makes it unknown."""


class Budget:
    def __init__(self) -> None:
        self.chars = 0
        self.steps = 0
        self.noted = False
        self.tripped = False

    def note(self) -> str | None:
        """The one note of the file, the first time a bound is reached; None afterwards."""
        if self.noted:
            return None
        self.noted = True
        return (
            f"evaluating this file reached aiblint's bounds (values of at most {MAX_VALUE_CHARS:,} characters, "
            f"{MAX_FILE_CHARS:,} in all, {MAX_STEPS:,} steps): the values past them are unknown"
        )


_BUDGET: ContextVar[Budget | None] = ContextVar("aiblint_frontend_budget", default=None)


def start_budget() -> object:
    """A fresh budget for one file's evaluation (modules and loaded files share it)."""
    return _BUDGET.set(Budget())


def end_budget(token: object) -> None:
    _BUDGET.reset(token)  # type: ignore[arg-type]


def current_budget() -> Budget | None:
    return _BUDGET.get()


def exhausted() -> bool:
    """The file's bounds are reached: a loop stops here instead of making each item unknown."""
    budget = _BUDGET.get()
    return budget is not None and budget.tripped


def charge(chars: int = 0, steps: int = 0) -> None:
    """Count what is built; OverBudget past a bound."""
    budget = _BUDGET.get()
    if budget is None:
        return
    if chars > MAX_VALUE_CHARS:
        raise OverBudget
    budget.chars += chars
    budget.steps += steps
    if not budget.tripped and (budget.chars > MAX_FILE_CHARS or budget.steps > MAX_STEPS):
        budget.tripped = True  # raised once; from then on evaluators return unknown at once (exhausted())
        raise OverBudget


def string(text: str, offsets: list[int], start: int, end: int, file: str | None) -> MappedStringNode:
    """``offsets``: one file offset per character of ``text`` plus the end."""
    charge(len(text))
    return MappedStringNode(start, end, "", text=text, _raw=text, offsets=offsets, file=file)


def literal_string(text: str, start: int, end: int, file: str | None) -> MappedStringNode:
    """A string computed at [start, end): every character maps to the start."""
    return string(text, [start] * (len(text) + 1), start, end, file)


class UnknownString(MappedStringNode):
    """An ARM expression standing for a value known only at deployment."""


class ArmString(MappedStringNode):
    """A string of an ARM template read as it is (``template_content``): already ARM, never escaped."""


def unknown(kind: str, name: str, start: int, end: int, file: str | None) -> MappedStringNode:
    """A value known only at deployment: ``kind`` is ``parameters`` or ``variables``."""
    text = f"[{kind}('{name.replace(chr(39), chr(39) * 2)[:200]}')]"
    return UnknownString(start, end, "", text=text, _raw=text, offsets=[start] * (len(text) + 1), file=file)


def is_unknown(node: AnyNode | None) -> bool:
    return node is None or (
        isinstance(node, StringNode) and node.text.startswith("[") and node.text.endswith("]") and not node.text.startswith("[[")
    )


def join_strings(parts: list[StringNode], start: int, end: int, file: str | None) -> MappedStringNode:
    """The concatenation of ``parts``; characters written in another file map to ``start``."""
    if sum(len(part.text) for part in parts) > MAX_VALUE_CHARS:
        raise OverBudget  # before any of it is built
    text: list[str] = []
    offsets: list[int] = []
    for part in parts:
        text.append(part.text)
        if part.file != file:
            offsets.extend([start] * len(part.text))
        elif isinstance(part, MappedStringNode) and len(part.offsets) > len(part.text):
            offsets.extend(part.offsets[: len(part.text)])
        else:
            offsets.extend([part.file_offset(i) for i in range(len(part.text))])
    offsets.append(end - 1 if end > start else end)
    return string("".join(text), offsets, start, end, file)


def slice_string(node: StringNode, begin: int, stop: int) -> MappedStringNode:
    """Characters [begin, stop) of ``node``, positions kept."""
    offsets = [node.file_offset(i) for i in range(begin, stop + 1)]
    sliced = string(node.text[begin:stop], offsets, node.start, node.end, node.file)
    sliced.loaded_by = node.loaded_by if isinstance(node, MappedStringNode) else None
    sliced.verbatim = isinstance(node, MappedStringNode) and node.verbatim
    return sliced


def number(value: int | float, start: int, end: int, file: str | None) -> NumberNode:
    return NumberNode(start, end, "", number=value, raw=str(value), file=file)


def boolean(value: bool | None, start: int, end: int, file: str | None) -> LiteralNode:
    return LiteralNode(start, end, "", literal=value, file=file)


def obj(members: list[Member], start: int, end: int, file: str | None) -> ObjectNode:
    return ObjectNode(start, end, "", members=members, file=file)


def arr(items: list[AnyNode], start: int, end: int, file: str | None) -> ArrayNode:
    charge(len(items))
    return ArrayNode(start, end, "", items=items, file=file)


def to_python(node: AnyNode) -> object:
    return node.value


def from_python(value: object, start: int, end: int, file: str | None) -> AnyNode | None:
    """A computed value (a function's result) as nodes at [start, end)."""
    if isinstance(value, bool) or value is None:
        return boolean(value, start, end, file)
    if isinstance(value, (int, float)):
        return number(value, start, end, file)
    if isinstance(value, str):
        return literal_string(value, start, end, file)
    if isinstance(value, list):
        items = [from_python(item, start, end, file) for item in value]
        return None if any(i is None for i in items) else arr([i for i in items if i is not None], start, end, file)
    if isinstance(value, dict):
        members = []
        for key, item in value.items():
            child = from_python(item, start, end, file)
            if child is None or not isinstance(key, str):
                return None
            members.append(Member(literal_string(key, start, end, file), child))
        return obj(members, start, end, file)
    return None


def place(node: AnyNode, pointer: str, placed: set[int] | None = None) -> AnyNode:
    """``node`` with its pointers starting at ``pointer``: set in place the first time, a copy
    for a value used twice (a variable read in two places gets two pointers)."""
    placed = set() if placed is None else placed
    if id(node) in placed:
        return _copy_placed(node, pointer)
    placed.add(id(node))
    node.pointer = pointer
    if isinstance(node, ObjectNode):
        members = []  # new Member objects: a union() shares its arguments' members
        for member in node.members:
            child = f"{pointer}/{escape_pointer_token(member.key.text)}"
            key = member.key
            if id(key) in placed:
                key = _copy_string(key, child)  # type: ignore[assignment]
            else:
                placed.add(id(key))
                key.pointer = child
            members.append(Member(key, place(member.value, child, placed)))
        node.members = members
    elif isinstance(node, ArrayNode):
        node.items = [place(item, f"{pointer}/{i}", placed) for i, item in enumerate(node.items)]
    return node


def _copy_placed(node: AnyNode, pointer: str) -> AnyNode:
    """A fresh copy of a value already placed elsewhere, placed at ``pointer``."""
    if isinstance(node, ObjectNode):
        members = []
        for member in node.members:
            child = f"{pointer}/{escape_pointer_token(member.key.text)}"
            members.append(Member(_copy_string(member.key, child), _copy_placed(member.value, child)))
        return ObjectNode(node.start, node.end, pointer, members=members, file=node.file)
    if isinstance(node, ArrayNode):
        items = [_copy_placed(item, f"{pointer}/{i}") for i, item in enumerate(node.items)]
        return ArrayNode(node.start, node.end, pointer, items=items, file=node.file)
    if isinstance(node, StringNode):
        return _copy_string(node, pointer)
    if isinstance(node, NumberNode):
        return NumberNode(node.start, node.end, pointer, number=node.number, raw=node.raw, file=node.file)
    return LiteralNode(node.start, node.end, pointer, literal=node.literal, file=node.file)  # type: ignore[union-attr]


def _copy_string(node: StringNode, pointer: str) -> StringNode:
    if isinstance(node, MappedStringNode):
        return type(node)(
            node.start,
            node.end,
            pointer,
            text=node.text,
            _raw=node.text,
            offsets=node.offsets,
            file=node.file,
            loaded_by=node.loaded_by,
            verbatim=node.verbatim,
        )
    return StringNode(node.start, node.end, pointer, text=node.text, _raw=node._raw, file=node.file)


def escape_for_arm(node: AnyNode) -> AnyNode:
    """Strings that start with ``[`` get ARM's ``[[`` escape, as ``bicep build`` writes them.

    The extra bracket maps onto the written one, so script columns stay exact.
    """
    if isinstance(node, ObjectNode):
        for member in node.members:
            member.value = escape_for_arm(member.value)
        return node
    if isinstance(node, ArrayNode):
        node.items = [escape_for_arm(item) for item in node.items]
        return node
    if isinstance(node, MappedStringNode) and node.text.startswith("[") and not isinstance(node, (UnknownString, ArmString)):
        return MappedStringNode(
            node.start,
            node.end,
            node.pointer,
            text="[" + node.text,
            _raw="[" + node.text,
            offsets=[node.offsets[0], *node.offsets] if node.offsets else [],
            file=node.file,
            loaded_by=node.loaded_by,
            verbatim=node.verbatim,
        )
    return node


def json_file_nodes(text: str, display: str) -> AnyNode | None:
    """A loaded JSON file (``loadJsonContent``) as nodes in that file; None when it is not JSON."""
    try:
        document = parse(text)
    except JsonSyntaxError:
        return None
    for node in document.walk():
        node.file = display
        if isinstance(node, ObjectNode):
            for member in node.members:
                member.key.file = display
    return document.root


# -- functions both languages share (case-insensitive names) ---------------------------------


@dataclass
class Call:
    name: str
    args: list[AnyNode]
    start: int
    end: int
    file: str | None


def call_function(call: Call) -> AnyNode | None:
    """The result of a pure function on known arguments; None when it cannot be known here."""
    name = call.name.lower()
    args = call.args
    if any(is_unknown(a) for a in args):
        return None
    handler = _FUNCTIONS.get(name)
    if handler is None:
        return None
    try:
        return handler(call)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError):
        return None


def _strings(call: Call) -> list[StringNode]:
    if not all(isinstance(a, StringNode) for a in call.args):
        raise TypeError("strings expected")
    return [a for a in call.args if isinstance(a, StringNode)]


def _concat(call: Call) -> AnyNode | None:
    if call.args and all(isinstance(a, ArrayNode) for a in call.args):
        items = [item for a in call.args if isinstance(a, ArrayNode) for item in a.items]
        return arr(items, call.start, call.end, call.file)
    parts = [a if isinstance(a, StringNode) else _as_string(a, call) for a in call.args]
    return join_strings(parts, call.start, call.end, call.file)


def _as_string(node: AnyNode, call: Call) -> StringNode:
    if isinstance(node, StringNode):
        return node
    if isinstance(node, NumberNode):
        return literal_string(str(node.number), node.start, node.end, node.file)
    if isinstance(node, LiteralNode) and isinstance(node.literal, bool):
        return literal_string("true" if node.literal else "false", node.start, node.end, node.file)
    raise TypeError("not a string")


def as_string(node: AnyNode) -> StringNode | None:
    """What an interpolation ``${x}`` of ``node`` gives, or None (an object, null...)."""
    try:
        return _as_string(node, Call("", [], node.start, node.end, node.file))
    except TypeError:
        return None


def _string(call: Call) -> AnyNode | None:
    (value,) = call.args
    if isinstance(value, (ObjectNode, ArrayNode)):
        return literal_string(json.dumps(value.value, separators=(",", ":")), call.start, call.end, call.file)
    return _as_string(value, call)


def _format(call: Call) -> AnyNode | None:
    template, *rest = call.args
    if not isinstance(template, StringNode):
        return None
    values = [_as_string(a, call) for a in rest]
    parts: list[StringNode] = []
    text = template.text
    i = 0
    plain = 0
    while i < len(text):
        char = text[i]
        if char in "{}" and text[i : i + 2] in ("{{", "}}"):
            parts.append(slice_string(template, plain, i + 1))
            i += 2
            plain = i
            continue
        if char == "{":
            close = text.index("}", i)
            index = int(text[i + 1 : close].split(":", 1)[0])
            parts.append(slice_string(template, plain, i))
            parts.append(values[index])
            i = close + 1
            plain = i
            continue
        i += 1
    parts.append(slice_string(template, plain, len(text)))
    return join_strings(parts, call.start, call.end, call.file)


def _replace(call: Call) -> AnyNode | None:
    source, old, new = _strings(call)
    if not old.text:
        return None
    parts: list[StringNode] = []
    i = 0
    while True:
        found = source.text.find(old.text, i)
        if found < 0:
            break
        parts.extend([slice_string(source, i, found), new])
        i = found + len(old.text)
    parts.append(slice_string(source, i, len(source.text)))
    return join_strings(parts, call.start, call.end, call.file)


def _trim(call: Call) -> AnyNode | None:
    (source,) = _strings(call)
    stripped = source.text.lstrip()
    begin = len(source.text) - len(stripped)
    return slice_string(source, begin, begin + len(stripped.rstrip()))


def _split(call: Call) -> AnyNode | None:
    source, separator = call.args
    if not isinstance(source, StringNode):
        return None
    separators = (
        [separator.text]
        if isinstance(separator, StringNode)
        else [s.text for s in separator.items if isinstance(s, StringNode)]
        if isinstance(separator, ArrayNode)
        else []
    )
    if not separators or not all(separators):
        return None
    items: list[AnyNode] = []
    i = 0
    text = source.text
    while True:
        hits = [(text.find(s, i), s) for s in separators]
        hits = [h for h in hits if h[0] >= 0]
        if not hits:
            break
        found, sep = min(hits)
        items.append(slice_string(source, i, found))
        i = found + len(sep)
    items.append(slice_string(source, i, len(text)))
    return arr(items, call.start, call.end, call.file)


def _join(call: Call) -> AnyNode | None:
    array, separator = call.args
    if not isinstance(array, ArrayNode) or not isinstance(separator, StringNode):
        return None
    parts: list[StringNode] = []
    for index, item in enumerate(array.items):
        if index:
            parts.append(separator)
        parts.append(_as_string(item, call))
    return join_strings(parts, call.start, call.end, call.file)


def _union(call: Call) -> AnyNode | None:
    if all(isinstance(a, ObjectNode) for a in call.args):
        merged: dict[str, Member] = {}
        for a in call.args:
            assert isinstance(a, ObjectNode)
            for member in a.members:
                merged[member.key.text.lower()] = member
        return obj(list(merged.values()), call.start, call.end, call.file)
    if all(isinstance(a, ArrayNode) for a in call.args):
        seen: list[object] = []
        items: list[AnyNode] = []
        for a in call.args:
            assert isinstance(a, ArrayNode)
            for item in a.items:
                if item.value not in seen:
                    seen.append(item.value)
                    items.append(item)
        return arr(items, call.start, call.end, call.file)
    return None


def _case(upper: bool):  # type: ignore[no-untyped-def]
    def convert(call: Call) -> AnyNode | None:
        (source,) = _strings(call)
        text = source.text.upper() if upper else source.text.lower()
        if len(text) != len(source.text):
            return literal_string(text, call.start, call.end, call.file)
        offsets = [source.file_offset(i) for i in range(len(text) + 1)]
        return string(text, offsets, source.start, source.end, source.file)

    return convert


def _base64(call: Call) -> AnyNode | None:
    (source,) = _strings(call)
    encoded = base64.b64encode(source.text.encode("utf-8")).decode("ascii")
    return literal_string(encoded, call.start, call.end, call.file)


def _python(function):  # type: ignore[no-untyped-def]
    def apply(call: Call) -> AnyNode | None:
        return from_python(function(*[a.value for a in call.args]), call.start, call.end, call.file)

    return apply


def _substring(call: Call) -> AnyNode | None:
    source, *bounds = call.args
    if not isinstance(source, StringNode) or not all(isinstance(b, NumberNode) for b in bounds):
        return None
    begin = int(bounds[0].value) if bounds else 0  # type: ignore[arg-type]
    length = int(bounds[1].value) if len(bounds) > 1 else len(source.text) - begin  # type: ignore[arg-type]
    if begin < 0 or length < 0 or begin + length > len(source.text):
        return None
    return slice_string(source, begin, begin + length)


def _toset(call: Call) -> AnyNode | None:
    """HCL's toset: the distinct items, positions kept (for_each sorts them)."""
    (items,) = call.args
    if not isinstance(items, ArrayNode):
        return None
    unique = {json.dumps(item.value, sort_keys=True): item for item in reversed(items.items)}
    return arr(list(reversed(unique.values())), call.start, call.end, call.file)


_FUNCTIONS = {
    "concat": _concat,
    "format": _format,
    "replace": _replace,
    "trim": _trim,
    "trimspace": _trim,
    "split": _split,
    "join": _join,
    "union": _union,
    "merge": _union,
    "tolower": _case(False),
    "lower": _case(False),
    "toupper": _case(True),
    "upper": _case(True),
    "string": _string,
    "tostring": _string,
    "base64": _base64,
    "base64encode": _base64,
    "substring": _substring,
    "toset": _toset,
    "tolist": lambda call: call.args[0] if len(call.args) == 1 and isinstance(call.args[0], ArrayNode) else None,
    "tomap": lambda call: call.args[0] if len(call.args) == 1 and isinstance(call.args[0], ObjectNode) else None,
    "length": _python(len),
    "empty": _python(lambda v: len(v) == 0),
    "contains": _python(lambda container, item: item in container),
    "first": _python(lambda v: v[0]),
    "last": _python(lambda v: v[-1]),
    "startswith": _python(lambda s, p: s.lower().startswith(p.lower())),
    "endswith": _python(lambda s, p: s.lower().endswith(p.lower())),
}
