"""Collect every regular expression of the package and build the attacks that make one backtrack.

Used by tests/test_hostile_regexes.py (issue 14, item 8).

Where the patterns come from (so a new module is covered without being listed):
- every re.Pattern reachable from a module's globals (directly, in containers, in classes
  defined there, or returned by a cached zero-argument loader such as signatures.load);
- every literal pattern passed to a function of `re` in the source (found with ast);
- every "pattern" of the shipped ARM schemas (schema_fast and jsonschema apply them to values);
- every pattern compiled from inside the package while the CLI lints the repository's
  fixtures (patterns built at run time, e.g. from an f-string).

The attacks: for each unbounded repetition in a pattern, the text that leads the engine to it
(a matching example of everything before it) followed by a long run of a character the
repetition accepts, alone and with the lead repeated, then a character that makes the match
fail. That is the shape of every catastrophic case found so far (a `\\s*` before a class that
also takes blanks, a keyword repeated before `[^/]*\\.exe$`, a lazy run before `\\s*$`).
Plus a few plain runs of one character, for the patterns the walk cannot model.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import pkgutil
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiblint

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_constants
    import sre_parse

PACKAGE = Path(aiblint.__file__).resolve().parent
ROOT = PACKAGE.parent
N = 100_000
# The text stops right after the run (a pattern whose run can end the text, such as `\s*`, then
# fails at the end), or a character few patterns accept follows it (a pattern allowing the run
# at the end, such as `[^\n]*$` or `\s*$`, fails on it).
ENDS = ("", "\x00!")
PROBES = " \n\ta1-_.:/\\'\"=,"
UNITS_PER_REPEAT = 3
LEADS_PER_PATTERN = 16
RE_FUNCTIONS = {"search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "compile"}

Case = tuple[str, "re.Pattern[Any]", str]  # (where, compiled, the method the code calls)


# -- collection -----------------------------------------------------------------------------


def _package_modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages(aiblint.__path__, "aiblint."):
        if info.name.endswith("__main__"):
            continue  # running it starts the CLI
        try:
            yield importlib.import_module(info.name)
        except ImportError:  # an optional extra (the language server's pygls) is not installed
            continue


def _patterns_in(value: Any, where: str, depth: int = 0) -> Iterator[tuple[str, re.Pattern[Any]]]:
    if isinstance(value, re.Pattern):
        yield where, value
    elif depth >= 4:
        return
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _patterns_in(item, f"{where}[{key!r}]", depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            yield from _patterns_in(item, f"{where}[{index}]", depth + 1)
    elif hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        for name in value.__dataclass_fields__:
            yield from _patterns_in(getattr(value, name, None), f"{where}.{name}", depth + 1)


def module_patterns() -> list[Case]:
    """Patterns reachable from module globals, each run with search (what most callers do)."""
    found: list[tuple[str, re.Pattern[Any]]] = []
    for module in _package_modules():
        for name, value in list(vars(module).items()):
            where = f"{module.__name__}.{name}"
            if isinstance(value, type) and value.__module__ == module.__name__:
                for attribute, item in vars(value).items():
                    found.extend(_patterns_in(item, f"{where}.{attribute}"))
            elif callable(value) and hasattr(value, "cache_info") and getattr(value, "__module__", "") == module.__name__:
                with contextlib.suppress(TypeError):  # only loaders that take no argument
                    found.extend(_patterns_in(value(), f"{where}()"))
            else:
                found.extend(_patterns_in(value, where))
    methods = _methods_by_name()
    return [(where, pattern, _method_of(where, methods)) for where, pattern in found]


_MATCH_ONLY = {"match", "fullmatch"}


def _methods_by_name() -> dict[str, set[str]]:
    """For each name, the methods called on it anywhere in the package (`_X.match(...)`,
    `module._X.search(...)`)."""
    used: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
                if name is not None:
                    used.setdefault(name, set()).add(node.func.attr)
    return used


def _method_of(where: str, methods: dict[str, set[str]]) -> str:
    """match when every call on the pattern's name in the package is match or fullmatch (the
    engine then starts at one position only), else search (the stricter test)."""
    name = where.split("[", 1)[0].split("(", 1)[0].rsplit(".", 1)[-1]
    seen = methods.get(name, set())
    return "match" if seen and seen <= _MATCH_ONLY else "search"


def _flags(node: ast.Call) -> int:
    """The flags argument of re.<function>(pattern, ..., flags), evaluated with `re` only."""
    function = node.func.attr  # type: ignore[attr-defined]
    position = {
        "compile": 1,
        "search": 2,
        "match": 2,
        "fullmatch": 2,
        "finditer": 2,
        "findall": 2,
        "split": 3,
        "sub": 4,
        "subn": 4,
    }
    argument = next((k.value for k in node.keywords if k.arg == "flags"), None)
    if argument is None and len(node.args) > position[function]:
        argument = node.args[position[function]]
    if argument is None:
        return 0
    return int(eval(compile(ast.Expression(argument), "<flags>", "eval"), {"re": re}))


def literal_patterns() -> list[Case]:
    """(where, compiled, function) for each re.<function>("literal", ...) call in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.func.attr in RE_FUNCTIONS):
                continue
            if not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, (str, bytes))):
                continue
            source = node.args[0].value
            where = f"{path.relative_to(PACKAGE).as_posix()}:{source!r}"
            function = node.func.attr if node.func.attr in ("match", "fullmatch") else "search"
            found.append((where, re.compile(source, _flags(node)), function))
    return found


def schema_patterns() -> list[Case]:
    from aiblint.schema import schemas_dir

    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            if isinstance(value.get("pattern"), str):
                yield value["pattern"]
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    found = set()
    for path in sorted(schemas_dir().glob("*.json")):
        found.update(walk(json.loads(path.read_text(encoding="utf-8"))))
    return [(f"schema pattern {p!r}", re.compile(p), "search") for p in sorted(found)]


def _called_from_package() -> bool:
    """The caller of re.compile / re.search (the frame above it) is a module of the package.

    fnmatch's own compiles are not: they turn a glob written in a script into a pattern that
    is only matched against a fixed file name."""
    frame = sys._getframe(3)  # recording <- re.<function> <- the caller
    return frame is not None and frame.f_code.co_filename.startswith(str(PACKAGE))


def _method(pattern: re.Pattern[Any]) -> str:
    # fnmatch.translate gives `(?s:...)\Z`, which its callers apply with match
    source = pattern.pattern
    return "match" if isinstance(source, str) and source.startswith("(?s:") and source.endswith(")\\Z") else "search"


def _with_directives(folder: Path) -> Path:
    """Copies of a Bicep, a Terraform and a JSON example, each with suppression comments, so that
    the code paths that only start on `aiblint:` compile their patterns too."""
    for name, main, comment in (("bicep_linux", "main.bicep", "//"), ("terraform_azapi", "main.tf", "#")):
        shutil.copytree(ROOT / "tests" / "frontends" / name, folder / name)
        path = folder / name / main
        path.write_text(f"{comment} aiblint: disable-file=AIB999 -- audit\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    template = json.loads(
        (ROOT / "fixtures" / "AIB401" / sorted(p.name for p in (ROOT / "fixtures" / "AIB401").glob("*.json"))[0]).read_text(
            encoding="utf-8"
        )
    )
    (folder / "commented.json").write_text("// aiblint: disable-file=AIB999\n" + json.dumps(template, indent=2), encoding="utf-8")
    return folder


def run_time_patterns() -> list[Case]:
    """Every pattern compiled from inside the package while the CLI lints the repository's fixtures."""
    from aiblint.cli import main

    seen: dict[tuple[Any, int], re.Pattern[Any]] = {}
    original = re._compile  # type: ignore[attr-defined]

    def recording(pattern: Any, flags: Any) -> Any:
        compiled = original(pattern, flags)
        if isinstance(pattern, (str, bytes)) and _called_from_package():
            seen[(pattern, int(flags))] = compiled
        return compiled

    re._compile = recording  # type: ignore[attr-defined]
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            extra = _with_directives(Path(folder))
            main([str(ROOT / "fixtures"), str(ROOT / "tests" / "frontends"), str(extra), "--format", "json", "--no-check-urls"])
    finally:
        re._compile = original  # type: ignore[attr-defined]
    return [(f"compiled at run time: {p.pattern!r}", p, _method(p)) for p in seen.values()]


def dedupe(cases: list[Case]) -> list[Case]:
    kept: dict[tuple[Any, int], Case] = {}
    for case in cases:
        kept.setdefault((case[1].pattern, case[1].flags), case)
    return list(kept.values())


def modules_using_re() -> set[str]:
    """Modules of the package whose source compiles or applies a regular expression."""
    uses = re.compile(r"\bre\.(?:" + "|".join(sorted(RE_FUNCTIONS)) + r")\(")
    return {
        path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py") if uses.search(path.read_text(encoding="utf-8"))
    }


def module_of(where: str) -> str | None:
    """The package-relative file a case was collected from (None for schema and run-time ones)."""
    if where.startswith("aiblint."):
        dotted = where.split("[", 1)[0].split("(", 1)[0].split(".")
        for length in range(len(dotted), 1, -1):
            base = PACKAGE.joinpath(*dotted[1:length])
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    return candidate.relative_to(PACKAGE).as_posix()
        return None
    head = where.split(":", 1)[0]
    return head if head.endswith(".py") else None


# -- attacks --------------------------------------------------------------------------------

_CATEGORIES = {
    sre_constants.CATEGORY_DIGIT: re.compile(r"\d"),
    sre_constants.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
    sre_constants.CATEGORY_SPACE: re.compile(r"\s"),
    sre_constants.CATEGORY_NOT_SPACE: re.compile(r"\S"),
    sre_constants.CATEGORY_WORD: re.compile(r"\w"),
    sre_constants.CATEGORY_NOT_WORD: re.compile(r"\W"),
}
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)}
_SINGLE = {sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.ANY, sre_constants.IN}


def _accepts(node: tuple[Any, Any], char: str, flags: int) -> bool:
    op, av = node
    chars = {char, char.lower(), char.upper()} if flags & re.I else {char}
    codes = {ord(c) for c in chars}
    if op is sre_constants.LITERAL:
        return av in codes
    if op is sre_constants.NOT_LITERAL:
        return av not in codes
    if op is sre_constants.ANY:
        return char != "\n" or bool(flags & re.S)
    negate = False
    hit = False
    for item_op, item in av:
        if item_op is sre_constants.NEGATE:
            negate = True
        elif item_op is sre_constants.LITERAL:
            hit |= item in codes
        elif item_op is sre_constants.RANGE:
            hit |= any(item[0] <= code <= item[1] for code in codes)
        elif item_op is sre_constants.CATEGORY:
            test = _CATEGORIES.get(item)
            hit |= bool(test and test.match(char))
    return hit != negate


def _some_char(node: tuple[Any, Any], flags: int) -> str:
    op, av = node
    if op is sre_constants.LITERAL:
        return chr(av)
    if op is sre_constants.IN:
        for item_op, item in av:
            if item_op is sre_constants.LITERAL:
                return chr(item)
            if item_op is sre_constants.RANGE:
                return chr(item[0])
    return next((c for c in "a1 -_." if _accepts(node, c, flags)), "a")


class _Walk:
    """One pass over a parsed pattern: a matching example, and (lead, unit) pairs for its repeats."""

    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.leads: list[tuple[str, str]] = []

    def sequence(self, items: Any, lead: str) -> str:
        example = ""
        for op, av in items:
            example += self.item(op, av, lead + example)
        return example

    def item(self, op: Any, av: Any, lead: str) -> str:
        if op in _SINGLE:
            return _some_char((op, av), self.flags)
        if op in _REPEATS:
            low, high, body = av
            body = list(body)
            if high > 1:
                if len(body) == 1 and body[0][0] in _SINGLE:
                    units = [c for c in PROBES if _accepts(body[0], c, self.flags)][:UNITS_PER_REPEAT]
                else:
                    units = [_Walk(self.flags).sequence(body, "")]
                self.leads.extend((lead, unit) for unit in units if unit)
            example = self.sequence(body, lead)
            return example * low
        if op is sre_constants.SUBPATTERN:
            return self.sequence(av[-1], lead)
        if op is getattr(sre_constants, "ATOMIC_GROUP", None):
            return self.sequence(av, lead)
        if op is sre_constants.BRANCH:
            examples = [self.sequence(alternative, lead) for alternative in av[1]]
            return examples[0]
        return ""  # anchors, lookarounds and back references add no character


def leads(pattern: re.Pattern[Any]) -> list[tuple[str, str]]:
    """(lead, unit) pairs: the text before an unbounded repeat, and a string it repeats."""
    if not isinstance(pattern.pattern, str):
        return []
    walk = _Walk(pattern.flags)
    walk.sequence(sre_parse.parse(pattern.pattern, pattern.flags), "")
    unique = list(dict.fromkeys(walk.leads))
    return unique[:LEADS_PER_PATTERN]


def _fill(head: str, unit: str, size: int) -> str:
    return head + unit * max(1, (size - len(head)) // max(1, len(unit)))


Attack = tuple[str, Callable[[int], str]]


def attacks(pattern: re.Pattern[Any]) -> list[Attack]:
    """(name, text of a given size) for a pattern: plain runs, then its own leads."""
    found: list[Attack] = []
    for end in ENDS:
        found.extend(
            (f"{run!r} x n + {end!r}", lambda n, run=run, end=end: run * n + end) for run in ("a", "1", " ", "\n", " \n", "-")
        )
        for lead, unit in leads(pattern):
            name = f"{lead[:40]!r} + {unit[:20]!r} x n + {end!r}"
            found.append((name, lambda n, lead=lead, unit=unit, end=end: _fill(lead, unit, n) + end))
            if lead:
                found.append((f"repeated: {name}", lambda n, lead=lead, unit=unit, end=end: _fill("", lead + unit, n) + end))
    return found


def as_subject(pattern: re.Pattern[Any], text: str) -> Any:
    return text.encode("latin-1", "replace") if isinstance(pattern.pattern, bytes) else text


# -- timing ---------------------------------------------------------------------------------

STAGES = (100, 1_000, 10_000, N)
FLOOR = 0.05  # the least any stage is allowed: a loaded machine can pause a process this long


def _timed(call: Callable[[Any], Any], subject: Any) -> float:
    start = time.perf_counter()
    call(subject)
    return time.perf_counter() - start


def slowest_stage(call: Callable[[Any], Any], make: Callable[[int], Any], seconds: float, limit: int | None) -> str | None:
    """None if every size up to N runs within its share of `seconds`, else what was too slow.

    Sizes grow tenfold, each allowed max(seconds * size / N, FLOOR): a quadratic pattern fails
    at a small size in well under a second instead of running for minutes at N."""
    for size in STAGES:
        size = min(size, limit) if limit else size
        subject = make(size)
        allowed = max(seconds * size / N, FLOOR)
        elapsed = _timed(call, subject)
        if allowed < elapsed < 10 * allowed:
            elapsed = min(elapsed, _timed(call, subject))  # once more: the machine may have paused us
        if elapsed > allowed:
            return f"{elapsed:.2f} s on {size:,} characters (allowed {allowed:.2f} s)"
        if limit and size >= limit:
            break
    return None
