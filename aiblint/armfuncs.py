"""ARM's pure template functions on evaluated values, with ARM's own semantics.

Each function takes its evaluated arguments (never UNKNOWN: the evaluator checks) and
returns a value or UNKNOWN when ARM would fail or the result depends on the deployment.
``format`` is .NET composite formatting (``{index[,alignment][:format]}``, ``{{``/``}}``),
never Python's ``str.format``: no attribute or item access, alignment within the budget.
Strings keep their source positions through aiblint/armtext.py.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from aiblint import armtext
from aiblint.arm import UNKNOWN


class BudgetExceeded(Exception):
    """An evaluation passed a budget: the value is UNKNOWN (one note per file)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _display(value: Any) -> str | None:
    """How .NET prints an argument of format(): None when ARM would print JSON or fail."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if _is_int(value):
        return str(value)
    if value is None:
        return ""
    return None


def _number_format(value: Any, spec: str) -> str | None:
    if not spec:
        return _display(value)
    if not _is_int(value) or len(spec) > 3:
        return None  # numeric and date formats beyond D/X: not evaluated
    kind, digits = spec[0], spec[1:]
    if digits and not digits.isdigit():
        return None
    width = int(digits) if digits else 0
    if kind in "dD":
        text = str(abs(value)).rjust(width, "0")
        return f"-{text}" if value < 0 else text
    if kind in "xX" and value >= 0:
        text = format(value, "x" if kind == "x" else "X")
        return text.rjust(width, "0")
    return None


def dotnet_format(args: list[Any], max_chars: int) -> Any:
    """ARM ``format(template, args...)`` as .NET's String.Format reads it."""
    template = args[0]
    values = args[1:]
    parts: list[str] = []
    i = 0
    literal_start = 0
    produced = 0  # characters so far (an estimate that only over-counts)
    n = len(template)
    while i < n:
        char = template[i]
        if char == "}":
            if template[i + 1 : i + 2] != "}":
                return UNKNOWN  # a lone '}': FormatException
            parts.append(armtext.cut(template, literal_start, i + 1))
            i += 2
            literal_start = i
            continue
        if char != "{":
            i += 1
            continue
        if template[i + 1 : i + 2] == "{":
            parts.append(armtext.cut(template, literal_start, i + 1))
            i += 2
            literal_start = i
            continue
        parts.append(armtext.cut(template, literal_start, i))
        close = template.find("}", i)
        if close < 0:
            return UNKNOWN
        item = _format_item(template[i + 1 : close], values, max_chars)
        if item is UNKNOWN:
            return UNKNOWN
        parts.append(item)
        produced += len(item) + (i - literal_start)
        _fits(produced)
        i = close + 1
        literal_start = i
    parts.append(armtext.cut(template, literal_start, n))
    if sum(len(p) for p in parts) > max_chars:
        raise BudgetExceeded(f"a format() result of more than {max_chars:,} characters")
    return armtext.join(parts)


def _format_item(item: str, values: list[Any], max_chars: int) -> Any:
    """``index[,alignment][:format]`` (white space allowed around index and alignment)."""
    spec = ""
    if ":" in item:
        item, spec = item.split(":", 1)
        if "{" in spec:
            return UNKNOWN
    alignment = 0
    if "," in item:
        item, align_text = item.split(",", 1)
        align_text = align_text.strip()
        digits = align_text[1:] if align_text.startswith("-") else align_text
        if not digits.isdigit() or len(digits) > 9:
            return UNKNOWN
        alignment = int(align_text)
    index_text = item.strip()
    if not index_text.isdigit() or len(index_text) > 6:
        return UNKNOWN  # '{0.__class__}', '{0[0]}', '{name}': FormatException in .NET
    index = int(index_text)
    if index >= len(values):
        return UNKNOWN
    value = values[index]
    text = _number_format(value, spec) if spec else _display(value)
    if text is None:
        return UNKNOWN
    if abs(alignment) > max_chars or len(text) > max_chars:
        raise BudgetExceeded(f"a format() alignment of {abs(alignment):,} characters")
    pad = abs(alignment) - len(text)
    if pad <= 0:
        return text
    return armtext.join([text, " " * pad]) if alignment < 0 else armtext.join([" " * pad, text])


# -- the pure functions -------------------------------------------------------------------------


MAX_CHARS = 1_000_000  # the evaluator's value budget (aiblint/armeval.py)


def _fits(size: int) -> None:
    """Refuse a result before it is built: nine levels of ten-fold concat must not allocate."""
    if size > MAX_CHARS:
        raise BudgetExceeded(f"a value of more than {MAX_CHARS:,} characters or items")


# ARM is .NET: a string's length and indexes count UTF-16 code units, so a character
# outside the Basic Multilingual Plane (an emoji) counts two. Python counts it once.
def _utf16_length(text: str) -> int:
    return len(text) if text.isascii() else len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _code_point_index(text: str, units: int) -> int | None:
    """The Python index of UTF-16 unit ``units`` of ``text`` (clamped to its ends); None when
    it falls inside a surrogate pair, where .NET would cut a character in half."""
    if units <= 0:
        return 0
    if text.isascii():
        return min(units, len(text))
    count = 0
    for index, ch in enumerate(text):
        if count == units:
            return index
        count += 2 if ord(ch) > 0xFFFF else 1
        if count > units:
            return None
    return len(text)


def _cut_units(text: str, start: int, end: int) -> Any:
    """text[start:end] in UTF-16 units, keeping positions; UNKNOWN when a pair is cut."""
    first, last = _code_point_index(text, start), _code_point_index(text, end)
    if first is None or last is None:
        return UNKNOWN
    return armtext.cut(text, first, last)


def _concat(args: list[Any]) -> Any:
    _fits(sum(len(a) for a in args if isinstance(a, (str, list))))
    if args and all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    if all(isinstance(a, (str, int)) and not isinstance(a, bool) for a in args):
        return armtext.join([a if isinstance(a, str) else str(a) for a in args])
    return UNKNOWN


def _replace(args: list[Any]) -> Any:
    if len(args) == 3 and all(isinstance(a, str) for a in args) and args[1]:
        _fits(len(args[0]) + args[0].count(args[1]) * len(args[2]))
        return armtext.replace(args[0], args[1], args[2])
    return UNKNOWN


def _split(args: list[Any]) -> Any:
    if len(args) != 2 or not isinstance(args[0], str):
        return UNKNOWN
    delimiters = args[1] if isinstance(args[1], list) else [args[1]]
    if not all(isinstance(d, str) for d in delimiters):
        return UNKNOWN
    return armtext.split(args[0], delimiters)


def _join(args: list[Any]) -> Any:
    if len(args) != 2 or not isinstance(args[0], list) or not isinstance(args[1], str):
        return UNKNOWN
    items = [_display(item) if not isinstance(item, str) else item for item in args[0]]
    if any(item is None for item in items):
        return UNKNOWN
    _fits(sum(len(item) for item in items if item is not None) + len(args[1]) * len(items))
    parts: list[str] = []
    for index, item in enumerate(items):
        if index:
            parts.append(args[1])
        parts.append(item)  # type: ignore[arg-type]
    return armtext.join(parts)


def _trim(args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], str):
        return UNKNOWN
    text = args[0]
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    if any(ch in _NOT_DOTNET_SPACE for ch in text[:start] + text[max(end, start) :]):
        return UNKNOWN  # Python strips them, .NET's Trim() does not
    return armtext.cut(text, start, end) if end > start else ""


_NOT_DOTNET_SPACE = frozenset("\x1c\x1d\x1e\x1f")


def _string(args: list[Any]) -> Any:
    if len(args) != 1:
        return UNKNOWN
    if isinstance(args[0], str):
        return args[0]
    shown = _display(args[0])
    return shown if shown is not None and args[0] is not None else UNKNOWN


def _case(upper: bool) -> Callable[[list[Any]], Any]:
    """.NET's ToUpperInvariant/ToLowerInvariant: one character at a time (no final sigma),
    never longer; where Python would make two characters of one (ß, İ) .NET keeps one
    whose value we do not know for certain: unknown."""

    def change(args: list[Any]) -> Any:
        if len(args) != 1 or not isinstance(args[0], str):
            return UNKNOWN
        text = args[0]
        if text.isascii():
            return armtext.same_length(text, text.upper() if upper else text.lower())
        changed = [ch.upper() if upper else ch.lower() for ch in text]
        if any(len(ch) != 1 for ch in changed):
            return UNKNOWN
        return armtext.same_length(text, "".join(changed))

    return change


def _base64(args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], str):
        return UNKNOWN
    return base64.b64encode(args[0].encode("utf-8")).decode("ascii")


def _union(args: list[Any]) -> Any:
    if args and all(isinstance(a, dict) for a in args):
        merged: dict[str, Any] = {}
        for a in args:
            _merge(merged, a)
        return merged
    if args and all(isinstance(a, list) for a in args):
        _fits(sum(len(a) for a in args))
        if sum(len(a) for a in args) > 10_000:
            return UNKNOWN  # duplicates are found by comparison: keep it small, never quadratic
        result: list[Any] = []
        for a in args:
            for item in a:
                if item not in result:
                    result.append(item)
        return result
    return UNKNOWN


def _merge(into: dict[str, Any], other: dict[str, Any], depth: int = 0) -> None:
    """ARM's union() of objects: a later value wins, but two objects under one name are
    merged in turn (nested arrays are replaced, not merged)."""
    for key, value in other.items():
        mine = into.get(key)
        if isinstance(mine, dict) and isinstance(value, dict) and depth < 64:
            inner: dict[str, Any] = dict(mine)
            _merge(inner, value, depth + 1)
            into[key] = inner
        else:
            into[key] = value


def _create_object(args: list[Any]) -> Any:
    if len(args) % 2 or not all(isinstance(k, str) for k in args[::2]):
        return UNKNOWN
    return {str(k): v for k, v in zip(args[::2], args[1::2], strict=True)}


def _first_last(last: bool) -> Callable[[list[Any]], Any]:
    def pick(args: list[Any]) -> Any:
        if len(args) != 1 or not isinstance(args[0], (str, list)):
            return UNKNOWN
        value = args[0]
        if not value:
            return "" if isinstance(value, str) else None
        index = len(value) - 1 if last else 0
        if isinstance(value, str) and ord(value[index]) > 0xFFFF:
            return UNKNOWN  # .NET's first/last character is half of this one
        return armtext.cut(value, index, index + 1) if isinstance(value, str) else value[index]

    return pick


def _take_skip(skip: bool) -> Callable[[list[Any]], Any]:
    def part(args: list[Any]) -> Any:
        if len(args) != 2 or not isinstance(args[0], (str, list)) or not _is_int(args[1]):
            return UNKNOWN
        value, count = args[0], max(0, args[1])
        if isinstance(value, str):
            size = _utf16_length(value)
            return _cut_units(value, count, size) if skip else _cut_units(value, 0, count)
        return value[count:] if skip else value[:count]

    return part


def _substring(args: list[Any]) -> Any:
    if not 1 <= len(args) <= 3 or not isinstance(args[0], str) or not all(_is_int(a) for a in args[1:]):
        return UNKNOWN
    text = args[0]
    size = _utf16_length(text)
    start = args[1] if len(args) > 1 else 0
    length = args[2] if len(args) > 2 else size - start
    if start < 0 or length < 0 or start + length > size:
        return UNKNOWN  # ARM fails the deployment
    return _cut_units(text, start, start + length)


def _length(args: list[Any]) -> Any:
    if len(args) != 1:
        return UNKNOWN
    if isinstance(args[0], str):
        return _utf16_length(args[0])
    return len(args[0]) if isinstance(args[0], (list, dict)) else UNKNOWN


def _empty(args: list[Any]) -> Any:
    if len(args) != 1:
        return UNKNOWN
    return args[0] is None or (isinstance(args[0], (str, list, dict)) and not args[0])


def _contains(args: list[Any]) -> Any:
    if len(args) != 2:
        return UNKNOWN
    container, item = args
    if isinstance(container, str) and isinstance(item, str):
        return item in container
    if isinstance(container, dict) and isinstance(item, str):
        return item.lower() in (k.lower() for k in container)
    if isinstance(container, list):
        return item in container
    return UNKNOWN


def _equals(args: list[Any]) -> Any:
    return args[0] == args[1] if len(args) == 2 else UNKNOWN


def _logic(kind: str) -> Callable[[list[Any]], Any]:
    def apply(args: list[Any]) -> Any:
        if not args or not all(isinstance(a, bool) for a in args):
            return UNKNOWN
        if kind == "not":
            return not args[0] if len(args) == 1 else UNKNOWN
        return all(args) if kind == "and" else any(args)

    return apply


def _bool(args: list[Any]) -> Any:
    if len(args) != 1:
        return UNKNOWN
    value = args[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if _is_int(value):
        return value != 0
    return UNKNOWN


def _int(args: list[Any]) -> Any:
    if len(args) != 1:
        return UNKNOWN
    value = args[0]
    if _is_int(value):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return UNKNOWN


def _arith(kind: str) -> Callable[[list[Any]], Any]:
    def apply(args: list[Any]) -> Any:
        if len(args) != 2 or not all(_is_int(a) for a in args):
            return UNKNOWN
        a, b = args
        if kind in ("div", "mod") and b == 0:
            return UNKNOWN
        result = {"add": a + b, "sub": a - b, "mul": a * b}.get(kind)
        if kind == "div":
            result = int(a / b)  # .NET truncates toward zero
        elif kind == "mod":
            result = a - b * int(a / b)
        if result is None or abs(result) >= 2**63:
            return UNKNOWN
        return result

    return apply


def _starts_ends(ends: bool) -> Callable[[list[Any]], Any]:
    def test(args: list[Any]) -> Any:
        if len(args) != 2 or not all(isinstance(a, str) for a in args):
            return UNKNOWN
        a, b = args[0].lower(), args[1].lower()
        return a.endswith(b) if ends else a.startswith(b)

    return test


def _resource_path(type_: str, names: list[str]) -> str | None:
    segments = type_.split("/")
    if len(segments) < 2 or len(names) != len(segments) - 1:
        return None
    path = [segments[0], segments[1], names[0]]
    for segment, name in zip(segments[2:], names[1:], strict=True):
        path.extend([segment, name])
    return "/".join(path)


def _resource_id(scope: str) -> Callable[[list[Any]], Any]:
    """resourceId(sub?, rg?, type, names...) and its subscription/tenant forms; the
    subscription and group of the deployment itself are unknown (never guessed)."""

    def build(args: list[Any]) -> Any:
        if not args or not all(isinstance(a, str) for a in args):
            return UNKNOWN
        type_at = next((i for i, a in enumerate(args) if "/" in a), None)
        if type_at is None:
            return UNKNOWN
        path = _resource_path(args[type_at], list(args[type_at + 1 :]))
        if path is None:
            return UNKNOWN
        before = args[:type_at]
        if scope == "tenant" and not before:
            return f"/providers/{path}"
        if scope == "subscription" and len(before) == 1:
            return f"/subscriptions/{before[0]}/providers/{path}"
        if scope == "group" and len(before) == 2:
            return f"/subscriptions/{before[0]}/resourceGroups/{before[1]}/providers/{path}"
        return UNKNOWN

    return build


def _try_get(args: list[Any]) -> Any:
    """tryGet(item, key or index, ...): the value there, or null where a key or index is
    missing (object keys are case-insensitive)."""
    if len(args) < 2:
        return UNKNOWN
    value = args[0]
    for key in args[1:]:
        if value is None:
            return None
        if isinstance(value, dict) and isinstance(key, str):
            lowered = key.lower()
            value = next((item for name, item in value.items() if isinstance(name, str) and name.lower() == lowered), None)
        elif isinstance(value, list) and _is_int(key) and key >= 0:
            value = value[key] if key < len(value) else None
        else:
            return UNKNOWN
    return value


MAX_RANGE = 10_000  # ARM's own limit for range()'s count


def _range(args: list[Any]) -> Any:
    if len(args) != 2 or not all(_is_int(a) for a in args):
        return UNKNOWN
    start, count = args
    if not 0 <= count <= MAX_RANGE or start + count > 2**31 - 1 or start < -(2**31):
        return UNKNOWN  # ARM fails the deployment
    return list(range(start, start + count))


def _shallow_merge(args: list[Any]) -> Any:
    """shallowMerge(array of objects): later keys win, nested objects are not merged."""
    if len(args) != 1 or not isinstance(args[0], list) or not all(isinstance(a, dict) for a in args[0]):
        return UNKNOWN
    merged: dict[str, Any] = {}
    for item in args[0]:
        merged.update(item)
    return merged


def _compare(kind: str) -> Callable[[list[Any]], Any]:
    """greater/less/...: of two integers (strings compare by .NET culture rules: unknown)."""

    def test(args: list[Any]) -> Any:
        if len(args) != 2 or not all(_is_int(a) for a in args):
            return UNKNOWN
        a, b = args
        return {"greater": a > b, "greaterorequals": a >= b, "less": a < b, "lessorequals": a <= b}[kind]

    return test


def _extreme(largest: bool) -> Callable[[list[Any]], Any]:
    """min/max of integers, given as arguments or as one array."""

    def pick(args: list[Any]) -> Any:
        values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        if not values or not all(_is_int(v) for v in values):
            return UNKNOWN
        return max(values) if largest else min(values)

    return pick


def _pad_left(args: list[Any]) -> Any:
    """padLeft(value, totalLength[, character]): a space by default; lengths in UTF-16 units."""
    if len(args) not in (2, 3) or not _is_int(args[1]):
        return UNKNOWN
    value = args[0] if isinstance(args[0], str) else str(args[0]) if _is_int(args[0]) else None
    pad = args[2] if len(args) == 3 else " "
    if value is None or not isinstance(pad, str) or len(pad) != 1 or ord(pad) > 0xFFFF:
        return UNKNOWN
    missing = args[1] - _utf16_length(value)
    if missing <= 0:
        return value
    _fits(args[1])
    return armtext.join([pad * missing, value])


FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "greater": _compare("greater"),
    "greaterorequals": _compare("greaterorequals"),
    "less": _compare("less"),
    "lessorequals": _compare("lessorequals"),
    "min": _extreme(False),
    "max": _extreme(True),
    "padleft": _pad_left,
    "tryget": _try_get,
    "range": _range,
    "shallowmerge": _shallow_merge,
    "concat": _concat,
    "replace": _replace,
    "split": _split,
    "join": _join,
    "trim": _trim,
    "string": _string,
    "tolower": _case(False),
    "toupper": _case(True),
    "base64": _base64,
    "union": _union,
    "createarray": lambda args: list(args),
    "array": lambda args: (args[0] if isinstance(args[0], list) else [args[0]]) if len(args) == 1 else UNKNOWN,
    "createobject": _create_object,
    "first": _first_last(False),
    "last": _first_last(True),
    "take": _take_skip(False),
    "skip": _take_skip(True),
    "substring": _substring,
    "length": _length,
    "empty": _empty,
    "contains": _contains,
    "equals": _equals,
    "not": _logic("not"),
    "and": _logic("and"),
    "or": _logic("or"),
    "bool": _bool,
    "int": _int,
    "add": _arith("add"),
    "sub": _arith("sub"),
    "mul": _arith("mul"),
    "div": _arith("div"),
    "mod": _arith("mod"),
    "startswith": _starts_ends(False),
    "endswith": _starts_ends(True),
    "true": lambda args: True if not args else UNKNOWN,
    "false": lambda args: False if not args else UNKNOWN,
    "null": lambda args: None if not args else UNKNOWN,
    "resourceid": _resource_id("group"),
    "subscriptionresourceid": _resource_id("subscription"),
    "tenantresourceid": _resource_id("tenant"),
}
