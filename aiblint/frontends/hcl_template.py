"""Terraform's template language: quoted strings, heredocs and ``templatefile()`` files.

Literal text keeps one file offset per character (``$${`` / ``%%{`` escapes, and in quoted
strings the backslash escapes, map to where they are written); ``${expr}`` is substituted
when its value is known; ``%{ if }`` / ``%{ else }`` / ``%{ endif }`` and ``%{ for }`` /
``%{ endfor }`` are evaluated when the condition or collection is known; a ``~`` strip
marker trims the whitespace of the literal text beside it, as Terraform's parser does.
Anything not known makes the whole string unknown (the caller's ``None``), exactly as an
unknown interpolation does: never a guess.

A template file is parsed with tree-sitter-hcl as the body of a heredoc (``wrap``), and its
offsets are shifted back, so a finding points into the template file itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiblint.frontends import values as v
from aiblint.frontends.common import Decoder, Malformed
from aiblint.jsontree import AnyNode, ArrayNode, LiteralNode, ObjectNode, StringNode

MAX_LOOP_ITEMS = 200  # one %{ for }: as for a `for` expression
MAX_RENDERED = 4 * 1024 * 1024  # characters one template may render (nested loops multiply)
MAX_ITERATIONS = 10_000  # loop bodies one template may render
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_MARKERS = ("template_interpolation", "template_directive")
_DELIMITED = (
    "template_interpolation",
    "template_if_intro",
    "template_else_intro",
    "template_if_end",
    "template_for_start",
    "template_for_end",
)


class Unknown(Exception):
    """A part of the template only the deployment knows: the whole string is unknown."""


def wrap(text: str) -> tuple[str, str]:
    """A prefix and suffix that make ``text`` the body of a heredoc (a marker it never holds)."""
    marker = "AIBLINT_TEMPLATE"
    lines = set(text.split("\n"))
    while marker in lines or marker + "\r" in lines:
        marker += "_"
    return f"t = <<{marker}\n", f"\n{marker}\n"


def heredoc_of(tree: Any) -> Any:
    """The heredoc ``wrap`` made, or None when the template does not parse."""
    if tree.root_node.has_error:
        return None
    node = tree.root_node
    while node is not None and node.type != "heredoc_template":
        node = next(
            (
                c
                for c in node.named_children
                if c.type in ("body", "attribute", "expression", "template_expr", "heredoc_template")
            ),
            None,
        )
    return node


@dataclass
class _Render:
    evaluator: Any  # terraform.Evaluator (duck-typed: this module must not import it)
    escapes: bool
    start: int
    end: int
    budget: int = MAX_RENDERED
    iterations: int = MAX_ITERATIONS
    in_file: bool = False  # a templatefile(): a substituted value points at its `${`
    open_strips: set[int] = field(default_factory=set)  # where a `${~` / `%{~` starts
    close_strips: set[int] = field(default_factory=set)  # where a `~}` ends


def render(
    evaluator: Any,
    node: Any,
    begin: int,
    stop: int,
    start: int,
    end: int,
    scope: dict[str, AnyNode],
    escapes: bool,
    in_file: bool = False,
) -> StringNode | None:
    """The template ``node`` whose text runs over [begin, stop) (a quoted string's inside,
    a heredoc's body) as one string node spanning [start, end); None when unknown."""
    unit = evaluator.unit
    markers = [c for c in node.named_children if c.type in _MARKERS]
    raw = unit.text[begin:stop]
    if not markers and "$${" not in raw and "%%{" not in raw and not (escapes and "\\" in raw):
        return v.string(raw, list(range(begin, stop + 1)), start, end, unit.file)  # the usual case: as written
    state = _Render(evaluator, escapes, start, end, in_file=in_file)
    if markers:
        _strips(unit, markers, state)
    decoder = Decoder(start, end, unit.file)
    try:
        _sequence(state, markers, begin, stop, scope, decoder)
    except (Unknown, Malformed):
        return None
    return decoder.result(begin)


def _sequence(state: _Render, items: list[Any], begin: int, stop: int, scope: dict[str, AnyNode], out: Decoder) -> None:
    """Literal text and the interpolations/directives ``items`` between ``begin`` and ``stop``."""
    unit = state.evaluator.unit
    position = begin
    for item in items:
        item_start, item_end = unit.at(item)
        _literal(state, position, item_start, out)
        if item.type == "template_interpolation":
            _interpolation(state, item, scope, out)
        else:
            _directive(state, item, scope, out)
        position = item_end
    _literal(state, position, stop, out)


def _literal(state: _Render, begin: int, stop: int, out: Decoder) -> None:
    text = state.evaluator.unit.text
    if begin in state.close_strips:  # `~}` before: leading whitespace goes
        while begin < stop and text[begin].isspace():
            begin += 1
    if stop in state.open_strips:  # `${~` / `%{~` after: trailing whitespace goes
        while stop > begin and text[stop - 1].isspace():
            stop -= 1
    state.budget -= stop - begin
    if state.budget < 0:
        raise Unknown
    i = begin
    while i < stop:
        special = _next_special(text, i, stop, state.escapes)
        out.run(text, i, special)  # plain characters, as written
        i = special
        if i >= stop:
            break
        if text[i] == "\\":
            i = _escape(text, i, out) if i + 1 < stop else _plain(text, i, out)
        elif text.startswith(("$${", "%%{"), i):
            out.add(text[i + 1], i)
            out.add("{", i + 2)
            i += 3
        else:
            i = _plain(text, i, out)
    out.flush(stop)


def _next_special(text: str, i: int, stop: int, escapes: bool) -> int:
    """Where the next character that may start an escape is, or ``stop``."""
    found = [p for p in (text.find("$$", i, stop), text.find("%%", i, stop)) if p >= 0]
    if escapes:
        backslash = text.find("\\", i, stop)
        if backslash >= 0:
            found.append(backslash)
    return min(found) if found else stop


def _plain(text: str, i: int, out: Decoder) -> int:
    out.add(text[i], i)
    return i + 1


def _escape(text: str, i: int, out: Decoder) -> int:
    escape = text[i + 1]
    if escape in _ESCAPES:
        out.add(_ESCAPES[escape], i)
        return i + 2
    if escape in "uU":
        width = 4 if escape == "u" else 8
        try:
            out.add(chr(int(text[i + 2 : i + 2 + width], 16)), i)
        except ValueError:
            raise Malformed from None
        return i + 2 + width
    out.add("\\", i)
    return i + 1


def _interpolation(state: _Render, item: Any, scope: dict[str, AnyNode], out: Decoder) -> None:
    unit = state.evaluator.unit
    inner = [c for c in item.named_children if c.type == "expression"]
    value = state.evaluator._eval(inner[0], scope) if inner else None
    if value is None or v.is_unknown(value):
        raise Unknown
    piece = v.as_string(value)
    if piece is None:
        raise Unknown
    state.budget -= len(piece.text)
    if state.budget < 0:
        raise Unknown
    item_start, item_end = unit.at(item)
    if state.in_file and piece.file != unit.file:  # written in the .tf file: its characters point at the `${`
        piece = v.literal_string(piece.text, item_start, item_end, unit.file)
    out.value(piece, item_start)


def _directive(state: _Render, item: Any, scope: dict[str, AnyNode], out: Decoder) -> None:
    unit = state.evaluator.unit
    inner = item.named_children[0] if item.named_children else None
    if inner is None:
        raise Unknown
    parts = inner.named_children
    if inner.type == "template_if":
        intro = parts[0]
        condition = _expression(state, intro, scope)
        if not (isinstance(condition, LiteralNode) and isinstance(condition.literal, bool)):
            raise Unknown
        split = next((i for i, p in enumerate(parts) if p.type == "template_else_intro"), len(parts) - 1)
        if condition.literal:
            body, begin, stop = parts[1:split], unit.at(intro)[1], unit.at(parts[split])[0]
        elif split < len(parts) - 1:
            body, begin, stop = parts[split + 1 : -1], unit.at(parts[split])[1], unit.at(parts[-1])[0]
        else:
            return  # false and no else: nothing
        _sequence(state, [p for p in body if p.type in _MARKERS], begin, stop, scope, out)
        return
    if inner.type == "template_for":
        intro = parts[0]
        names = [unit.source(c) for c in intro.named_children if c.type == "identifier"]
        collection = _expression(state, intro, scope)
        body = [p for p in parts[1:-1] if p.type in _MARKERS]
        begin, stop = unit.at(intro)[1], unit.at(parts[-1])[0]
        for key, value in _items(state, intro, collection):
            state.iterations -= 1
            if state.iterations < 0:
                unit.note(intro, f"a template renders more than {MAX_ITERATIONS} loop bodies: its text is unknown")
                raise Unknown
            bound = dict(scope)
            if len(names) == 2:
                bound[names[0]] = key
            bound[names[-1]] = value
            _sequence(state, body, begin, stop, bound, out)
        return
    raise Unknown


def _expression(state: _Render, intro: Any, scope: dict[str, AnyNode]) -> AnyNode | None:
    inner = [c for c in intro.named_children if c.type == "expression"]
    return state.evaluator._eval(inner[0], scope) if inner else None


def _items(state: _Render, intro: Any, collection: AnyNode | None) -> list[tuple[AnyNode, AnyNode]]:
    """(key, value) per item: a list's index, a map's keys in lexical order (as Terraform)."""
    found: list[tuple[AnyNode, AnyNode]]
    if isinstance(collection, ArrayNode):
        found = [(v.number(i, item.start, item.end, item.file), item) for i, item in enumerate(collection.items)]
    elif isinstance(collection, ObjectNode):
        found = [(m.key, m.value) for m in sorted(collection.members, key=lambda m: m.key.text)]
    else:
        raise Unknown
    if len(found) > MAX_LOOP_ITEMS:
        state.evaluator.unit.note(
            intro, f"a template %{{ for }} over {len(found)} items is not evaluated (at most {MAX_LOOP_ITEMS})"
        )
        raise Unknown
    return found


def _strips(unit: Any, markers: list[Any], state: _Render) -> None:
    """Where the ``~`` strip markers of the template's delimiters (nested ones too) stand."""
    stack = list(markers)
    while stack:
        node = stack.pop()
        if node.type in _DELIMITED:
            children = node.children
            if len(children) > 2 and children[1].type == "strip_marker":
                state.open_strips.add(unit.at(node)[0])
            if len(children) > 2 and children[-2].type == "strip_marker":
                state.close_strips.add(unit.at(node)[1])
        elif node.type in ("template_directive", "template_if", "template_for"):
            stack.extend(node.named_children)


def templatefile(
    evaluator: Any, unit: Any, heredoc: Any, variables: AnyNode | None, loaded_by: tuple[str | None, int, int]
) -> StringNode | None:
    """A template file's text rendered with ``variables`` (the call's second argument)."""
    scope: dict[str, AnyNode] = {}
    if isinstance(variables, ObjectNode):
        scope = {m.key.text: m.value for m in variables.members}
    elif not v.is_unknown(variables):
        return None  # not an object: Terraform refuses the call
    length = len(unit.text)
    rendered = render(evaluator, heredoc, 0, length, 0, length, scope, escapes=False, in_file=True)
    if not isinstance(rendered, StringNode):
        return None
    offsets = [rendered.file_offset(i) for i in range(len(rendered.text))] + [length]
    result = v.string(rendered.text, offsets, 0, length, unit.file)
    result.loaded_by = loaded_by
    return result
